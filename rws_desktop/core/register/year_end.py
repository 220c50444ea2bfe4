"""Year end: photo consent lapses with the academic year unless renewed, and leavers are marked.

Policy, chosen for safety: renewing consent without a fresh form from home risks showing a
child whose family has changed its mind, so at the year end every grant still running expires
on that 31 August, unless its person is on the renew list (say, a fresh form came back, or the
school's form runs "until they leave" and staff confirm it). Renewing extends the person's
grants to the 31 August a year later. It never touches a refusal or a withdrawal, which do not
expire, and never renews a leaver. Grants starting after the year end (next year's forms,
entered early) are left alone.

Leavers are marked only from a list staff confirm (a preview of, say, Year 13, or the pupils
missing from a full MIS export), never automatically.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum

from ..kernel.consent import ConsentStatus, Person, PersonKind, PhotoConsent, academic_year_end, format_day
from .mis_import import ImportPreview
from ..kernel.permissions import Action, requires
from ..kernel.ports import PersonNotFound, RegisterError, Store
from .service import change_entry, consent_details, record_leaver
from ..kernel.session import Session


class YearEndAction(str, Enum):
    RENEW = "renew"
    EXPIRE = "expire"


@dataclass(frozen=True)
class YearEndChange:
    person: Person
    consent: PhotoConsent  # the record as it is now
    action: YearEndAction
    new_expiry: date
    note: str = ""

    @property
    def writes(self) -> bool:
        """Whether the record changes (a grant already ending on the year end just runs out)."""
        return self.new_expiry != self.consent.expires_on


@dataclass(frozen=True)
class YearEndPreview:
    year_end: date
    next_year_end: date
    changes: list[YearEndChange]

    def people(self, action: YearEndAction) -> list[Person]:
        seen: dict[int, Person] = {}
        for change in self.changes:
            if change.action is action:
                seen.setdefault(change.person.id, change.person)
        return list(seen.values())


@dataclass(frozen=True)
class LeaverCandidate:
    person: Person
    reason: str
    reference_faces: int


class YearEndService:
    def __init__(self, store: Store, session: Session):
        self.store = store
        self.session = session
        self.user = session.initials

    @requires(Action.READ_REGISTER)
    def preview_year_end(self, year_end: date, renew: Collection[int] = ()) -> YearEndPreview:
        """Whose grants would expire on `year_end` (a 31 August) and whose would be renewed for a year."""
        with self.store.transaction() as tx:
            return _plan(tx, year_end, set(renew))

    @requires(Action.CHANGE_REGISTER)
    def apply_year_end(self, year_end: date, renew: Collection[int] = ()) -> YearEndPreview:
        """Apply the plan in one transaction: one audit entry per changed record and a summary."""
        with self.store.transaction() as tx:
            plan = _plan(tx, year_end, set(renew))
            written = [c for c in plan.changes if c.writes]
            for change in written:
                updated = replace(change.consent, expires_on=change.new_expiry)
                tx.register.put_photo_consent(updated)
                tx.audit.append(change_entry(
                    "photo_consent_set", self.user, **consent_details(updated), via=f"year_end_{change.action.value}"
                ))
            if written:
                tx.audit.append(change_entry(
                    "year_end_applied", self.user, year_end=year_end.isoformat(),
                    renewed=[p.id for p in plan.people(YearEndAction.RENEW)],
                    expired=[p.id for p in plan.people(YearEndAction.EXPIRE)],
                ))
        return plan

    @requires(Action.READ_REGISTER)
    def preview_leavers(self, year_group: int | None = None, absent_from: ImportPreview | None = None) -> list[LeaverCandidate]:
        """Current pupils in a year group, and/or those missing from a full MIS import: a list to confirm."""
        with self.store.transaction() as tx:
            counts = tx.register.reference_face_counts()
            current = [p for p in tx.register.list_people() if p.kind is PersonKind.PUPIL and p.leaving_date is None]
        candidates: dict[int, LeaverCandidate] = {}
        if year_group is not None:
            for person in current:
                if person.year_group == year_group:
                    candidates[person.id] = LeaverCandidate(person, f"in Year {year_group}", counts.get(person.id, 0))
        if absent_from is not None:
            current_ids = {p.id for p in current}
            for person in absent_from.absent:
                if person.id in current_ids:
                    candidates.setdefault(person.id, LeaverCandidate(person, "not in the MIS export", counts.get(person.id, 0)))
        return sorted(candidates.values(), key=lambda c: (c.person.name.casefold(), c.person.id))

    @requires(Action.CHANGE_REGISTER)
    def mark_leavers(self, person_ids: Iterable[int], leaving_date: date) -> dict[int, int]:
        """Mark people as leavers in one transaction, deleting their reference faces at once. Returns faces deleted."""
        deleted = {}
        with self.store.transaction() as tx:
            for person_id in dict.fromkeys(person_ids):
                if tx.register.get_person(person_id) is None:
                    raise PersonNotFound(person_id)
                deleted[person_id] = record_leaver(tx, self.user, person_id, leaving_date)
        return deleted


def _plan(tx, year_end: date, renew: set[int]) -> YearEndPreview:
    if year_end != academic_year_end(year_end):
        raise RegisterError(f"Consent runs by academic year, which ends on 31 August, not {format_day(year_end)}.")
    next_end = academic_year_end(year_end + timedelta(days=1))
    people = {p.id: p for p in tx.register.list_people()}
    changes = []
    for person_id, consents in tx.register.all_photo_consents().items():
        person = people[person_id]
        for consent in consents:
            running = consent.status is ConsentStatus.GRANTED and consent.given_on <= year_end and (
                consent.expires_on is None or consent.expires_on >= year_end)
            if not running:
                continue
            if person_id in renew and person.leaving_date is None:
                new_expiry = max(next_end, consent.expires_on or next_end)
                changes.append(YearEndChange(person, consent, YearEndAction.RENEW, new_expiry))
            else:
                note = "has left: not renewed" if person_id in renew else ""
                changes.append(YearEndChange(person, consent, YearEndAction.EXPIRE, year_end, note))
    changes.sort(key=lambda c: (c.action.value, c.person.name.casefold(), c.person.id, c.consent.channel))
    return YearEndPreview(year_end, next_end, changes)
