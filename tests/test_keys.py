"""Where the reference-face key is kept: the OS keyring, else a file only its owner can read; never the database.
And carrying it to another PC that shares the database, from the window to `rws` and back."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from unittest import mock

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked

from rws_desktop import keys as key_module
from rws_desktop.app import App
from rws_desktop.keys import FallbackKeyStore, FileKeyStore, KeyringKeyStore, MemoryKeyStore, default_key_store
from rws_desktop.ui.admin.presenter import AdminPresenter
from rws_cli import KEY_PASSPHRASE, STAFF, rws
from sessions import TEST_PASSWORD

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
    monkeypatch.setattr(key_module, "system_keyring", lambda: fail.Keyring())
    store = default_key_store(tmp_path)
    store.save("abc123", KEY)
    assert isinstance(store.chosen, FileKeyStore) and store.chosen.folder == tmp_path / "keys"
    path = store.chosen.path("abc123")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    os.chmod(path, 0o644)
    assert store.load("abc123") == KEY and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_fail_backend_means_a_key_file(tmp_path, monkeypatch):
    """default_key_store uses the key file when keyring offers only its fail backend, and keyring then file otherwise."""
    monkeypatch.setattr(key_module, "system_keyring", lambda: fail.Keyring())
    assert isinstance(default_key_store(tmp_path).chosen, FileKeyStore)
    monkeypatch.setattr(key_module, "system_keyring", lambda: DictKeyring())
    chosen = default_key_store(tmp_path).chosen
    assert isinstance(chosen, FallbackKeyStore) and isinstance(chosen.primary, KeyringKeyStore)


def test_a_key_file_is_read_without_asking_for_the_keyring_and_keys_still_go_to_the_keyring_first(tmp_path, monkeypatch):
    """A key found in its file is loaded without looking for a keyring at all; a key with no file is loaded from the
    keyring; a new key is saved to a working keyring (not to a file), and to the file only when there is none."""
    asked = []
    backend = DictKeyring()
    monkeypatch.setattr(key_module, "system_keyring", lambda: asked.append("keyring") or backend)
    FileKeyStore(tmp_path / "keys").save("infile", KEY)
    store = default_key_store(tmp_path)
    assert store.load("infile") == KEY and asked == []
    KeyringKeyStore(backend).save("inring", KEY[::-1])
    assert store.load("inring") == KEY[::-1] and store.load("nowhere") is None and asked == ["keyring"]
    assert "system keyring" in store.save("new", KEY) and ("RWS Photo Check", "reference-face-key-new") in backend.entries
    assert not (tmp_path / "keys" / "reference-face-key-new.key").exists() and store.load("new") == KEY
    monkeypatch.setattr(key_module, "system_keyring", lambda: fail.Keyring())
    assert "key file" in default_key_store(tmp_path).save("other", KEY)
    assert (tmp_path / "keys" / "reference-face-key-other.key").is_file()


def test_a_pc_keeping_its_keys_in_files_starts_without_importing_keyring(tmp_path, monkeypatch, capsys):
    """On a PC whose keys are in files (a headless Linux PC), opening the database and unlocking both keys, in a fresh
    interpreter, loads no part of keyring: its import and the OS's keyring services are left alone at start."""
    data = tmp_path / "data"
    monkeypatch.setenv("RWS_DATA_DIR", str(data))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # the keys go to files
    script = ("import sys\n"
              "from rws_desktop.app import App\n"
              "app = App.open()\n"
              "print(app.key_status.ready, app.database.log_key is not None)\n"
              "print(sorted(name for name in sys.modules if name.split('.')[0] == 'keyring'))\n"
              "app.close()\n")
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == "True True" and len(list((data / "keys").iterdir())) == 2
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == ["True True", "[]"]


