"""The register service: editing people and consents with plain validation, reference faces, and the audit trail."""
from __future__ import annotations

from datetime import date

import pytest

from register_helpers import audit_entries, give_reference_faces
from rws_desktop.core.kernel.channels import UnknownChannelError
from rws_desktop.core.kernel.consent import (
    ALL_CHANNELS, BIOMETRIC_RULE_ADULT, BIOMETRIC_RULE_CHILD, NOT_RECOGNISABLE, ConsentStatus, FaceConsent, PersonKind,
)
from rws_desktop.core.kernel.ports import NewPerson, PersonNotFound, RegisterError

TODAY = date(2026, 11, 24)
GRANTED, REFUSED, WITHDRAWN = ConsentStatus.GRANTED, ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN


@pytest.fixture
def pupil(register):
    return register.add_person(NewPerson("Tilly Marsh", mis_id="A100", year_group=8, form="8W", date_of_birth=date(2013, 4, 2)), TODAY)


@pytest.mark.parametrize("args, message", [
    (dict(status=GRANTED, given_on=date(2026, 9, 1), expires_on=date(2026, 8, 31)),
     r"The expiry date \(31 Aug 2026\) is before the date consent was given \(1 Sep 2026\)\."),
    (dict(status=WITHDRAWN, given_on=None), r"A withdrawal needs the date it was made\."),
    (dict(status=REFUSED, given_on=None), r"A refusal needs the date it was made\."),
    (dict(status=GRANTED, given_on=None), r"Consent needs the date it was given\."),
    (dict(status=WITHDRAWN, given_on=TODAY, expires_on=date(2027, 8, 31)),
     r"A withdrawal does not expire: leave the expiry date empty\."),
    (dict(status=REFUSED, given_on=TODAY, may_be_named=True), r"Permission to name someone cannot go with a refusal\."),
    (dict(status=GRANTED, given_on=TODAY, given_by="x" * 201), r"'Given by' can be at most 200 characters\."),
], ids=["expiry-before-given", "withdrawal-without-date", "refusal-without-date", "grant-without-date",
        "withdrawal-with-expiry", "refusal-with-name-permission", "given-by-too-long"])
def test_invalid_consent_edits_are_refused_in_plain_words_and_change_nothing(register, store, pupil, args, message):
    """Each validation rule refuses the edit with its own sentence; no record and no audit entry is written."""
    entries_before = len(audit_entries(store))
    with pytest.raises(RegisterError, match=message):
        register.set_photo_consent(pupil.id, "instagram", **args)
    with store.transaction() as tx:
        assert tx.register.photo_consents(pupil.id) == []
    assert len(audit_entries(store)) == entries_before


def test_consent_for_an_unknown_channel_or_person_is_refused(register, pupil):
    """A channel key that is not in the policy, or a person not in the register, is refused."""
    with pytest.raises(UnknownChannelError, match="no channel 'tiktok'"):
        register.set_photo_consent(pupil.id, "tiktok", GRANTED, TODAY)
    with pytest.raises(PersonNotFound):
        register.set_photo_consent(999, ALL_CHANNELS, GRANTED, TODAY)


def test_valid_edits_are_stored_and_audited_without_names(register, store, pupil):
    """A grant gets the year-end expiry by default; a withdrawal replaces it; both are audit entries naming ids only."""
    grant = register.set_photo_consent(pupil.id, "instagram", GRANTED, date(2026, 9, 3), given_by="Mrs Marsh", may_be_named=True)
    assert grant.expires_on == date(2027, 8, 31) and grant.given_by == "Mrs Marsh"
    register.set_photo_consent(pupil.id, "instagram", WITHDRAWN, TODAY, given_by="Mrs Marsh")
    with store.transaction() as tx:
        (stored,) = tx.register.photo_consents(pupil.id)
    assert stored.status is WITHDRAWN and stored.given_on == TODAY and stored.expires_on is None
    entries = [e for e in audit_entries(store) if e["kind"] == "photo_consent_set"]
    assert [(e["person_id"], e["channel"], e["status"]) for e in entries] == [
        (pupil.id, "instagram", "granted"), (pupil.id, "instagram", "withdrawn")
    ]
    assert "Marsh" not in str(audit_entries(store))


@pytest.mark.parametrize("details, message", [
    (NewPerson("  "), "needs a name"),
    (NewPerson("Tilly Marsh", year_group=5), r"Year 5 is not a year group at this school \(Years 7 to 13\)\."),
    (NewPerson("Tilly Marsh", date_of_birth=date(2027, 1, 1)), r"The date of birth 1 Jan 2027 is in the future\."),
    (NewPerson("Tilly Marsh", form="F" * 33), "A form can be at most 32 characters"),
], ids=["blank-name", "unknown-year", "future-birthday", "long-form"])
def test_invalid_person_details_are_refused(register, pupil, details, message):
    """Adding or updating a person with details the register cannot hold is refused with the reason."""
    with pytest.raises(RegisterError, match=message):
        register.update_person(pupil.id, details, TODAY)
    with pytest.raises(RegisterError, match=message):
        register.add_person(details, TODAY)
    assert register.person(pupil.id) == pupil


