"""Consents that expire soon, so the office can send forms home in time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..kernel.consent import ALL_CHANNELS, ConsentStatus, Person, PhotoConsent
from ..kernel.ports import Store

EXPIRING_WITHIN_DAYS = 30


@dataclass(frozen=True)
class ExpiringConsent:
    person: Person
    consent: PhotoConsent
    days_left: int


def expiring_consents(store: Store, today: date, within_days: int = EXPIRING_WITHIN_DAYS) -> list[ExpiringConsent]:
    """Grants in force today that lapse within `within_days` (inclusive), soonest first. Leavers and
    people whose all-channels consent is refused or withdrawn are left out: renewing would change nothing."""
    horizon = today + timedelta(days=within_days)
    with store.transaction() as tx:
        people = {p.id: p for p in tx.register.list_people()}
        consents = tx.register.all_photo_consents()
    found = []
    for person_id, records in consents.items():
        person = people[person_id]
        if person.has_left(today) or any(
            c.channel == ALL_CHANNELS and c.status is not ConsentStatus.GRANTED for c in records
        ):
            continue
        for consent in records:
            if (consent.status is ConsentStatus.GRANTED and consent.given_on <= today
                    and consent.expires_on is not None and today <= consent.expires_on <= horizon):
                found.append(ExpiringConsent(person, consent, (consent.expires_on - today).days))
    return sorted(found, key=lambda e: (e.consent.expires_on, e.person.name.casefold(), e.person.id, e.consent.channel))
