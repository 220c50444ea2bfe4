"""The whole caption check: names, personal information, links and messages to one person."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Iterable

from ..kernel.channels import Channel
from .contacts import SchoolContacts
from .findings import Confirmation, Finding, FindingKind, Verdict, overlaps
from .links import links, mentions
from .names import NameIndex
from .personal import addresses, dates_of_birth, emails, phones, postcodes

CHECKS = (
    "Names of people in the register, against photo consent with name permission for the channel",
    "Telephone numbers, email addresses, postcodes, street addresses and dates of birth",
    "Links and handles, against the school's website and channels",
    "Messages addressed to one person",
)


@dataclass(frozen=True)
class CaptionReport:
    caption: str
    findings: tuple[Finding, ...]

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocks]

    @property
    def named_person_ids(self) -> list[int]:
        """Everyone a name in the caption may mean (an ambiguous name counts for all it may mean)."""
        return sorted({i for f in self.findings if f.kind is FindingKind.NAME for i in f.person_ids})

    def as_dict(self) -> dict:
        return {"findings": [f.as_dict() for f in self.findings]}


class CaptionChecker:
    """Built once per channel and register snapshot; `check` is then cheap enough for every keystroke."""

    def __init__(self, names: NameIndex, contacts: SchoolContacts, channels: Iterable[Channel], today: date):
        self.names = names
        self.contacts = contacts
        self.channels = tuple(channels)
        self.today = today

    @property
    def channel(self) -> Channel:
        return self.names.channel

    def check(self, caption: str, confirmations: Iterable[Confirmation] = ()) -> CaptionReport:
        named = self.names.find(caption)
        # Earlier kinds win where spans overlap: an email's digits are not also a telephone number.
        found: list[Finding] = []
        for group in (
            emails(caption, self.contacts),
            links(caption, self.channels, self.contacts),
            dates_of_birth(caption, named, self.names.people, self.today),
            phones(caption, self.contacts),
            postcodes(caption, self.contacts),
            addresses(caption, self.contacts),
        ):
            found += [f for f in group if not any(overlaps(f, kept) for kept in found)]
        found += [n for n in named if not any(overlaps(n, kept) and kept.kind is FindingKind.LINK and kept.verdict is Verdict.ALLOWED for kept in found)]
        found += mentions(caption, named)
        confirmed = {c.folded: c for c in confirmations if c.reason.strip()}
        found = [_confirm(f, confirmed) for f in found]
        return CaptionReport(caption, tuple(sorted(found, key=lambda f: (f.start, f.end))))


def _confirm(finding: Finding, confirmed: dict[str, Confirmation]) -> Finding:
    if finding.verdict is not Verdict.NEEDS_DECISION:
        return finding
    confirmation = confirmed.get(finding.folded)
    if confirmation is None or (confirmation.person_ids and set(confirmation.person_ids) != set(finding.person_ids)):
        return finding
    reason = " ".join(confirmation.reason.split())
    return replace(finding, confirmed_reason=reason, reason=f"{finding.reason} Confirmed: {reason}")
