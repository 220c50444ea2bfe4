"""The register: people, photo consent, biometric consent and reference faces."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import text

from rws_desktop.core.kernel.consent import (
    ALL_CHANNELS,
    BiometricConsent,
    ConsentStatus,
    Person,
    PersonKind,
    PhotoConsent,
)
from rws_desktop.core.kernel.ports import BiometricConsentRequired, NewPerson, PersonNotFound, RegisterError

TODAY = date(2025, 3, 14)
SOURCE_SHA = "ab" * 32


def encoding(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=128)


def add(database, new_person: NewPerson, biometric: dict | None = None) -> Person:
    with database.transaction() as tx:
        person = tx.register.add_person(new_person)
        if biometric is not None:
            tx.register.put_biometric_consent(BiometricConsent(person.id, **biometric))
    return person


def test_person_round_trip(database):
    """Every field of a new person comes back unchanged, as the core's frozen Person."""
    new = NewPerson(
        name="Mary Anning", kind=PersonKind.PUPIL, mis_id="UPN-001", year_group=7, form="7R",
        date_of_birth=date(2013, 5, 21), leaving_date=date(2030, 7, 20),
    )
    person = add(database, new)
    with database.transaction() as tx:
        for found in (tx.register.get_person(person.id), tx.register.find_person_by_mis_id("UPN-001")):
            assert found == Person(person.id, "Mary Anning", PersonKind.PUPIL, "UPN-001", 7, "7R",
                                   date(2013, 5, 21), date(2030, 7, 20))
        assert tx.register.get_person(person.id + 1000) is None
        assert tx.register.find_person_by_mis_id("UPN-404") is None


def test_people_are_listed_by_name_and_can_leave(database):
    """list_people sorts by name; set_leaving_date records and clears a leaving date."""
    zoe = add(database, NewPerson("Zoe Staff", kind=PersonKind.STAFF))
    add(database, NewPerson("Alan Pupil"))
    with database.transaction() as tx:
        assert [p.name for p in tx.register.list_people()] == ["Alan Pupil", "Zoe Staff"]
        assert tx.register.set_leaving_date(zoe.id, date(2025, 7, 18)).leaving_date == date(2025, 7, 18)
    with database.transaction() as tx:
        assert tx.register.get_person(zoe.id).leaving_date == date(2025, 7, 18)
        assert tx.register.set_leaving_date(zoe.id, None).leaving_date is None


def test_register_refusals_are_plain(database):
    """A duplicate MIS id, a blank name or an unknown person id are refused with RegisterError."""
    add(database, NewPerson("Mary Anning", mis_id="UPN-001"))
    with pytest.raises(RegisterError, match="Mary Anning already has the MIS id UPN-001"):
        with database.transaction() as tx:
            tx.register.add_person(NewPerson("Someone Else", mis_id="UPN-001"))
    with pytest.raises(RegisterError, match="needs a name"):
        with database.transaction() as tx:
            tx.register.add_person(NewPerson("   "))
    with pytest.raises(PersonNotFound, match="no person 999"):
        with database.transaction() as tx:
            tx.register.set_leaving_date(999, TODAY)
    with pytest.raises(PersonNotFound):
        with database.transaction() as tx:
            tx.register.put_photo_consent(PhotoConsent(999, ALL_CHANNELS, ConsentStatus.GRANTED, TODAY))


def test_photo_consent_round_trip_and_replacement(database):
    """put_photo_consent keeps one current record per person and channel, replacing it when put again."""
    ada = add(database, NewPerson("Ada"))
    bob = add(database, NewPerson("Bob"))
    granted_all = PhotoConsent(ada.id, ALL_CHANNELS, ConsentStatus.GRANTED, date(2024, 9, 1),
                               expires_on=date(2025, 8, 31), given_by="Mrs Lovelace", may_be_named=True)
    refused_x = PhotoConsent(ada.id, "x", ConsentStatus.REFUSED, date(2024, 9, 2), given_by="Mrs Lovelace")
    with database.transaction() as tx:
        tx.register.put_photo_consent(granted_all)
        tx.register.put_photo_consent(refused_x)
        tx.register.put_photo_consent(PhotoConsent(bob.id, "facebook", ConsentStatus.GRANTED, TODAY))
        assert tx.register.photo_consents(ada.id) == [granted_all, refused_x]
    withdrawn_all = PhotoConsent(ada.id, ALL_CHANNELS, ConsentStatus.WITHDRAWN, TODAY, given_by="Mr Lovelace")
    with database.transaction() as tx:
        tx.register.put_photo_consent(withdrawn_all)
        # Read back in the same transaction, so the replacement must be visible at once.
        assert tx.register.photo_consents(ada.id) == [withdrawn_all, refused_x]
    with database.transaction() as tx:
        everyone = tx.register.all_photo_consents()
    assert everyone == {
        ada.id: [withdrawn_all, refused_x],
        bob.id: [PhotoConsent(bob.id, "facebook", ConsentStatus.GRANTED, TODAY)],
    }
    assert isinstance(everyone[ada.id][0].status, ConsentStatus)


