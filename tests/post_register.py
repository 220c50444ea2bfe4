"""A register written by the post tests: pupils and staff with every kind of consent a caption meets."""
from __future__ import annotations

from datetime import date

from rws_desktop.core.captions.contacts import SchoolContacts
from rws_desktop.core.clips.verdicts import TrackVerdict
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.kernel.consent import ALL_CHANNELS, ConsentStatus, FaceConsent, PersonKind
from rws_desktop.core.kernel.decisions import Action
from rws_desktop.core.vetting.analysis import FaceReport
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.core.posts.service import PostService
from rws_desktop.core.register.service import RegisterService
from sessions import signed_in

TODAY = date(2026, 12, 1)
GIVEN = date(2026, 9, 1)
CHANNEL = "instagram"
NAMED, SHOWN, REFUSED, NONE = "named", "shown", "refused", "none"
# name, kind, year group, date of birth, consent for every channel
PEOPLE = [
    ("Amelia Khan", PersonKind.PUPIL, 7, date(2014, 3, 12), NAMED),
    ("Siobhán O'Brien", PersonKind.PUPIL, 8, None, SHOWN),
    ("Chloé Dubois", PersonKind.PUPIL, 7, None, NAMED),
    ("Jack Smith", PersonKind.PUPIL, 9, None, NAMED),
    ("Jack Jones", PersonKind.PUPIL, 9, None, SHOWN),
    ("Jack Brown", PersonKind.PUPIL, 10, None, REFUSED),
    ("Will Turner", PersonKind.PUPIL, 10, None, NAMED),
    ("May Li", PersonKind.PUPIL, 7, None, NAMED),
    ("Grace Okafor", PersonKind.PUPIL, 8, None, SHOWN),
    ("Hope Evans", PersonKind.PUPIL, 11, None, NAMED),
    ("Rose Patel", PersonKind.PUPIL, 12, None, REFUSED),
    ("Summer Hughes", PersonKind.PUPIL, 7, None, NONE),
    ("Sarah Khan", PersonKind.STAFF, None, None, NAMED),
    ("Tom Baker", PersonKind.STAFF, None, None, SHOWN),
    ("Leo Grant", PersonKind.PUPIL, 11, None, NAMED),  # left the school before TODAY
    ("Elizabeth (Libby) Ward", PersonKind.PUPIL, 9, None, NAMED),
    ("Daniel van Dijk", PersonKind.PUPIL, 10, None, SHOWN),
    ("Bobby Reid", PersonKind.PUPIL, 8, None, SHOWN),  # legal forename Robert (LEGAL_FORENAMES)
]
LEGAL_FORENAMES = {"Bobby Reid": "Robert"}
CONTACTS = SchoolContacts.of(["01632 960000"], ["office@ravenswood.example"], ["ravenswood.example"], ["BR0 0AA"],
                             ["1 Example Road"])


def write_register(store, channels) -> dict[str, int]:
    """The people above, by name, with their consent recorded through the register service."""
    register = RegisterService(store, channels, signed_in(store, channels, "OFF", Role.OFFICE))
    ids = {}
    for name, kind, year, born, consent in PEOPLE:
        person = register.add_person(NewPerson(name, kind, year_group=year, date_of_birth=born,
                                               legal_forename=LEGAL_FORENAMES.get(name)), today=TODAY)
        ids[name] = person.id
        if consent in (NAMED, SHOWN):
            register.set_photo_consent(person.id, ALL_CHANNELS, ConsentStatus.GRANTED, GIVEN, may_be_named=consent == NAMED)
        elif consent == REFUSED:
            register.set_photo_consent(person.id, ALL_CHANNELS, ConsentStatus.REFUSED, GIVEN)
    register.mark_left(ids["Leo Grant"], date(2026, 11, 30))
    return ids


def post_service(store, channels, initials: str = "MSN", vetting=None) -> PostService:
    """Signed in as comms; MSN administers WhatsApp and Instagram in the policy."""
    return PostService(store, channels, signed_in(store, channels, initials, Role.COMMS), CONTACTS, vetting)


def shown(person_id: int, may_be_named: bool) -> FaceReport:
    """A face identified and shown, as vetting reports it."""
    return FaceReport(Box(10, 10, 60, 60), person_id, 0.3, FaceConsent.GRANTED, Action.SHOWN, "consent granted", may_be_named)


def blurred(person_id: int | None, consent: FaceConsent = FaceConsent.REFUSED) -> FaceReport:
    """A face blurred: identified without consent, or (no id) not recognised."""
    return FaceReport(Box(80, 10, 130, 60), person_id, 0.3 if person_id else None, consent, Action.BLURRED, "consent refused")


def track(person_id: int | None, action: Action, may_be_named: bool = False, track_id: int = 1) -> TrackVerdict:
    """A clip's track as clip vetting decides it: shown (identified, consenting) or blurred."""
    consent = FaceConsent.GRANTED if action is Action.SHOWN else (FaceConsent.REFUSED if person_id else FaceConsent.UNKNOWN_PERSON)
    return TrackVerdict(track_id, 0, 29, 12, Box(10, 10, 60, 60), person_id, 0.3 if person_id else None, 0.32, consent,
                        action, "made by the test", may_be_named, 8)
