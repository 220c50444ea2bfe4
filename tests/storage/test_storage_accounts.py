"""Accounts, channel admin lists and the DPIA in storage; reference faces encrypted at rest; migration 0004."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from rws_desktop.core.kernel.access_ports import Account, ChannelAdmins, DpiaRecord
from rws_desktop.core.kernel.consent import BiometricConsent
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.keys import MemoryKeyStore
from rws_desktop.paths import migrations_dir
from rws_desktop.storage import StorageError
from rws_desktop.core.keys.template_cipher import TemplateCipher
from rws_desktop.core.keys.reference_face_key import unlock_reference_faces

TODAY = date(2026, 11, 24)
SOURCE_SHA = "ab" * 32
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)


def enrolled(database, name: str, *seeds: int) -> int:
    with database.transaction() as tx:
        person = tx.register.add_person(NewPerson(name))
        tx.register.put_biometric_consent(BiometricConsent(person.id, parent_consent=True))
        for seed in seeds:
            tx.register.add_reference_face(person.id, np.random.default_rng(seed).normal(size=128), SOURCE_SHA, TODAY)
    return person.id


def test_accounts_round_trip_with_roles_and_lockout(database):
    """An account keeps its roles, flags and lockout time (in UTC) through add and update, listed by initials."""
    account = Account("NEF", "Test Sport", frozenset({Role.COMMS, Role.OFFICE}), "$argon2id$x", must_change_password=True)
    with database.transaction() as tx:
        tx.accounts.add_account(account)
        tx.accounts.add_account(Account("ADM", "Test Admin", frozenset({Role.ADMIN}), "$argon2id$y"))
    until = NOW + timedelta(minutes=15)
    with database.transaction() as tx:
        tx.accounts.update_account(Account("NEF", "Test Sport", frozenset({Role.AUDITOR}), "$argon2id$z",
                                           locked=True, locked_until=until, failed_sign_ins=3))
    with database.transaction() as tx:
        assert tx.accounts.count_accounts() == 2
        assert [a.initials for a in tx.accounts.list_accounts()] == ["ADM", "NEF"]
        stored = tx.accounts.get_account("NEF", lock=True)
        assert tx.accounts.get_account("ZZZ") is None
    assert stored == Account("NEF", "Test Sport", frozenset({Role.AUDITOR}), "$argon2id$z", False, True, until, 3)


def test_channel_admin_lists_and_the_latest_dpia(database):
    """A channel's list can be replaced (even by an empty one); the DPIA in force is the last recorded."""
    with database.transaction() as tx:
        assert tx.accounts.channel_admins("instagram") is None and tx.dpia.current() is None
        tx.accounts.put_channel_admins(ChannelAdmins("instagram", ("MSN", "AWI"), "ADM", NOW))
        tx.accounts.put_channel_admins(ChannelAdmins("music-x", (), "ADM", NOW))
        tx.dpia.add(DpiaRecord("DPIA-1", date(2026, 9, 1), "Test DPO", "ADM", NOW))
        tx.dpia.add(DpiaRecord("DPIA-2", date(2026, 10, 1), "Test DPO", "ADM", NOW))
    with database.transaction() as tx:
        tx.accounts.put_channel_admins(ChannelAdmins("instagram", ("MSN",), "HT", NOW))
    with database.transaction() as tx:
        assert tx.accounts.channel_admins("instagram") == ChannelAdmins("instagram", ("MSN",), "HT", NOW)
        assert tx.accounts.all_channel_admins()["music-x"].initials == ()
        assert tx.dpia.current().reference == "DPIA-2"


