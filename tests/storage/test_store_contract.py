"""The in-memory Store that domain tests use (tests/memory_store.py) behaves as the real stores do for
everything the core relies on: each test here runs against it, SQLite, and PostgreSQL where one is given."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from memory_store import MemoryStore
from rws_desktop.core.kernel.audit_chain import verify_chain
from rws_desktop.core.kernel.audit_index import AuditQuery
from rws_desktop.core.kernel.audit_seal import LogKey, log_key_id
from rws_desktop.core.kernel.consent import BiometricConsent, ConsentStatus, PhotoConsent
from rws_desktop.core.kernel.ports import BiometricConsentRequired, NewPerson, PersonNotFound, RegisterError

TODAY = date(2026, 12, 1)
SHA = "ab" * 32


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request):
    if request.param == "memory":
        return MemoryStore(LogKey(LogKey.new_secret(), log_key_id("testkey")))
    return request.getfixturevalue(f"{request.param}_database")


def _encoding(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-0.2, 0.2, 128)


def test_people_are_listed_by_name_and_found_by_mis_id(store):
    """People come back by name; a MIS id finds its person; unknown ids find nobody."""
    with store.transaction() as tx:
        zoe = tx.register.add_person(NewPerson("  Zoe Adams ", mis_id="M2", year_group=9))
        amy = tx.register.add_person(NewPerson("Amy Brown", mis_id="M1"))
    with store.snapshot() as tx:
        assert [p.name for p in tx.register.list_people()] == ["Amy Brown", "Zoe Adams"]
        assert tx.register.find_person_by_mis_id("M2") == zoe and zoe.year_group == 9
        assert tx.register.get_person(amy.id) == amy and tx.register.get_person(9999) is None
        assert tx.register.person_names() == {zoe.id: "Zoe Adams", amy.id: "Amy Brown"}


def test_a_name_is_required_and_a_mis_id_belongs_to_one_person(store):
    """A blank name and a second person with the same MIS id are refused in plain words."""
    with store.transaction() as tx:
        first = tx.register.add_person(NewPerson("Amy Brown", mis_id="M1"))
    for refused in (NewPerson("   "), NewPerson("Other", mis_id="M1")):
        with pytest.raises(RegisterError):
            with store.transaction() as tx:
                tx.register.add_person(refused)
    with store.transaction() as tx:
        other = tx.register.add_person(NewPerson("Other"))
        with pytest.raises(RegisterError, match="already has the MIS id"):
            tx.register.update_person(replace(other, mis_id="M1"))
        assert tx.register.set_leaving_date(first.id, TODAY).leaving_date == TODAY


def test_a_failed_transaction_changes_nothing(store):
    """An error inside a transaction leaves neither the person nor the log entry behind."""
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.register.add_person(NewPerson("Amy Brown"))
            tx.audit.append({"kind": "person_added", "at": "2026-12-01T10:00:00Z"})
            raise RuntimeError("stop")
    with store.snapshot() as tx:
        assert tx.register.list_people() == [] and tx.audit.head() is None


def test_photo_consent_is_one_record_per_person_and_channel(store):
    """Putting consent again for the same channel replaces it; consents come back by channel."""
    with store.transaction() as tx:
        person = tx.register.add_person(NewPerson("Amy Brown"))
        for channel, status in (("instagram", ConsentStatus.GRANTED), ("all", ConsentStatus.REFUSED),
                                ("instagram", ConsentStatus.WITHDRAWN)):
            tx.register.put_photo_consent(PhotoConsent(person.id, channel, status, TODAY, None, "parent", True))
        with pytest.raises(PersonNotFound):
            tx.register.put_photo_consent(PhotoConsent(9999, "all", ConsentStatus.GRANTED, TODAY, None, "x"))
    with store.snapshot() as tx:
        consents = tx.register.photo_consents(person.id)
        assert [(c.channel, c.status) for c in consents] == [("all", ConsentStatus.REFUSED),
                                                              ("instagram", ConsentStatus.WITHDRAWN)]
        assert tx.register.all_photo_consents() == {person.id: consents}


def test_reference_faces_need_biometric_consent_and_come_back_whole(store):
    """No face is kept without valid biometric consent; a kept one returns its exact encoding and thumbnail."""
    with store.transaction() as tx:
        person = tx.register.add_person(NewPerson("Amy Brown", year_group=7))
        with pytest.raises(BiometricConsentRequired):
            tx.register.add_reference_face(person.id, _encoding(1), SHA, TODAY)
        tx.register.put_biometric_consent(BiometricConsent(person.id, parent_consent=True))
        first = tx.register.add_reference_face(person.id, _encoding(1), SHA, TODAY, b"jpeg")
        tx.register.add_reference_face(person.id, _encoding(2), SHA, TODAY)
    with store.snapshot() as tx:
        assert tx.register.count_reference_faces(person.id) == 2
        assert tx.register.reference_face_counts() == {person.id: 2}
        faces = tx.register.reference_faces(person.id)
        assert [f.id for f in faces][0] == first and faces[0].thumbnail_jpeg == b"jpeg"
        encodings = tx.register.reference_encodings()[person.id]
        assert np.array_equal(encodings[0], _encoding(1)) and np.array_equal(encodings[1], _encoding(2))
    with store.transaction() as tx:
        assert tx.register.delete_reference_face(first) == person.id
        assert tx.register.delete_reference_face(first) is None
        assert tx.register.delete_reference_faces(person.id) == 1


def test_face_holders_are_listed_once_by_id_with_their_biometric_consent(store):
    """reference_face_holders names each person holding faces once, by id, with their consent; the rest are left out."""
    with store.transaction() as tx:
        second, first, bare = (tx.register.add_person(NewPerson(name, year_group=7)) for name in ("Zoe", "Amy", "Ben"))
        for person in (first, second, bare):
            tx.register.put_biometric_consent(BiometricConsent(person.id, parent_consent=True))
        for person in (first, second, second):
            tx.register.add_reference_face(person.id, _encoding(person.id), SHA, TODAY)
        tx.audit.append({"kind": "reference_face_added", "at": "2026-12-01T10:00:00Z"})
    with store.snapshot() as tx:
        holders = tx.register.reference_face_holders()
    assert [(h.person, h.consent) for h in holders] == sorted(
        [(p, BiometricConsent(p.id, parent_consent=True)) for p in (first, second)], key=lambda pair: pair[0].id)

def test_the_log_is_a_keyed_chain_searchable_by_its_terms(store):
    """Appended entries verify as a keyed chain; searches by kind, person and time, newest first, match."""
    start = datetime(2026, 12, 1, 9, 0)
    with store.transaction() as tx:
        for minute, (kind, person) in enumerate([("person_added", 1), ("photo_vetted", 2), ("photo_vetted", 1)]):
            at = (start + timedelta(minutes=minute)).replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")
            tx.audit.append({"kind": kind, "at": at, "user": "OFF", "person_id": person})
    with store.snapshot() as tx:
        report = verify_chain(tx.audit.records(), tx.audit.head(), store.log_key, tx.audit.head_mac())
        assert report.ok and report.verified_up_to == 3
        assert tx.audit.head()[0] == 3 and tx.audit.get(2).seq == 2 and tx.audit.get(4) is None
        vetted = AuditQuery(kind="photo_vetted")
        assert [r.seq for r in tx.audit.newest(vetted)] == [3, 2] and tx.audit.count(vetted) == 2
        assert [r.seq for r in tx.audit.newest(AuditQuery(), before_seq=3, limit=1)] == [2]
        assert [r.seq for r in tx.audit.matching(AuditQuery(person_id=1))] == [1, 3]
        later = AuditQuery(at_from=start + timedelta(minutes=1), at_before=start + timedelta(minutes=2))
        assert [r.seq for r in tx.audit.matching(later)] == [2]
        assert tx.audit.distinct_values("kind") == ["person_added", "photo_vetted"]
        assert [t.seq for t in tx.audit.indexed_terms()] == [1, 2, 3]
        assert tx.audit.first_sealed().seq == 1
