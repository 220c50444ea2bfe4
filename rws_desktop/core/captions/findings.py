"""What a caption check finds: a span of the caption, what it is, and whether it may be posted."""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from .text import fold


class FindingKind(str, Enum):
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"
    POSTCODE = "postcode"
    ADDRESS = "address"
    DATE_OF_BIRTH = "date_of_birth"
    LINK = "link"
    MENTION = "mention"


class Verdict(str, Enum):
    ALLOWED = "allowed"
    BLOCKED = "blocked"
    NEEDS_DECISION = "needs_decision"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    start: int  # offsets into the caption as typed, end exclusive
    end: int
    text: str
    verdict: Verdict
    reason: str
    person_ids: tuple[int, ...] = ()
    fix: str | None = None  # text that would replace the span to make it safe; "" removes it; None: no fix
    fix_label: str = ""  # the fix in words, for a button
    confirmed_reason: str | None = None  # a needs-decision name someone confirmed, with why

    @property
    def folded(self) -> str:
        """The text as matching sees it (case and accents ignored), to recognise a confirmed name again."""
        return " ".join(fold(self.text).split())

    @property
    def blocks(self) -> bool:
        """Whether this finding stops the post: blocked, or a decision nobody has made."""
        return self.verdict is Verdict.BLOCKED or (self.verdict is Verdict.NEEDS_DECISION and self.confirmed_reason is None)

    def with_verdict(self, verdict: Verdict, reason: str) -> "Finding":
        return replace(self, verdict=verdict, reason=reason)

    def as_dict(self) -> dict:
        """The shape `rws post --json` reports."""
        return {
            "kind": self.kind.value, "start": self.start, "end": self.end, "text": self.text,
            "person_ids": list(self.person_ids), "verdict": self.verdict.value, "reason": self.reason,
        }


@dataclass(frozen=True)
class Confirmation:
    """Someone read an ambiguous name and confirmed it may be posted, saying why (audited with the post)."""

    text: str  # the name as typed; matched again ignoring case, accents and spacing
    reason: str
    person_ids: tuple[int, ...] = ()

    @property
    def folded(self) -> str:
        return " ".join(fold(self.text).split())


def overlaps(a: Finding, b: Finding) -> bool:
    return a.start < b.end and b.start < a.end