def test_update_person_records_which_fields_changed(register, store, pupil):
    """An update stores the new details and audits the names of the fields changed, not their values; no change, no entry."""
    updated = register.update_person(pupil.id, NewPerson("Tilly Marsh-Green", mis_id="A100", year_group=9, form="9W",
                                                         date_of_birth=date(2013, 4, 2)), TODAY)
    assert register.person(pupil.id) == updated and updated.year_group == 9
    register.update_person(pupil.id, NewPerson("Tilly Marsh-Green", mis_id="A100", year_group=9, form="9W",
                                               date_of_birth=date(2013, 4, 2)), TODAY)
    updates = [e for e in audit_entries(store) if e["kind"] == "person_updated"]
    assert [e["changed"] for e in updates] == [["name", "year_group", "form"]]
    assert "Green" not in str(audit_entries(store))


def test_setting_a_leaving_date_deletes_reference_faces(register, store, pupil):
    """An update that gives a leaving date deletes the reference faces and their thumbnails in the same change."""
    give_reference_faces(store, pupil.id, 2, TODAY)
    register.update_person(pupil.id, NewPerson("Tilly Marsh", mis_id="A100", year_group=8, form="8W",
                                               date_of_birth=date(2013, 4, 2), leaving_date=date(2027, 7, 20)), TODAY)
    assert register.reference_faces(pupil.id) == []
    (entry,) = [e for e in audit_entries(store) if e["kind"] == "person_updated"]
    assert entry["changed"] == ["leaving_date"] and entry["reference_faces_deleted"] == 2


def test_removing_one_reference_face_is_audited(register, store, pupil):
    """remove_reference_face deletes just that face and its thumbnail and logs it; an unknown id is refused."""
    first, second = give_reference_faces(store, pupil.id, 2, TODAY)
    assert register.remove_reference_face(first) == pupil.id
    assert [f.id for f in register.reference_faces(pupil.id)] == [second]
    assert audit_entries(store)[-1] | {"at": None} == {
        "kind": "reference_face_removed", "at": None, "user": "OFF", "person_id": pupil.id, "reference_id": first,
    }
    with pytest.raises(RegisterError, match=f"no reference face {first}"):
        register.remove_reference_face(first)


def test_reference_faces_go_when_consent_lapses_by_date(register, store):
    """A pupil who turns 18 with only a parent's consent loses their reference faces at the next purge; others keep theirs."""
    turning_18 = register.add_person(NewPerson("Ravi Hale", date_of_birth=date(2008, 11, 20)), TODAY)
    younger = register.add_person(NewPerson("Ivy Hale", date_of_birth=date(2012, 1, 5)), TODAY)
    for person in (turning_18, younger):
        register.set_biometric_consent(person.id, date(2026, 9, 1), parent_consent=True)
    with store.transaction() as tx:
        tx.register.add_reference_face(turning_18.id, [0.1] * 128, "cd" * 32, date(2026, 9, 1), b"\xff\xd8x")
        tx.register.add_reference_face(younger.id, [0.2] * 128, "cd" * 32, date(2026, 9, 1), b"\xff\xd8y")
    assert register.purge_lapsed_reference_faces(TODAY) == {turning_18.id: 1}
    assert register.reference_faces(turning_18.id) == [] and len(register.reference_faces(younger.id)) == 1
    assert register.purge_lapsed_reference_faces(TODAY) == {}
    assert audit_entries(store)[-1]["reason"] == "biometric consent lapsed"


def test_person_details_spell_out_the_biometric_rule_and_consent_per_channel(register, pupil, channels):
    """The panel data names the Act's rule for a child or an adult, what follows, and each channel's state."""
    register.set_photo_consent(pupil.id, ALL_CHANNELS, GRANTED, date(2026, 9, 1))
    register.set_photo_consent(pupil.id, "whatsapp", REFUSED, date(2026, 9, 2))
    details = register.person_details(pupil.id, TODAY)
    assert details.biometric_rule == BIOMETRIC_RULE_CHILD
    assert details.recognition == f"{NOT_RECOGNISABLE} (no biometric consent recorded)"
    assert [line.channel for line in details.channels] == [ALL_CHANNELS, *channels.keys()]
    by_channel = {line.channel: line for line in details.channels}
    assert by_channel[ALL_CHANNELS].record.status is GRANTED and by_channel[ALL_CHANNELS].decision is None
    assert by_channel["whatsapp"].decision.consent is FaceConsent.REFUSED
    assert by_channel["instagram"].decision.consent is FaceConsent.GRANTED and by_channel["instagram"].record is None
    teacher = register.add_person(NewPerson("Mr Okafor", kind=PersonKind.STAFF), TODAY)
    register.set_biometric_consent(teacher.id, TODAY, adult_consent=True)
    staff_details = register.person_details(teacher.id, TODAY)
    assert staff_details.biometric_rule == BIOMETRIC_RULE_ADULT
    assert staff_details.recognition.startswith("can be recognised")


def test_find_person_by_register_id_or_mis_id(register, pupil):
    """The command line names a person by register id or MIS id; a number meaning two different people is refused."""
    assert register.find_person(str(pupil.id)) == pupil
    assert register.find_person("A100") == pupil
    other = register.add_person(NewPerson("Noah Pike", mis_id=str(pupil.id)), TODAY)
    with pytest.raises(RegisterError, match="give the register id"):
        register.find_person(str(pupil.id))
    assert register.find_person(str(other.id)) == other
    with pytest.raises(PersonNotFound):
        register.find_person("Z999")
