"""The start-up's housekeeping on the real databases: reference faces whose biometric consent has lapsed (or whose
consent or person row was edited outside the app) are deleted and audited, valid ones are kept, and the work is a
fixed number of statements however many people hold faces. On SQLite always, on PostgreSQL when one is given."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date

import numpy as np
import pytest
from sqlalchemy import event, text

from rws_desktop.core.kernel.channels import ChannelCatalogue
from rws_desktop.core.kernel.consent import BiometricConsent
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.core.kernel.session import Session
from rws_desktop.core.register.service import RegisterService
from rws_desktop.paths import channels_file

TODAY = date(2026, 11, 24)
SHA = "cd" * 32


def housekeeping(database) -> RegisterService:
    channels = ChannelCatalogue.from_toml(channels_file())
    return RegisterService(database, channels, Session.housekeeping(database, channels))


def add_pupils(database, count: int, faces: int = 0, consent: bool = True, **details) -> list[int]:
    """`count` pupils of 13 (unless `details` say otherwise), each with parental biometric consent (if `consent`)
    and `faces` reference faces, logged as the register's services log them."""
    rng = np.random.default_rng(count)
    ids = []
    with database.transaction() as tx:
        for _ in range(count):
            person = tx.register.add_person(NewPerson("Pupil", **{"date_of_birth": date(2013, 5, 1), **details}))
            tx.audit.append({"kind": "person_added", "person_id": person.id})
            if consent:
                tx.register.put_biometric_consent(BiometricConsent(person.id, parent_consent=True))
                tx.audit.append({"kind": "biometric_consent_set", "person_id": person.id})
            for _ in range(faces):
                tx.register.add_reference_face(person.id, rng.uniform(-0.2, 0.2, 128), SHA, date(2026, 9, 1))
                tx.audit.append({"kind": "reference_face_added", "person_id": person.id})
            ids.append(person.id)
    return ids


def face_counts(database) -> dict[int, int]:
    with database.snapshot() as tx:
        return tx.register.reference_face_counts()


def logged(database, kind: str) -> list[dict]:
    with database.snapshot() as tx:
        return [entry for entry in (json.loads(r.content_json) for r in tx.audit.records()) if entry["kind"] == kind]


@contextmanager
def counted_statements(database):
    """The SQL statements the database is sent inside the block (BEGIN and the pragmas included)."""
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def test_lapsed_faces_are_deleted_and_audited_and_valid_ones_kept(database):
    """An 18-year-old with only a parent's consent and a leaver lose their faces, each with one audit entry naming
    the count; a 13-year-old with consent and a pupil without faces are untouched; a second run deletes nothing."""
    (valid,) = add_pupils(database, 1, faces=2)
    (adult,) = add_pupils(database, 1, faces=2, date_of_birth=date(2008, 11, 20))
    (leaver,) = add_pupils(database, 1, faces=1, leaving_date=date(2026, 10, 31))
    add_pupils(database, 1)
    assert housekeeping(database).purge_lapsed_reference_faces(TODAY) == {adult: 2, leaver: 1}
    assert face_counts(database) == {valid: 2}
    entries = logged(database, "reference_faces_deleted")
    assert [(e["person_id"], e["reference_faces_deleted"], e["reason"], e["user"]) for e in entries] == [
        (adult, 2, "biometric consent lapsed", "system"), (leaver, 1, "biometric consent lapsed", "system")]
    assert housekeeping(database).purge_lapsed_reference_faces(TODAY) == {}
    assert len(logged(database, "reference_faces_deleted")) == 2


@pytest.mark.parametrize("edit", [
    "UPDATE biometric_consent SET recorded_on = '2026-01-02' WHERE person_id = :p",
    "UPDATE person SET name = 'Pupil B' WHERE id = :p",
], ids=["consent-row-edited", "person-row-edited"])
def test_faces_resting_on_a_row_edited_outside_the_app_are_deleted(database, edit):
    """A consent row, or the person's own row, changed in raw SQL (in a column the verdict does not read, so only the
    seal can tell) fails its seal: the person counts as having no biometric consent, so the housekeeping deletes
    their faces and audits it, while an untouched pupil keeps theirs."""
    kept, edited = add_pupils(database, 2, faces=1)
    with database.engine.begin() as connection:
        connection.execute(text(edit), {"p": edited})
    with database.snapshot() as tx:
        holders = {holder.person.id: holder.consent for holder in tx.register.reference_face_holders()}
    assert holders == {kept: BiometricConsent(kept, parent_consent=True), edited: None}
    assert housekeeping(database).purge_lapsed_reference_faces(TODAY) == {edited: 1}
    assert face_counts(database) == {kept: 1}
    assert [e["person_id"] for e in logged(database, "reference_faces_deleted")] == [edited]


def test_face_holders_come_back_with_their_consent_and_nobody_else(database):
    """reference_face_holders lists each person holding a face once, by id, with their biometric consent (None when
    none is recorded); people without faces, with or without consent, are left out."""
    with_consent = add_pupils(database, 2, faces=2)
    add_pupils(database, 3)
    (without_consent,) = add_pupils(database, 1, consent=False)
    with database.transaction() as tx:  # a face kept from when a consent was recorded, as an older version could
        tx.register.put_biometric_consent(BiometricConsent(without_consent, parent_consent=True))
        tx.register.add_reference_face(without_consent, np.zeros(128), SHA, TODAY)
        tx.audit.append({"kind": "reference_face_added", "person_id": without_consent})
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM biometric_consent WHERE person_id = :p"), {"p": without_consent})
    with database.snapshot() as tx:
        holders = tx.register.reference_face_holders()
    assert [(h.person.id, h.person.name, h.consent) for h in holders] == [
        *[(p, "Pupil", BiometricConsent(p, parent_consent=True)) for p in with_consent], (without_consent, "Pupil", None)]


def test_the_housekeeping_sends_as_many_statements_for_80_holders_as_for_4(database):
    """However many people hold reference faces (and however many do not), the housekeeping that deletes nothing
    sends the same few statements: it no longer reads each person on their own."""
    add_pupils(database, 4, faces=1)
    with counted_statements(database) as few:
        assert housekeeping(database).purge_lapsed_reference_faces(TODAY) == {}
    add_pupils(database, 76, faces=1)
    add_pupils(database, 120, consent=False)
    with counted_statements(database) as many:
        assert housekeeping(database).purge_lapsed_reference_faces(TODAY) == {}
    assert len(face_counts(database)) == 80
    assert len(many) == len(few) <= 4, many


def test_with_nobody_holding_faces_the_housekeeping_reads_once(database):
    """A register where nobody holds a reference face: one statement reads that, and nothing is deleted or logged."""
    add_pupils(database, 50)
    with counted_statements(database) as statements:
        assert housekeeping(database).purge_lapsed_reference_faces(TODAY) == {}
    assert sum(statement.lstrip().upper().startswith("SELECT") for statement in statements) == 1, statements
    assert logged(database, "reference_faces_deleted") == []