def test_biometric_consent_round_trip_and_replacement(database):
    """Biometric answers, including 'not recorded' (None), come back as stored; putting again replaces them."""
    pupil = add(database, NewPerson("Ada"))
    with database.transaction() as tx:
        assert tx.register.biometric_consent(pupil.id) is None
        tx.register.put_biometric_consent(BiometricConsent(pupil.id, parent_consent=True, pupil_objection=False))
        assert tx.register.biometric_consent(pupil.id) == BiometricConsent(
            pupil.id, parent_consent=True, parent_objection=None, pupil_objection=False, adult_consent=None
        )
        tx.register.put_biometric_consent(BiometricConsent(pupil.id, parent_objection=True))
    with database.transaction() as tx:
        assert tx.register.biometric_consent(pupil.id) == BiometricConsent(pupil.id, parent_objection=True)


def test_reference_face_allowed_with_parent_consent(database):
    """A pupil with written parental consent and no objection may have reference faces, and they round-trip."""
    pupil = add(database, NewPerson("Ada", date_of_birth=date(2013, 1, 1)), {"parent_consent": True})
    first, second = encoding(1), encoding(2)
    with database.transaction() as tx:
        ids = [tx.register.add_reference_face(pupil.id, vector, SOURCE_SHA, TODAY) for vector in (first, second)]
    assert len(set(ids)) == 2
    with database.transaction() as tx:
        assert tx.register.count_reference_faces(pupil.id) == 2
        stored = tx.register.reference_encodings()
    assert list(stored) == [pupil.id]
    for original, loaded in zip((first, second), stored[pupil.id], strict=True):
        assert loaded.dtype == np.float64 and loaded.shape == (128,)
        np.testing.assert_array_equal(loaded, original)


@pytest.mark.parametrize(
    ("new_person", "biometric", "reason"),
    [
        pytest.param(NewPerson("Pupil With Objection", date_of_birth=date(2013, 1, 1)),
                     {"parent_consent": True, "parent_objection": True}, "a parent objects",
                     id="pupil-parent-objection"),
        pytest.param(NewPerson("Staff Without Consent", kind=PersonKind.STAFF),
                     {"parent_consent": True}, "no consent from the person themself",
                     id="adult-staff-without-adult-consent"),
        pytest.param(NewPerson("Leaver", leaving_date=date(2025, 2, 1)),
                     {"parent_consent": True}, "has left the school", id="leaver"),
        pytest.param(NewPerson("Nothing Recorded"), None, "no biometric consent recorded", id="no-consent"),
        pytest.param(NewPerson("Objecting Pupil"), {"parent_consent": True, "pupil_objection": True},
                     "the pupil objects", id="pupil-objection"),
    ],
)
def test_reference_face_refused_without_valid_biometric_consent(database, new_person, biometric, reason):
    """Storage itself refuses to keep a reference face unless biometric consent is valid today, saying why."""
    person = add(database, new_person, biometric)
    with pytest.raises(BiometricConsentRequired, match=reason) as refusal:
        with database.transaction() as tx:
            tx.register.add_reference_face(person.id, encoding(3), SOURCE_SHA, TODAY)
    assert new_person.name in str(refusal.value)
    with database.transaction() as tx:
        assert tx.register.count_reference_faces(person.id) == 0
        assert tx.register.reference_encodings() == {}


def test_adult_staff_with_own_consent_may_have_reference_faces(database):
    """Staff who consented themselves may be recognised."""
    staff = add(database, NewPerson("Teacher", kind=PersonKind.STAFF), {"adult_consent": True})
    with database.transaction() as tx:
        tx.register.add_reference_face(staff.id, encoding(4), SOURCE_SHA, TODAY)
        assert tx.register.count_reference_faces(staff.id) == 1


def test_malformed_encodings_are_refused(database):
    """Only 128 finite numbers and a 64-digit SHA-256 are stored."""
    pupil = add(database, NewPerson("Ada"), {"parent_consent": True})
    bad_calls = [
        (np.zeros(127), SOURCE_SHA),
        (np.full(128, np.nan), SOURCE_SHA),
        (encoding(5), "not-a-hash"),
    ]
    for vector, sha in bad_calls:
        with pytest.raises(ValueError):
            with database.transaction() as tx:
                tx.register.add_reference_face(pupil.id, vector, sha, TODAY)


