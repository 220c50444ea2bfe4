"""Register rows sealed with the audit-log key: an edit outside the app counts as no consent and is named;
the head and every entry carry MACs; a database from before the seals is keyed on its first start."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text

from rws_desktop.core.keys.service import unlock_keys
from rws_desktop.core.audit.status import check_chain
from rws_desktop.core.kernel.consent import BiometricConsent, ConsentStatus, FaceConsent, PhotoConsent, show_decision
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.keys import MemoryKeyStore
from rws_desktop.storage import open_database

TODAY = date(2026, 10, 1)


def ada_withdrawn(database) -> int:
    """Ada, granted then withdrawn for all channels, each change logged as the services do."""
    with database.transaction() as tx:
        ada = tx.register.add_person(NewPerson("Ada")).id
        tx.audit.append({"kind": "person_added", "person_id": ada})
    for status in (ConsentStatus.GRANTED, ConsentStatus.WITHDRAWN):
        with database.transaction() as tx:
            tx.register.put_photo_consent(PhotoConsent(ada, "all", status, date(2026, 9, 1)))
            tx.register.put_biometric_consent(BiometricConsent(ada, parent_consent=True))
            tx.audit.append({"kind": "photo_consent_set", "person_id": ada, "status": status.value})
    return ada


def test_a_consent_set_back_to_granted_in_the_table_counts_as_none_and_verify_names_it(sqlite_database):
    """Withdrawn consent edited back to granted in raw SQL: reads drop the row (the face would be blurred)
    and the log check names the row, while the app's own rows still verify."""
    ada = ada_withdrawn(sqlite_database)
    with sqlite_database.snapshot() as tx:
        assert check_chain(tx, key=sqlite_database.log_key).ok
        assert [c.status for c in tx.register.photo_consents(ada)] == [ConsentStatus.WITHDRAWN]
    with sqlite_database.engine.begin() as connection:
        connection.execute(text("UPDATE photo_consent SET status = 'granted' WHERE person_id = :p"), {"p": ada})
    with sqlite_database.snapshot() as tx:
        assert tx.register.photo_consents(ada) == [] and tx.register.all_photo_consents() == {}
        person = tx.register.get_person(ada)
        assert show_decision(person, [], "instagram", TODAY).consent is FaceConsent.NO_CONSENT
        status = check_chain(tx, key=sqlite_database.log_key)
    assert not status.ok and status.altered_rows == (f"photo consent of person {ada} for all (seal does not match; last sealed by entry 3)",)


def test_a_person_row_edited_outside_the_app_voids_their_consents_and_biometrics(sqlite_database):
    """Clearing a leaver's leaving date (or any field of their row) in SQL makes all their consent rows untrusted."""
    ada = ada_withdrawn(sqlite_database)
    with sqlite_database.transaction() as tx:
        tx.register.put_photo_consent(PhotoConsent(ada, "instagram", ConsentStatus.GRANTED, date(2026, 9, 1)))
        tx.audit.append({"kind": "photo_consent_set", "person_id": ada})
    with sqlite_database.engine.begin() as connection:
        connection.execute(text("UPDATE person SET name = 'Ada B' WHERE id = :p"), {"p": ada})
    with sqlite_database.snapshot() as tx:
        assert tx.register.photo_consents(ada) == [] and tx.register.biometric_consent(ada) is None
        assert tx.register.all_biometric_consents() == {}
        assert f"person {ada} (Ada B) (seal does not match; last sealed by entry 1)" in check_chain(tx, key=sqlite_database.log_key).altered_rows


def test_a_row_inserted_outside_the_app_is_not_believed(sqlite_database):
    """A consent row inserted with no seal is ignored and named as not sealed."""
    ada = ada_withdrawn(sqlite_database)
    with sqlite_database.engine.begin() as connection:
        connection.execute(text("INSERT INTO photo_consent (person_id, channel, status, given_on, given_by, may_be_named) "
                                "VALUES (:p, 'instagram', 'granted', '2026-09-01', '', 1)"), {"p": ada})
    with sqlite_database.snapshot() as tx:
        assert [c.channel for c in tx.register.photo_consents(ada)] == ["all"]
        assert f"photo consent of person {ada} for instagram (not sealed)" in check_chain(tx, key=sqlite_database.log_key).altered_rows


