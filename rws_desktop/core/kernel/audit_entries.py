"""Building audit entries: every entry has a kind, the UTC time and the user, then its own fields.

`audit_entry` builds the small entries (accounts, the register, keys) as plain dicts. The entries
that carry a file's decision or a post have a frozen dataclass of their own, so their shape is
written once: `to_payload()` gives the plain JSON object the chain seals, and `from_payload()` reads
one back for the code that looks entries up. The payloads are exactly what was logged before the
dataclasses existed (tests/core/kernel/test_audit_entries.py pins them): the chain hashes their
canonical JSON, so a field renamed here would make new entries read differently from old ones.
Readers still tolerate missing or odd fields, since the log holds whatever was written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, Union

from .clock import utc_timestamp

SYSTEM_USER = "system"  # entries the app makes by itself (keys, housekeeping)


def audit_entry(kind: str, user: str, **fields: Any) -> dict[str, Any]:
    """An entry of `kind` by `user` at this moment, with `fields`; a field named "at" overrides the time."""
    return {"kind": kind, "at": utc_timestamp(), "user": user, **fields}


class TypedEntry(Protocol):
    KIND: ClassVar[str]

    def to_payload(self) -> dict[str, Any]: ...


Entry = Union[TypedEntry, dict]


def payload_of(entry: Entry) -> dict[str, Any]:
    """What the audit repository appends: a typed entry's payload, or a dict as it is."""
    return entry if isinstance(entry, dict) else entry.to_payload()


@dataclass(frozen=True, kw_only=True)
class ChannelEntry:
    """What every typed entry starts with: its kind, when, who, and for which channel."""

    KIND: ClassVar[str]
    user: str
    channel: str
    at: str = field(default_factory=utc_timestamp)

    def _head(self) -> dict[str, Any]:
        return {"kind": self.KIND, "at": self.at, "user": self.user, "channel": self.channel}