def test_deleting_reference_faces(database):
    """delete_reference_faces removes only that person's faces and says how many went."""
    ada = add(database, NewPerson("Ada"), {"parent_consent": True})
    bob = add(database, NewPerson("Bob"), {"parent_consent": True})
    with database.transaction() as tx:
        for seed in range(3):
            tx.register.add_reference_face(ada.id, encoding(seed), SOURCE_SHA, TODAY)
        tx.register.add_reference_face(bob.id, encoding(9), SOURCE_SHA, TODAY)
    with database.transaction() as tx:
        assert tx.register.delete_reference_faces(ada.id) == 3
        assert tx.register.delete_reference_faces(ada.id) == 0
    with database.transaction() as tx:
        assert tx.register.count_reference_faces(ada.id) == 0
        assert list(tx.register.reference_encodings()) == [bob.id]


def test_removing_a_person_removes_their_consents_and_faces(database):
    """Foreign keys are enforced with ON DELETE CASCADE, so nothing about a removed person is left behind."""
    ada = add(database, NewPerson("Ada"), {"parent_consent": True})
    with database.transaction() as tx:
        tx.register.put_photo_consent(PhotoConsent(ada.id, ALL_CHANNELS, ConsentStatus.GRANTED, TODAY))
        tx.register.add_reference_face(ada.id, encoding(1), SOURCE_SHA, TODAY)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM person WHERE id = :id"), {"id": ada.id})
        for table in ("photo_consent", "biometric_consent", "reference_face"):
            assert connection.scalar(text(f"SELECT COUNT(*) FROM {table}")) == 0


def test_update_person_overwrites_every_field_and_guards_the_mis_id(database):
    """update_person stores every field; a blank name or another person's MIS id is refused and nothing changes."""
    ada = add(database, NewPerson("Ada", mis_id="UPN-001", year_group=7, form="7R"))
    add(database, NewPerson("Bob", mis_id="UPN-002"))
    changed = Person(ada.id, "Ada Byron", PersonKind.STAFF, "UPN-003", None, "STAFF", date(1990, 1, 2), date(2031, 7, 1))
    with database.transaction() as tx:
        assert tx.register.update_person(changed) == changed
    with database.transaction() as tx:
        assert tx.register.get_person(ada.id) == changed
        assert tx.register.find_person_by_mis_id("UPN-001") is None
    with pytest.raises(RegisterError, match="Bob already has the MIS id UPN-002"):
        with database.transaction() as tx:
            tx.register.update_person(Person(ada.id, "Ada", mis_id="UPN-002"))
    with pytest.raises(RegisterError, match="needs a name"):
        with database.transaction() as tx:
            tx.register.update_person(Person(ada.id, "  "))
    with pytest.raises(PersonNotFound):
        with database.transaction() as tx:
            tx.register.update_person(Person(999, "Nobody"))
    with database.transaction() as tx:
        assert tx.register.get_person(ada.id) == changed


def test_all_biometric_consents_by_person(database):
    """all_biometric_consents returns each recorded person's answers and leaves out people with none."""
    ada = add(database, NewPerson("Ada"), {"parent_consent": True})
    add(database, NewPerson("Bob"))
    with database.transaction() as tx:
        assert tx.register.all_biometric_consents() == {ada.id: BiometricConsent(ada.id, parent_consent=True)}


def test_reference_faces_keep_their_thumbnails_and_go_one_at_a_time(database):
    """Thumbnails round-trip with their faces; delete_reference_face removes just one and names its person."""
    ada = add(database, NewPerson("Ada"), {"parent_consent": True})
    bob = add(database, NewPerson("Bob"), {"parent_consent": True})
    with database.transaction() as tx:
        first = tx.register.add_reference_face(ada.id, encoding(1), SOURCE_SHA, TODAY, b"\xff\xd8first")
        second = tx.register.add_reference_face(ada.id, encoding(2), "cd" * 32, TODAY)
        tx.register.add_reference_face(bob.id, encoding(3), SOURCE_SHA, TODAY, b"\xff\xd8bob")
    with database.transaction() as tx:
        faces = tx.register.reference_faces(ada.id)
        assert [(f.id, f.source_sha256, f.thumbnail_jpeg) for f in faces] == [
            (first, SOURCE_SHA, b"\xff\xd8first"), (second, "cd" * 32, None)
        ]
        assert all(f.person_id == ada.id and f.added_at is not None for f in faces)
        assert tx.register.reference_face_counts() == {ada.id: 2, bob.id: 1}
        assert tx.register.delete_reference_face(first) == ada.id
        assert tx.register.delete_reference_face(first) is None
    with database.transaction() as tx:
        assert [f.id for f in tx.register.reference_faces(ada.id)] == [second]
        assert tx.register.reference_face_counts() == {ada.id: 1, bob.id: 1}