def test_a_database_from_before_the_seals_is_keyed_once_on_first_start(tmp_path):
    """A 0004 database with a person and a consent migrates; the first start appends one audit_log_keyed entry,
    seals the rows as made by it, and the log and rows verify; the second start finds the key and keys nothing."""
    database = open_database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    database.migrate("0004")
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO person (id, kind, name, created_at) VALUES (1, 'pupil', 'Ada', '2026-01-01')"))
        connection.execute(text("INSERT INTO photo_consent (person_id, channel, status, given_on, given_by, may_be_named) "
                                "VALUES (1, 'all', 'granted', '2026-09-01', '', 0)"))
    database.migrate()
    keys = MemoryKeyStore()
    assert unlock_keys(database, keys).ready and database.log_key is not None
    with database.snapshot() as tx:
        kinds = [record.content["kind"] for record in tx.audit.records()]
        assert kinds == ["audit_log_keyed", "reference_face_key_created"]
        assert [c.status for c in tx.register.photo_consents(1)] == [ConsentStatus.GRANTED]
        assert check_chain(tx, key=database.log_key).ok
    first_key = database.log_key.fingerprint
    assert unlock_keys(database, keys).ready and database.log_key.fingerprint == first_key
    with database.snapshot() as tx:
        assert len(list(tx.audit.records())) == 2
    database.close()


def test_entries_cut_from_the_end_are_named_even_after_the_app_writes_again(sqlite_database):
    """Deleting the last entries and rewinding the head fails the check (the head's MAC); the next append
    carries that finding under its seal, so the log stays broken at that entry."""
    ada_withdrawn(sqlite_database)
    with sqlite_database.engine.begin() as connection:
        for trigger in ("audit_entry_no_delete", "audit_head_forward_only", "audit_index_no_delete", "audit_person_no_delete"):
            connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
        (hash_2,) = connection.execute(text("SELECT entry_hash FROM audit_entry WHERE seq = 2")).one()
        for table in ("audit_entry", "audit_index", "audit_person"):
            connection.execute(text(f"DELETE FROM {table} WHERE seq > 2"))
        connection.execute(text("UPDATE audit_head SET last_seq = 2, last_entry_hash = :h"), {"h": hash_2})
    with sqlite_database.snapshot() as tx:
        status = check_chain(tx, key=sqlite_database.log_key)
    assert not status.ok and "not sealed with the key" in status.problem
    with sqlite_database.transaction() as tx:
        tx.audit.append({"kind": "signed_in"})
    with sqlite_database.snapshot() as tx:
        status = check_chain(tx, key=sqlite_database.log_key)
    assert not status.ok and status.bad_seq == 3 and "removed from the end" in status.problem


def test_a_sealed_legal_forename_verifies_and_an_edit_outside_the_app_is_caught(database):
    """(SQLite and PostgreSQL.) A person added with a legal forename reads back with it and the log check passes;
    someone without one has exactly the seal a row sealed before the column existed has (so those still verify
    after migration 0006); changing the legal forename in SQL, or setting one where there was none, voids the row."""
    with database.transaction() as tx:
        bobby = tx.register.add_person(NewPerson("Bobby Reid", legal_forename="Robert")).id
        ada = tx.register.add_person(NewPerson("Ada Lovelace")).id
        tx.audit.append({"kind": "person_added", "person_id": bobby})
    with database.snapshot() as tx:
        assert tx.register.get_person(bobby).legal_forename == "Robert"
        assert check_chain(tx, key=database.log_key).ok
    with database.engine.connect() as connection:
        fields = connection.execute(text("SELECT id, kind, name, mis_id, year_group, form, date_of_birth, leaving_date, "
                                         "sealed_seq, seal FROM person WHERE id = :p"), {"p": ada}).one()
    columns = ("id", "kind", "name", "mis_id", "year_group", "form", "date_of_birth", "leaving_date")
    before_the_column = database.log_key.row_seal("person", dict(zip(columns, fields[:8])), fields.sealed_seq)
    assert before_the_column == fields.seal
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE person SET legal_forename = 'Roberta' WHERE id = :p"), {"p": bobby})
        connection.execute(text("UPDATE person SET legal_forename = 'Augusta' WHERE id = :p"), {"p": ada})
    with database.snapshot() as tx:
        altered = check_chain(tx, key=database.log_key).altered_rows
    assert any(row.startswith(f"person {bobby} (Bobby Reid) (seal does not match") for row in altered)
    assert any(row.startswith(f"person {ada} (Ada Lovelace) (seal does not match") for row in altered)