def test_a_keyring_that_fails_in_use_falls_back_to_the_file(tmp_path, caplog):
    """A keyring that is there but locked or not running: the key is kept in the file, saying so, and found again."""
    store = FallbackKeyStore(KeyringKeyStore(DictKeyring(broken=True)), FileKeyStore(tmp_path / "keys"))
    where = store.save("abc123", KEY)
    assert "key file" in where and "kept in" in caplog.text
    assert store.load("abc123") == KEY


def other_pc(monkeypatch) -> MemoryKeyStore:
    """Commands run from here on as on a second PC sharing the database: its key store starts empty."""
    keys = MemoryKeyStore()
    monkeypatch.setattr("rws_desktop.app.default_key_store", lambda folder: keys)
    return keys


def test_a_key_exported_from_the_window_is_imported_by_rws_key_import(tmp_path, monkeypatch, capsys):
    """Admin > Reference-face key > Export (the presenter) writes a file that `rws key import` on a second PC reads
    with the same passphrase: that PC then holds both keys and recognises again. Without the passphrase, or with
    a wrong one, the command says so and keeps nothing."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "init") == 0
    window = App.open(f"sqlite:///{db}", workers=1)
    window.sign_in(STAFF, TEST_PASSWORD)
    path = tmp_path / "school.rwskey"
    AdminPresenter(window).export_key(path, KEY_PASSPHRASE)
    key_id = window.key_status.key_id
    exported = {name: window.key_store.load(name) for name in (key_id, f"log-{key_id}")}
    window.close()

    elsewhere = other_pc(monkeypatch)
    assert rws(db, "key", "status") == 0 and "does not hold the key" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    monkeypatch.delenv("RWS_KEY_PASSPHRASE", raising=False)
    with mock.patch.dict(os.environ, {"RWS_KEY_PASSPHRASE": "not the passphrase at all"}):
        assert rws(db, "key", "import", path, key_passphrase=None) == 1
    assert "passphrase does not open" in capsys.readouterr().err and elsewhere.keys == {}
    assert rws(db, "key", "import", path, key_passphrase=None) == 1
    assert "No passphrase given: set RWS_KEY_PASSPHRASE" in capsys.readouterr().err
    assert rws(db, "key", "import", path) == 0
    assert "holds the key" in capsys.readouterr().out
    assert elsewhere.keys == exported
    assert rws(db, "key", "status") == 0 and "holds the key" in capsys.readouterr().out


def test_a_key_exported_by_rws_key_export_is_imported_in_the_window(tmp_path, monkeypatch, capsys):
    """`rws key export` writes the same sealed file: the window's presenter on a second PC imports it with the
    passphrase, and recognition and the log's seals work there. The file holds neither key in the clear."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "init") == 0
    path = tmp_path / "school.rwskey"
    assert rws(db, "key", "export", "--out", path) == 0
    assert "sealed with the passphrase" in capsys.readouterr().out
    assert "rws_reference_face_key_sealed" in path.read_text()

    window = App.open(f"sqlite:///{db}", workers=1, key_store=MemoryKeyStore())
    window.sign_in(STAFF, TEST_PASSWORD)
    assert not window.key_status.ready
    assert "holds the key" in AdminPresenter(window).import_key(path, KEY_PASSPHRASE)
    assert window.key_status.ready and window.database.template_cipher is not None and window.database.log_key is not None
    with window.database.snapshot() as tx:
        kinds = [record.content["kind"] for record in tx.audit.records()]
    assert kinds.count("reference_face_key_exported") == 1 and kinds.count("reference_face_key_imported") == 1
    window.close()


