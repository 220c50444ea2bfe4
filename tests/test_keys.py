"""Where the reference-face key is kept: the OS keyring, else a file only its owner can read; never the database.
And carrying it to another PC that shares the database."""
from __future__ import annotations

import base64
import os
import stat

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked

from rws_desktop import keys as key_module
from rws_desktop.app import App
from rws_desktop.core.kernel.permissions import NotAllowed, Role
from rws_desktop.key_transfer import export_key, import_key
from rws_desktop.keys import FallbackKeyStore, FileKeyStore, KeyringKeyStore, MemoryKeyStore, default_key_store
from rws_desktop.storage import StorageError
from rws_desktop.storage.template_cipher import TemplateCipher
from rws_cli import rws
from sessions import signed_in

KEY = bytes(range(32))


class DictKeyring(KeyringBackend):
    """A keyring held in a dict, standing in for the Credential Manager, Keychain or Secret Service."""

    priority = 5

    def __init__(self, broken: bool = False):
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.broken = broken

    def get_password(self, service, username):
        if self.broken:
            raise KeyringLocked("the keyring is locked")
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        if self.broken:
            raise KeyringLocked("the keyring is locked")
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


def test_the_keyring_keeps_the_key_under_the_apps_name():
    """A working keyring gets the key (base64) under the service "RWS Photo Check", one entry per key id."""
    backend = DictKeyring()
    store = KeyringKeyStore(backend)
    store.save("abc123", KEY)
    assert list(backend.entries) == [("RWS Photo Check", "reference-face-key-abc123")]
    assert store.load("abc123") == KEY and store.load("other") is None


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; on Windows the profile's access list applies")
def test_without_a_keyring_the_key_file_is_readable_by_its_owner_only(tmp_path, monkeypatch):
    """No usable keyring (the fail backend, as on a headless Linux PC): the key goes to a 0600 file in a 0700
    folder in the data folder, and a file loosened later is tightened when read."""
    monkeypatch.setattr(key_module.keyring, "get_keyring", lambda: fail.Keyring())
    store = default_key_store(tmp_path)
    assert isinstance(store, FileKeyStore) and store.folder == tmp_path / "keys"
    store.save("abc123", KEY)
    path = store.path("abc123")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    os.chmod(path, 0o644)
    assert store.load("abc123") == KEY and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_fail_backend_means_a_key_file(tmp_path, monkeypatch):
    """default_key_store uses the key file when keyring offers only its fail backend, and keyring then file otherwise."""
    monkeypatch.setattr(key_module.keyring, "get_keyring", lambda: fail.Keyring())
    assert isinstance(default_key_store(tmp_path), FileKeyStore)
    monkeypatch.setattr(key_module.keyring, "get_keyring", lambda: DictKeyring())
    chosen = default_key_store(tmp_path)
    assert isinstance(chosen, FallbackKeyStore) and isinstance(chosen.primary, KeyringKeyStore)


def test_a_keyring_that_fails_in_use_falls_back_to_the_file(tmp_path, caplog):
    """A keyring that is there but locked or not running: the key is kept in the file, saying so, and found again."""
    store = FallbackKeyStore(KeyringKeyStore(DictKeyring(broken=True)), FileKeyStore(tmp_path / "keys"))
    where = store.save("abc123", KEY)
    assert "key file" in where and "kept in" in caplog.text
    assert store.load("abc123") == KEY


def test_a_pc_without_the_key_recognises_and_enrols_nobody_until_it_is_imported(tmp_path, capsys):
    """Opened with another PC's (empty) key store, the app says the key is missing and can read no template;
    comms may not import the key; an admin imports the exported one and templates can be read. Both are audited."""
    db = tmp_path / "rws.sqlite3"
    url = f"sqlite:///{db}"
    assert rws(db, "init") == 0
    here = App.open(url, workers=1)
    admin = signed_in(here.database, here.channels, "TST")
    export_key(here.database, here.key_store, admin, tmp_path / "key.json")
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "key.json").stat().st_mode) == 0o600
    here.close()

    elsewhere = App.open(url, workers=1, key_store=MemoryKeyStore())
    assert not elsewhere.key_status.ready and "rws key import" in elsewhere.key_status.message
    assert elsewhere.database.template_cipher is None
    comms = signed_in(elsewhere.database, elsewhere.channels, "MSN", Role.COMMS)
    with pytest.raises(NotAllowed):
        import_key(elsewhere.database, elsewhere.key_store, comms, tmp_path / "key.json")
    status = import_key(elsewhere.database, elsewhere.key_store, signed_in(elsewhere.database, elsewhere.channels, "TST"),
                        tmp_path / "key.json")
    assert status.ready and elsewhere.database.template_cipher is not None
    with elsewhere.database.transaction() as tx:
        kinds = [r.content["kind"] for r in tx.audit.records()]
    assert "reference_face_key_exported" in kinds and "reference_face_key_imported" in kinds
    elsewhere.close()


def test_a_key_for_another_database_is_refused(tmp_path):
    """Importing a key file whose key is not this database's is refused in plain words, and nothing is kept."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "init") == 0
    app = App.open(f"sqlite:///{db}", workers=1, key_store=MemoryKeyStore())
    key_id = app.key_status.key_id
    other_key = base64.b64encode(TemplateCipher.new_key()).decode()
    (tmp_path / "key.json").write_text(f'{{"rws_reference_face_key": "{key_id}", "key": "{other_key}"}}')
    with pytest.raises(StorageError, match="does not hold this database's key"):
        import_key(app.database, app.key_store, signed_in(app.database, app.channels, "TST"), tmp_path / "key.json")
    assert app.key_store.load(key_id) is None
    app.close()