@dataclass(frozen=True, kw_only=True)
class MediaVetted(ChannelEntry):
    """What `photo_vetted` and `clip_vetted` share: the file in and out by name and hash, and the decision.
    `corrections` and `origin` are logged only when there are any."""

    source_name: str | None
    source_sha256: str | None
    output_name: str | None = None
    output_sha256: str | None = None
    decision: str
    reason: str
    corrections: tuple[dict, ...] = ()  # each as the review's correction `as_dict()`
    origin: str | None = None  # "desktop", or the posting pack it went into

    def to_payload(self) -> dict[str, Any]:
        payload = {
            **self._head(), "source_name": self.source_name, "source_sha256": self.source_sha256,
            "output_name": self.output_name, "output_sha256": self.output_sha256,
            "decision": self.decision, "reason": self.reason, **self._own_fields(),
        }
        if self.corrections:
            payload["corrections"] = list(self.corrections)
        if self.origin:
            payload["origin"] = self.origin
        return payload

    def _own_fields(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def _common(content: dict[str, Any]) -> dict[str, Any]:
        return {
            "user": content.get("user"), "channel": content.get("channel"), "source_name": content.get("source_name"),
            "source_sha256": content.get("source_sha256"), "output_name": content.get("output_name"),
            "output_sha256": content.get("output_sha256"), "decision": content.get("decision"),
            "reason": content.get("reason"), "corrections": tuple(_dicts(content.get("corrections"))),
            "origin": content.get("origin"), "at": content.get("at"),
        }


@dataclass(frozen=True, kw_only=True)
class PhotoVetted(MediaVetted):
    """`at` is when the entry is written (the export, in the window); `checked_at`, when the photo's check finished,
    before any correction made by hand (each logged with its own time). Entries written before `checked_at` existed
    have none."""

    KIND: ClassVar[str] = "photo_vetted"
    faces: tuple[dict, ...] = ()  # each face's report without its reason
    checked_at: str | None = None  # utc_timestamp() of the end of the check

    def _own_fields(self) -> dict[str, Any]:
        return {"faces": list(self.faces), **({"checked_at": self.checked_at} if self.checked_at else {})}

    @classmethod
    def from_payload(cls, content: dict[str, Any]) -> PhotoVetted | None:
        """The entry as logged, or None when `content` is another kind. Values are as logged: check their types."""
        if content.get("kind") != cls.KIND:
            return None
        checked_at = content.get("checked_at")
        return cls(faces=tuple(_dicts(content.get("faces"))), checked_at=checked_at if isinstance(checked_at, str) else None,
                   **cls._common(content))


@dataclass(frozen=True, kw_only=True)
class ClipVetted(MediaVetted):
    KIND: ClassVar[str] = "clip_vetted"
    duration_s: float | None = None
    frame_count: int | None = None
    frame_rate: float | None = None
    tracks: tuple[dict, ...] = ()  # each track by person id, never a name

    def _own_fields(self) -> dict[str, Any]:
        return {"duration_s": self.duration_s, "frame_count": self.frame_count, "frame_rate": self.frame_rate,
                "tracks": list(self.tracks)}


@dataclass(frozen=True, kw_only=True)
class ClipCorrected(ChannelEntry):
    """One correction made by hand to a clip under review, before it is exported."""

    KIND: ClassVar[str] = "clip_corrected"
    source_name: str
    source_sha256: str | None
    correction: dict  # the correction's `as_dict()`

    def to_payload(self) -> dict[str, Any]:
        return {**self._head(), "source_name": self.source_name, "source_sha256": self.source_sha256,
                **self._own_fields(), "correction": self.correction}

    def _own_fields(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, kw_only=True)
class ClipCorrectionUndone(ClipCorrected):
    """The last correction taken back; the log keeps it, and this entry names the one it undoes."""

    KIND: ClassVar[str] = "clip_correction_undone"
    undoes_seq: int | None

    def _own_fields(self) -> dict[str, Any]:
        return {"undoes_seq": self.undoes_seq}


@dataclass(frozen=True, kw_only=True)
class PostApproved(ChannelEntry):
    """What a posting pack held, by hash and register id (never by name)."""

    KIND: ClassVar[str] = "post_approved"
    caption_sha256: str
    media: tuple[dict, ...]  # each file: its vetting entry's seq, names and hashes
    named_person_ids: tuple[int, ...]
    shown_person_ids: tuple[int, ...]
    confirmations: tuple[dict, ...]  # ambiguous names posted anyway: offsets, the ids they could mean, why
    warnings: tuple[dict, ...]
    checks: tuple[str, ...]
    pack: str
    hashes_sha256: str | None = None

    def to_payload(self) -> dict[str, Any]:
        return {
            **self._head(), "caption_sha256": self.caption_sha256, "media": list(self.media),
            "named_person_ids": list(self.named_person_ids), "shown_person_ids": list(self.shown_person_ids),
            "confirmations": list(self.confirmations), "warnings": list(self.warnings), "checks": list(self.checks),
            "pack": self.pack, "hashes_sha256": self.hashes_sha256,
        }

    @classmethod
    def from_payload(cls, content: dict[str, Any]) -> PostApproved | None:
        """The entry as logged, or None when `content` is another kind. Lists that are not lists read as empty."""
        if content.get("kind") != cls.KIND:
            return None
        return cls(
            at=content.get("at"), user=content.get("user"), channel=content.get("channel"),
            caption_sha256=content.get("caption_sha256"), media=tuple(_dicts(content.get("media"))),
            named_person_ids=tuple(_list(content.get("named_person_ids"))),
            shown_person_ids=tuple(_list(content.get("shown_person_ids"))),
            confirmations=tuple(_dicts(content.get("confirmations"))), warnings=tuple(_dicts(content.get("warnings"))),
            checks=tuple(_list(content.get("checks"))), pack=content.get("pack"), hashes_sha256=content.get("hashes_sha256"),
        )


def _list(value: object) -> list:
    return list(value) if isinstance(value, list) else []


def _dicts(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
