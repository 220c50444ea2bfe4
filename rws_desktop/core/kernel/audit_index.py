"""What the audit log is searched by: the terms derived from each entry, and a query over them.

Storage keeps these terms beside each entry (written in the same transaction), so filtering
100,000 entries never parses their JSON. They are derived data: the chain itself is only
`audit_entry`, and the chain check compares the stored terms with `terms_of` again.
Changing `terms_of` therefore needs a migration that rebuilds the stored terms.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any


@dataclass(frozen=True)
class AuditTerms:
    seq: int
    at_utc: datetime | None  # naive, in UTC
    kind: str | None
    user: str | None
    channel: str | None
    decision: str | None
    source_sha256: str | None
    person_ids: frozenset[int]


def terms_of(seq: int, content: dict[str, Any]) -> AuditTerms:
    """The search terms of one entry. Never raises: odd or missing fields give None."""
    return AuditTerms(
        seq=seq,
        at_utc=parse_utc(content.get("at")),
        kind=_text(content.get("kind")),
        user=_text(content.get("user")),
        channel=_text(content.get("channel")),
        decision=_text(content.get("decision")),
        source_sha256=_text(content.get("source_sha256")),
        person_ids=frozenset(involved_people(content)),
    )


def involved_people(content: dict[str, Any]) -> list[int]:
    """Ids of everyone an entry is about: its person, any face's (a clip's tracks too), any correction's, and
    a post's people named in its caption or shown in its media (migration 0007 indexed the posts logged
    before); in first-seen order."""
    candidates = [content.get("person_id")]
    candidates += _list(content.get("named_person_ids")) + _list(content.get("shown_person_ids"))
    candidates += [face.get("person_id") for face in _dicts(content.get("faces")) + _dicts(content.get("tracks"))]
    corrections = _dicts(content.get("corrections")) + _dicts([content.get("correction")])
    candidates += [correction.get("person_id") for correction in corrections]
    seen: list[int] = []
    for candidate in candidates:
        # bool is an int in Python, but never a person.
        if isinstance(candidate, int) and not isinstance(candidate, bool) and candidate not in seen:
            seen.append(candidate)
    return seen


def parse_utc(value: object) -> datetime | None:
    """An entry's ISO 8601 time as a naive UTC datetime, or None when it is missing or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment  # entries are always written in UTC
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class AuditQuery:
    """Which entries to read. Every given term must match; `at_before` is exclusive."""

    at_from: datetime | None = None  # naive UTC
    at_before: datetime | None = None  # naive UTC
    kind: str | None = None
    user: str | None = None
    channel: str | None = None
    decision: str | None = None
    person_id: int | None = None
    source_sha256: str | None = None

    @property
    def is_everything(self) -> bool:
        return self == AuditQuery()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _dicts(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
