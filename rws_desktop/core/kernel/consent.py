"""Consent rules: who may be shown on which channel, and who may be recognised at all.

Photo consent and biometric consent are kept apart (Protection of Freedoms Act 2012):
photo consent decides whether a face may be *shown*; biometric consent decides whether
a person may be *recognised* (have reference faces) in the first place.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

ALL_CHANNELS = "all"
ADULT_AGE = 18
# A secondary school with a sixth form: Years 7 to 13.
YEAR_GROUPS = tuple(range(7, 14))

BIOMETRIC_RULE_CHILD = (
    "Protection of Freedoms Act 2012: a pupil under 18 can be recognised only with a parent's written "
    "consent, no written objection from any parent, and no objection from the pupil."
)
BIOMETRIC_RULE_ADULT = (
    "Protection of Freedoms Act 2012: an adult (staff, or a pupil aged 18 or over) can be recognised only "
    "with their own consent, and not if they object."
)
NOT_RECOGNISABLE = "cannot be recognised: will always be blurred"


class PersonKind(str, Enum):
    PUPIL = "pupil"
    STAFF = "staff"


class ConsentStatus(str, Enum):
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class FaceConsent(str, Enum):
    """The consent state reported for one face."""

    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NO_CONSENT = "no_consent"
    LEFT = "left"
    UNKNOWN_PERSON = "unknown"
    UNCERTAIN_MATCH = "uncertain"


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    kind: PersonKind = PersonKind.PUPIL
    mis_id: str | None = None
    year_group: int | None = None
    form: str | None = None
    date_of_birth: date | None = None
    leaving_date: date | None = None
    # The legal forename, when it differs from the (preferred) forename in `name`: a caption may use either.
    legal_forename: str | None = None

    def has_left(self, today: date) -> bool:
        return self.leaving_date is not None and self.leaving_date <= today

    def is_adult(self, today: date) -> bool:
        """Staff are adults; a pupil is an adult only with a recorded date of birth 18+ years ago."""
        if self.kind is PersonKind.STAFF:
            return True
        if self.date_of_birth is None:
            return False
        return _years_between(self.date_of_birth, today) >= ADULT_AGE


@dataclass(frozen=True)
class PhotoConsent:
    person_id: int
    channel: str  # a channel key, or ALL_CHANNELS
    status: ConsentStatus
    given_on: date
    expires_on: date | None = None
    given_by: str = ""
    may_be_named: bool = False


@dataclass(frozen=True)
class BiometricConsent:
    """Answers recorded for the 2012 Act; None means not recorded (treated as no)."""

    person_id: int
    parent_consent: bool | None = None
    parent_objection: bool | None = None
    pupil_objection: bool | None = None
    adult_consent: bool | None = None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str


@dataclass(frozen=True)
class ShowDecision:
    visible: bool
    consent: FaceConsent
    reason: str
    may_be_named: bool = False


def academic_year_end(day: date) -> date:
    """31 August ending the academic year that `day` falls in (years run September to August)."""
    return date(day.year + 1 if day.month >= 9 else day.year, 8, 31)


def biometric_rule(person: Person, today: date) -> str:
    """The rule of the 2012 Act that applies to this person today, in plain words."""
    return BIOMETRIC_RULE_ADULT if person.is_adult(today) else BIOMETRIC_RULE_CHILD


def biometric_verdict(person: Person, consent: BiometricConsent | None, today: date) -> Verdict:
    """Whether this person may be recognised (hold reference faces) today."""
    if person.has_left(today):
        return Verdict(False, "has left the school")
    if consent is None:
        return Verdict(False, "no biometric consent recorded")
    if consent.pupil_objection:
        return Verdict(False, "the pupil objects to biometric processing")
    if person.is_adult(today):
        if consent.adult_consent:
            return Verdict(True, "adult consented for themself")
        return Verdict(False, "no consent from the person themself")
    if consent.parent_objection:
        return Verdict(False, "a parent objects in writing")
    if consent.parent_consent:
        return Verdict(True, "a parent consented in writing; no objection recorded")
    return Verdict(False, "no written parental consent")


def show_decision(
    person: Person, consents: list[PhotoConsent], channel_key: str, today: date
) -> ShowDecision:
    """Whether an identified person may be shown on a channel.

    A refusal or withdrawal that applies (for this channel or for all channels) always wins,
    so a channel-specific refusal beats an all-channels grant and vice versa.
    """
    if person.has_left(today):
        return ShowDecision(False, FaceConsent.LEFT, f"left the school {format_day(person.leaving_date)}")
    applicable = [c for c in consents if c.channel in (channel_key, ALL_CHANNELS)]
    # The channel-specific record is reported first when both apply.
    applicable.sort(key=lambda c: c.channel == ALL_CHANNELS)
    for record in applicable:
        if record.status is ConsentStatus.REFUSED:
            return ShowDecision(False, FaceConsent.REFUSED, f"consent refused{_scope(record)}")
        if record.status is ConsentStatus.WITHDRAWN:
            return ShowDecision(
                False, FaceConsent.WITHDRAWN, f"consent withdrawn {format_day(record.given_on)}{_scope(record)}"
            )
    grants = [c for c in applicable if c.status is ConsentStatus.GRANTED]
    if not grants:
        return ShowDecision(False, FaceConsent.NO_CONSENT, "no consent for this channel")
    active = [c for c in grants if c.given_on <= today and (c.expires_on is None or today <= c.expires_on)]
    if active:
        return ShowDecision(
            True, FaceConsent.GRANTED, f"consent granted{_scope(active[0])}",
            may_be_named=any(c.may_be_named for c in active),
        )
    future = [c for c in grants if c.given_on > today]
    if future:
        return ShowDecision(False, FaceConsent.NOT_YET_VALID, f"consent starts {format_day(future[0].given_on)}")
    expired = max(grants, key=lambda c: c.expires_on or date.min)
    return ShowDecision(False, FaceConsent.EXPIRED, f"consent expired {format_day(expired.expires_on)}")


def _scope(record: PhotoConsent) -> str:
    return " for all channels" if record.channel == ALL_CHANNELS else " for this channel"


def format_day(value: date | None) -> str:
    """A date as office staff write it: 3 Oct 2026."""
    return f"{value.day} {value:%b %Y}" if value else "(no date)"


def _years_between(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
