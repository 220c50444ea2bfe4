"""The consent rules decide who may be shown and who may be recognised."""
from datetime import date

import pytest

from rws_desktop.core.kernel.consent import (
    ALL_CHANNELS, BiometricConsent, ConsentStatus, FaceConsent, Person, PersonKind, PhotoConsent,
    academic_year_end, biometric_verdict, show_decision,
)

TODAY = date(2026, 11, 24)
PUPIL = Person(id=1, name="Pupil", kind=PersonKind.PUPIL, date_of_birth=date(2012, 5, 1))


def grant(channel, given=date(2026, 9, 1), expires=date(2027, 8, 31), named=False):
    return PhotoConsent(1, channel, ConsentStatus.GRANTED, given, expires, "parent", named)


def status(channel, value, given=date(2026, 10, 3)):
    return PhotoConsent(1, channel, value, given)


@pytest.mark.parametrize("given, expected", [
    (date(2026, 9, 1), date(2027, 8, 31)),
    (date(2026, 11, 24), date(2027, 8, 31)),
    (date(2027, 3, 1), date(2027, 8, 31)),
    (date(2027, 8, 31), date(2027, 8, 31)),
])
def test_default_expiry_is_31_august_ending_the_academic_year(given, expected):
    """Academic years run September to August, so consent lapses on the 31 August that ends the year."""
    assert academic_year_end(given) == expected


def test_active_channel_grant_shows_the_face():
    """A current grant for this exact channel is the only thing that shows a face."""
    decision = show_decision(PUPIL, [grant("instagram")], "instagram", TODAY)
    assert decision.visible and decision.consent is FaceConsent.GRANTED


def test_all_channels_grant_covers_any_channel():
    """A grant for all channels shows the face on every channel."""
    assert show_decision(PUPIL, [grant(ALL_CHANNELS)], "sport-x", TODAY).visible


def test_grant_for_another_channel_does_not_show():
    """Consent is per channel: an Instagram grant says nothing about WhatsApp."""
    decision = show_decision(PUPIL, [grant("instagram")], "whatsapp", TODAY)
    assert not decision.visible
    assert decision.consent is FaceConsent.NO_CONSENT
    assert decision.reason == "no consent for this channel"


def test_channel_refusal_beats_all_channels_grant():
    """A channel-specific refusal wins over a grant for all channels."""
    decision = show_decision(PUPIL, [grant(ALL_CHANNELS), status("instagram", ConsentStatus.REFUSED)], "instagram", TODAY)
    assert not decision.visible and decision.consent is FaceConsent.REFUSED
    assert show_decision(PUPIL, [grant(ALL_CHANNELS), status("instagram", ConsentStatus.REFUSED)], "whatsapp", TODAY).visible


def test_all_channels_withdrawal_beats_channel_grant():
    """Withdrawing consent for all channels hides the person even where a channel grant remains."""
    decision = show_decision(PUPIL, [grant("instagram"), status(ALL_CHANNELS, ConsentStatus.WITHDRAWN)], "instagram", TODAY)
    assert not decision.visible
    assert decision.consent is FaceConsent.WITHDRAWN
    assert decision.reason == "consent withdrawn 3 Oct 2026 for all channels"


def test_expired_grant_hides_the_face():
    """A grant past its expiry date is no consent at all."""
    decision = show_decision(PUPIL, [grant("instagram", given=date(2025, 9, 1), expires=date(2026, 8, 31))], "instagram", TODAY)
    assert not decision.visible
    assert decision.consent is FaceConsent.EXPIRED
    assert decision.reason == "consent expired 31 Aug 2026"


def test_grant_dated_in_the_future_is_not_yet_valid():
    """Consent recorded ahead of its start date does not show the face before then."""
    decision = show_decision(PUPIL, [grant("instagram", given=date(2027, 1, 1))], "instagram", TODAY)
    assert not decision.visible and decision.consent is FaceConsent.NOT_YET_VALID


def test_leaver_is_hidden_whatever_their_consent():
    """Someone who has left the school is blurred even with an active grant."""
    leaver = Person(id=1, name="Leaver", leaving_date=date(2026, 7, 20))
    decision = show_decision(leaver, [grant(ALL_CHANNELS)], "instagram", TODAY)
    assert not decision.visible and decision.consent is FaceConsent.LEFT


def test_naming_permission_is_reported():
    """Whether the person may also be named travels with a grant."""
    assert show_decision(PUPIL, [grant("instagram", named=True)], "instagram", TODAY).may_be_named
    assert not show_decision(PUPIL, [grant("instagram")], "instagram", TODAY).may_be_named


ADULT_PUPIL = Person(id=2, name="Sixth former", date_of_birth=date(2008, 1, 1))
STAFF = Person(id=3, name="Teacher", kind=PersonKind.STAFF)


@pytest.mark.parametrize("person, consent, allowed", [
    (PUPIL, BiometricConsent(1, parent_consent=True), True),
    (PUPIL, BiometricConsent(1, parent_consent=True, parent_objection=True), False),
    (PUPIL, BiometricConsent(1, parent_consent=True, pupil_objection=True), False),
    (PUPIL, BiometricConsent(1, adult_consent=True), False),
    (PUPIL, None, False),
    (Person(id=4, name="No date of birth"), BiometricConsent(4, adult_consent=True), False),
    (ADULT_PUPIL, BiometricConsent(2, adult_consent=True), True),
    (ADULT_PUPIL, BiometricConsent(2, parent_consent=True), False),
    (STAFF, BiometricConsent(3, adult_consent=True), True),
    (STAFF, BiometricConsent(3), False),
    (Person(id=5, name="Left", leaving_date=date(2026, 7, 1)), BiometricConsent(5, parent_consent=True), False),
], ids=["parent-consent", "parent-objects", "pupil-objects", "child-cannot-self-consent", "nothing-recorded",
        "no-dob-treated-as-child", "adult-pupil-self", "adult-pupil-parent-only", "staff-self", "staff-none", "leaver"])
def test_biometric_consent_follows_the_protection_of_freedoms_act(person, consent, allowed):
    """Under-18s need a parent's written consent and no objection from a parent or the pupil; adults consent for themselves."""
    assert biometric_verdict(person, consent, TODAY).allowed is allowed
