"""The people table: search as you type, filters and sorting, over one in-memory snapshot.

The snapshot is read in one transaction (four queries); each keystroke then filters and sorts
in memory: a few milliseconds for 2,000 people (bench/import_pupils.py measures it).
Reload the snapshot after any change to the register.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Callable

from ..kernel.consent import (
    ALL_CHANNELS, BiometricConsent, ConsentStatus, FaceConsent, Person, PersonKind, PhotoConsent,
    biometric_verdict, show_decision,
)
from ..kernel.ports import Store


class SortKey(str, Enum):
    NAME = "name"
    SURNAME = "surname"
    MIS_ID = "mis_id"
    KIND = "kind"
    YEAR = "year"
    FORM = "form"
    ENROLLED = "enrolled"
    CONSENT = "consent"
    EXPIRES = "expires"
    LEAVING = "leaving"


# Sorting by consent puts those who may be shown first, and the firmest "no" last.
CONSENT_ORDER = (
    FaceConsent.GRANTED, FaceConsent.NOT_YET_VALID, FaceConsent.EXPIRED, FaceConsent.NO_CONSENT,
    FaceConsent.WITHDRAWN, FaceConsent.REFUSED, FaceConsent.LEFT,
)


@dataclass(frozen=True)
class PeopleFilter:
    """What the people table shows. Every criterion left at its default lets everyone through,
    except `leavers`, which by default hides people marked as leaving or left."""

    text: str = ""  # every word must appear in the name, MIS id or form (any case, accents ignored)
    kind: PersonKind | None = None
    year_group: int | None = None
    form: str | None = None
    enrolled: bool | None = None  # has reference faces, or has none
    channel: str | None = None  # a channel key or ALL_CHANNELS: whose consent the rows report
    consent: frozenset[FaceConsent] = frozenset()  # states wanted for `channel`; empty means any
    leavers: bool | None = False  # False: current people only; True: leavers only; None: both
    sort: SortKey = SortKey.NAME
    descending: bool = False


@dataclass(frozen=True)
class PeopleRow:
    person: Person
    enrolled: int  # reference faces held
    recognisable: bool  # biometric consent valid today
    consent: FaceConsent | None = None  # for the filter's channel; None when no channel is chosen
    consent_reason: str = ""
    may_be_named: bool = False
    expires_on: date | None = None  # when the consent that shows this person lapses
    # In the all-channels view, of someone not shown everywhere: the channels they may be shown on.
    granted_channels: tuple[str, ...] = ()

    @property
    def is_leaver(self) -> bool:
        return self.person.leaving_date is not None


@dataclass
class PeopleSnapshot:
    """The register as the people table needs it, read once."""

    today: date
    people: list[Person]
    consents: dict[int, list[PhotoConsent]]
    biometrics: dict[int, BiometricConsent]
    reference_counts: dict[int, int]
    _search_text: dict[int, str] = field(default_factory=dict, repr=False)
    _by_channel: dict[str, dict[int, PeopleRow]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, store: Store, today: date) -> "PeopleSnapshot":
        with store.transaction() as tx:
            return cls(
                today, tx.register.list_people(), tx.register.all_photo_consents(),
                tx.register.all_biometric_consents(), tx.register.reference_face_counts(),
            )

    def __post_init__(self) -> None:
        self._search_text = {
            p.id: fold(" ".join(filter(None, (p.name, p.mis_id, p.form)))) for p in self.people
        }

    def year_groups(self) -> list[int]:
        return sorted({p.year_group for p in self.people if p.year_group is not None})

    def forms(self) -> list[str]:
        return sorted({p.form for p in self.people if p.form}, key=str.casefold)

    def query(self, wanted: PeopleFilter) -> list[PeopleRow]:
        rows = self._rows(wanted.channel)
        terms = fold(wanted.text).split()
        kept = [row for person in self.people if _passes(row := rows[person.id], wanted, terms, self._search_text[person.id])]
        return sort_rows(kept, wanted.sort, wanted.descending)

    def _rows(self, channel: str | None) -> dict[int, PeopleRow]:
        """Rows for one channel, worked out once and reused for every keystroke."""
        key = channel or ""
        if key not in self._by_channel:
            self._by_channel[key] = {person.id: self._row(person, channel) for person in self.people}
        return self._by_channel[key]

    def _row(self, person: Person, channel: str | None) -> PeopleRow:
        enrolled = self.reference_counts.get(person.id, 0)
        recognisable = biometric_verdict(person, self.biometrics.get(person.id), self.today).allowed
        if channel is None:
            return PeopleRow(person, enrolled, recognisable)
        consents = self.consents.get(person.id, [])
        decision = show_decision(person, consents, channel, self.today)
        expires = None
        if decision.visible:
            active = [c for c in consents if c.channel in (channel, ALL_CHANNELS) and c.status is ConsentStatus.GRANTED
                      and c.given_on <= self.today and (c.expires_on is None or self.today <= c.expires_on)]
            expiries = [c.expires_on for c in active]
            expires = None if None in expiries else max(expiries)
        granted = ()
        if channel == ALL_CHANNELS and not decision.visible:
            granted = tuple(sorted({c.channel for c in consents if c.channel != ALL_CHANNELS
                                    and show_decision(person, consents, c.channel, self.today).visible}))
        return PeopleRow(person, enrolled, recognisable, decision.consent, decision.reason, decision.may_be_named, expires,
                         granted)


def fold(text: str) -> str:
    """Text for matching: case and accents ignored, so "zoe" finds "Zoë"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _passes(row: PeopleRow, wanted: PeopleFilter, terms: list[str], haystack: str) -> bool:
    person = row.person
    if wanted.leavers is not None and row.is_leaver is not wanted.leavers:
        return False
    if wanted.kind is not None and person.kind is not wanted.kind:
        return False
    if wanted.year_group is not None and person.year_group != wanted.year_group:
        return False
    if wanted.form is not None and (person.form or "").casefold() != wanted.form.casefold():
        return False
    if wanted.enrolled is not None and (row.enrolled > 0) is not wanted.enrolled:
        return False
    if wanted.consent and row.consent not in wanted.consent:
        return False
    return all(term in haystack for term in terms)


def _surname(person: Person) -> str:
    return fold(person.name.rsplit(None, 1)[-1])


_SORT_VALUES: dict[SortKey, Callable[[PeopleRow], Any]] = {
    SortKey.NAME: lambda r: fold(r.person.name),
    SortKey.SURNAME: lambda r: (_surname(r.person), fold(r.person.name)),
    SortKey.MIS_ID: lambda r: r.person.mis_id,
    SortKey.KIND: lambda r: r.person.kind.value,
    SortKey.YEAR: lambda r: r.person.year_group,
    SortKey.FORM: lambda r: r.person.form.casefold() if r.person.form else None,
    SortKey.ENROLLED: lambda r: r.enrolled,
    SortKey.CONSENT: lambda r: CONSENT_ORDER.index(r.consent) if r.consent in CONSENT_ORDER else None,
    SortKey.EXPIRES: lambda r: r.expires_on,
    SortKey.LEAVING: lambda r: r.person.leaving_date,
}


def sort_rows(rows: list[PeopleRow], key: SortKey, descending: bool = False) -> list[PeopleRow]:
    """Sort by `key`, ties by name; rows without a value (no year, no form...) always come last."""
    by_name = sorted(rows, key=lambda r: (fold(r.person.name), r.person.id))
    value = _SORT_VALUES[key]
    present = [r for r in by_name if value(r) is not None]
    missing = [r for r in by_name if value(r) is None]
    return sorted(present, key=value, reverse=descending) + missing
