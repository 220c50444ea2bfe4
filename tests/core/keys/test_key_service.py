"""The key service on a real database: unlocking at start, and carrying both keys to a second PC through the
one key file, refused for anyone but an admin and audited both ways."""
from __future__ import annotations

import json
import os
import stat
from base64 import b64encode

import pytest

from rws_desktop.core.kernel.permissions import NotAllowed, Role
from rws_desktop.core.keys.key_file import KEY_MARK
from rws_desktop.core.keys.service import KeyTransferService, unlock_keys
from rws_desktop.core.keys.status import KeyRefused
from rws_desktop.core.keys.template_cipher import TemplateCipher
from rws_desktop.keys import MemoryKeyStore
from sessions import migrated_database, signed_in

PASSPHRASE = "a passphrase for the key"


@pytest.fixture
def two_pcs(tmp_path, channels):
    """One database file opened twice: `here` with the key store that made the keys, `there` with an empty one."""
    here, there = migrated_database(tmp_path, keyed=False), migrated_database(tmp_path, keyed=False)
    here_keys, there_keys = MemoryKeyStore(), MemoryKeyStore()
    assert unlock_keys(here, here_keys).ready
    yield here, here_keys, there, there_keys
    here.close()
    there.close()


def kinds(store) -> list[str]:
    with store.snapshot() as tx:
        return [record.content["kind"] for record in tx.audit.records()]


def test_a_pc_without_the_keys_recognises_nobody_until_an_admin_imports_them(two_pcs, channels, tmp_path):
    """The second PC finds no key and says how to import it; comms may not import; an admin's import keeps both keys,
    unlocks recognition and the log, and the export and import are each audited once."""
    here, here_keys, there, there_keys = two_pcs
    path = tmp_path / "school.rwskey"
    key_id = KeyTransferService(here, here_keys, signed_in(here, channels, "ADM", Role.ADMIN)).export(path, PASSPHRASE)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    status = unlock_keys(there, there_keys)
    assert not status.ready and "rws key import" in status.message and there.template_cipher is None
    with pytest.raises(NotAllowed):
        KeyTransferService(there, there_keys, signed_in(there, channels, "MSN", Role.COMMS)).import_file(path, PASSPHRASE)
    status = KeyTransferService(there, there_keys, signed_in(there, channels, "ADM")).import_file(path, PASSPHRASE)
    assert status.ready and there.template_cipher is not None and there.log_key is not None
    assert sorted(there_keys.keys) == sorted(here_keys.keys) == [key_id, f"log-{key_id}"]
    assert there.log_key.fingerprint == here.log_key.fingerprint
    logged = kinds(there)
    assert logged.count("reference_face_key_exported") == 1 and logged.count("reference_face_key_imported") == 1


def test_importing_on_a_pc_that_already_holds_the_keys_keeps_them(two_pcs, channels, tmp_path):
    """Importing the file on the PC that exported it changes nothing and raises nothing (a key file store refuses to
    write a key a second time)."""
    here, here_keys, _there, _ = two_pcs
    admin = KeyTransferService(here, here_keys, signed_in(here, channels, "ADM", Role.ADMIN))
    admin.export(tmp_path / "school.rwskey", PASSPHRASE)
    before = dict(here_keys.keys)
    here_keys.save = lambda *_: pytest.fail("a key already held was written again")
    assert admin.import_file(tmp_path / "school.rwskey", PASSPHRASE).ready
    assert here_keys.keys == before


def test_a_key_for_another_database_is_refused_and_nothing_is_kept(two_pcs, channels, tmp_path):
    """A key file whose key is not this database's is refused in plain words, and the key store stays empty."""
    _here, _, there, there_keys = two_pcs
    unlock_keys(there, there_keys)
    with there.snapshot() as tx:
        key_id = tx.template_key.current().key_id
    path = tmp_path / "key.json"
    path.write_text(json.dumps({KEY_MARK: key_id, "key": b64encode(TemplateCipher.new_key()).decode()}))
    service = KeyTransferService(there, there_keys, signed_in(there, channels, "ADM", Role.ADMIN))
    with pytest.raises(KeyRefused, match="does not hold this database's key"):
        service.import_file(path, None)
    path.write_text(json.dumps({KEY_MARK: "not-this-one", "key": b64encode(TemplateCipher.new_key()).decode()}))
    with pytest.raises(KeyRefused, match="is not the one this database uses"):
        service.import_file(path, None)
    assert there_keys.keys == {}


def test_a_pc_without_the_key_cannot_export_it(two_pcs, channels, tmp_path):
    """Export on a PC that lacks the key is refused in plain words and writes no file."""
    _here, _, there, there_keys = two_pcs
    unlock_keys(there, there_keys)
    service = KeyTransferService(there, there_keys, signed_in(there, channels, "ADM", Role.ADMIN))
    with pytest.raises(KeyRefused, match="cannot export it"):
        service.export(tmp_path / "school.rwskey", PASSPHRASE)
    assert not (tmp_path / "school.rwskey").exists()