@pytest.mark.parametrize("where", ["a folder that does not exist", "a folder, not a file"])
def test_rws_key_export_to_a_path_that_cannot_be_written_is_refused_in_one_line(tmp_path, capsys, where):
    """`rws key export --out PATH` where PATH cannot be written (its folder missing, or PATH a folder) ends with a
    plain `rws: ...` refusal naming the path and exit code 1, not a traceback, and records no export."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "init") == 0
    capsys.readouterr()
    path = tmp_path / "missing" / "school.rwskey" if where.startswith("a folder that") else tmp_path
    assert rws(db, "key", "export", "--out", path) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"rws: The key file could not be written to {path}") and "No key was exported" in error
    assert "Traceback" not in error
    window = App.open(f"sqlite:///{db}", workers=1, key_store=MemoryKeyStore())
    try:
        with window.database.snapshot() as tx:
            kinds = [record.content["kind"] for record in tx.audit.records()]
    finally:
        window.close()
    assert "reference_face_key_exported" not in kinds


class WorkingKeyring:
    """A platform keyring that works here (not a KeyringBackend subclass, so keyring never learns of it)."""

    priority = 5

    def get_password(self, service, username):
        return None


class BetterKeyring(WorkingKeyring):
    priority = 7


def test_the_best_working_platform_keyring_is_chosen_and_broken_ones_are_skipped(monkeypatch):
    """system_keyring picks the highest-priority backend among this platform's that work; one that cannot be
    imported, or whose priority raises (its service is not running), is passed over; none working gives keyring's
    fail backend, which default_key_store turns into the key file."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr("keyring.core.load_config", lambda: None)
    here = __name__
    monkeypatch.setattr(key_module, "platform_keyrings", lambda: (
        ("no.such.keyring.module", "Keyring"), (here, "Unreachable"), (here, "WorkingKeyring"), (here, "BetterKeyring")))
    assert isinstance(key_module.system_keyring(), BetterKeyring)
    monkeypatch.setattr(key_module, "platform_keyrings", lambda: ((here, "Unreachable"), ("no.such.keyring.module", "K")))
    assert isinstance(key_module.system_keyring(), fail.Keyring)


class _RaisingPriority(type):
    @property
    def priority(cls):
        raise RuntimeError("The Secret Service daemon is neither running nor activatable through D-Bus")


class Unreachable(metaclass=_RaisingPriority):
    """A platform keyring whose service is not running: reading its priority raises, as keyring's backends do."""


def test_a_keyring_named_in_the_environment_is_used_as_keyring_would(monkeypatch):
    """PYTHON_KEYRING_BACKEND (which bench/tamper.py and IT staff may set) still decides the keyring, as it does for
    keyring.get_keyring(): the null keyring named there is used, and default_key_store then keeps keys in the file."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    from keyring.backends import null

    assert isinstance(key_module.system_keyring(), null.Keyring)


def test_making_the_key_store_loads_only_this_platforms_keyring_backends(tmp_path):
    """In a fresh interpreter, importing the key store module loads no keyring at all, and looking for a key that has
    no file imports only this platform's OS keyring backends (plus keyring's fail and chainer helpers): never another
    platform's, such as the macOS one whose import runs a `find_library` search on Linux, nor keyring's plugin scan
    through the installed packages' entry points."""
    script = ("import sys\n"
              "import rws_desktop.keys as keys\n"
              "assert not any(name.split('.')[0] == 'keyring' for name in sys.modules), 'keyring imported early'\n"
              "import keyring.backend\n"
              "keyring.backend._load_plugins = lambda: sys.exit('the plugin scan ran')\n"
              "from pathlib import Path\n"
              f"keys.default_key_store(Path({str(tmp_path)!r})).load('no-such-key')\n"
              "print(','.join(sorted(name for name in sys.modules if name.startswith('keyring.backends.'))))\n"
              "print(','.join(module for module, _class in keys.platform_keyrings()))\n")
    env = {name: value for name, value in os.environ.items() if name != "PYTHON_KEYRING_BACKEND"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    loaded, platform = (set(filter(None, line.split(","))) for line in result.stdout.splitlines())
    assert platform and platform <= loaded
    others = {"keyring.backends.macOS", "keyring.backends.Windows", "keyring.backends.SecretService",
              "keyring.backends.kwallet", "keyring.backends.libsecret"} - platform
    assert not any(name == other or name.startswith(other + ".") for name in loaded for other in others), loaded