def test_stored_encodings_are_ciphertext_bound_to_their_person(database):
    """The encoding column holds 1,053 bytes that are not the float bytes; moved to another person's row it no
    longer opens, and a changed byte makes it no template at all: those faces are left out."""
    ada = enrolled(database, "Ada", 1, 2)
    bob = enrolled(database, "Bob", 3)
    with database.engine.begin() as connection:
        rows = connection.execute(text("SELECT id, person_id, encoding FROM reference_face ORDER BY id")).all()
        plain = np.random.default_rng(1).normal(size=128).astype("<f8").tobytes()
        assert all(len(bytes(blob)) == 1053 and plain not in bytes(blob) for _, _, blob in rows)
        (first_id, _, _), (second_id, _, second) = rows[0], rows[1]
        connection.execute(text("UPDATE reference_face SET person_id = :bob WHERE id = :id"), {"bob": bob, "id": first_id})
        changed = bytearray(bytes(second))
        changed[40] ^= 1
        connection.execute(text("UPDATE reference_face SET encoding = :e WHERE id = :id"), {"e": bytes(changed), "id": second_id})
    with database.transaction() as tx:
        encodings = tx.register.reference_encodings()
    assert list(encodings) == [bob] and len(encodings[bob]) == 1
    np.testing.assert_array_equal(encodings[bob][0], np.random.default_rng(3).normal(size=128))
    assert ada not in encodings


def test_without_a_key_nothing_is_stored_or_recognised(database):
    """With no key, storing a reference face is refused in plain words and reading gives no encodings."""
    ada = enrolled(database, "Ada", 1)
    database.use_template_cipher(None)
    with database.transaction() as tx:
        assert tx.register.reference_encodings() == {}
        assert tx.register.count_reference_faces(ada) == 1
    with pytest.raises(StorageError, match="does not hold the key"):
        with database.transaction() as tx:
            tx.register.add_reference_face(ada, np.zeros(128), SOURCE_SHA, TODAY)


def test_the_first_key_encrypts_older_plain_encodings_once_only(database):
    """Encodings stored before 0004 are encrypted when the key is first made; a plain encoding slipped in later is
    treated as altered, so nobody can add a template without the key."""
    database.use_template_cipher(None)
    database.use_log_key(None)  # as before 0005, too
    with database.transaction() as tx:
        person = tx.register.add_person(NewPerson("Ada"))
        tx.register.put_biometric_consent(BiometricConsent(person.id, parent_consent=True))
    vector = np.random.default_rng(5).normal(size=128)
    insert = text("INSERT INTO reference_face (person_id, encoding, source_sha256, added_at) VALUES (:p, :e, :s, :a)")
    with database.engine.begin() as connection:
        connection.execute(insert, {"p": person.id, "e": vector.astype("<f8").tobytes(), "s": SOURCE_SHA, "a": NOW})
    keys = MemoryKeyStore()
    status = unlock_reference_faces(database, keys)
    assert status.ready and sorted(keys.keys) == [status.key_id, f"log-{status.key_id}"]  # with the audit-log key
    with database.engine.begin() as connection:
        (blob,) = connection.execute(text("SELECT encoding FROM reference_face")).scalars()
        assert len(bytes(blob)) == 1053
        connection.execute(insert, {"p": person.id, "e": vector.astype("<f8").tobytes(), "s": SOURCE_SHA, "a": NOW})
    assert unlock_reference_faces(database, keys).key_id == status.key_id  # found, not made again
    with database.transaction() as tx:
        (only,) = tx.register.reference_encodings()[person.id]
        np.testing.assert_array_equal(only, vector)
        created = [r.content for r in tx.audit.records() if r.content["kind"] == "reference_face_key_created"]
    assert created == [{**created[0], "reference_faces_encrypted": 1}]


def test_a_computer_without_the_key_or_with_another_recognises_nobody(database):
    """Another PC's key store, empty or holding a different key, leaves the database locked and says what to do."""
    enrolled(database, "Ada", 1)
    keys = MemoryKeyStore()
    key_id = unlock_reference_faces(database, keys).key_id
    missing = unlock_reference_faces(database, MemoryKeyStore())
    assert not missing.ready and "rws key import" in missing.message
    wrong = MemoryKeyStore()
    wrong.save(key_id, TemplateCipher.new_key())
    assert not unlock_reference_faces(database, wrong).ready
    with database.transaction() as tx:
        assert tx.register.reference_encodings() == {}
    assert unlock_reference_faces(database, keys).ready


def test_migration_0004_goes_down_and_up(database):
    """0004 can be undone (encrypted faces, unreadable without the key's identity, go with it) and redone."""
    enrolled(database, "Ada", 1)
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
        assert connection.execute(text("SELECT count(*) FROM reference_face")).scalar() == 0
        command.upgrade(config, "head")
        assert connection.execute(text("SELECT count(*) FROM account")).scalar() == 0
