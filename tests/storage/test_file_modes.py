"""Only the owner reads the data: after a first start and a vet, every file in the data folder is 0600 and
every folder 0700 (Linux and macOS; Windows relies on the profile's access list, see the README)."""
from __future__ import annotations

import os
import sqlite3
import stat
from unittest import mock

import numpy as np
import pytest
from PIL import Image

from rws_cli import rws
from rws_desktop.cli import main
from rws_desktop.keys import FileKeyStore
from sessions import TEST_PASSWORD

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes; Windows uses access lists")


def modes(folder):
    found = {}
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            path = os.path.join(root, name)
            found[os.path.relpath(path, folder)] = stat.S_IMODE(os.lstat(path).st_mode)
    return found


def test_every_file_in_the_data_folder_is_private_after_a_first_start_and_a_vet(tmp_path, monkeypatch):
    """First start on the default database (created in the data folder), a vet (safe copies go to the folder
    the user names, outside it), an audit export, a checkpoint and a backup into the data folder, and a key
    file: files 0600, folders 0700, even with a lax umask; -wal and -shm checked while a reader holds them."""
    data = tmp_path / "data"
    monkeypatch.setenv("RWS_DATA_DIR", str(data))
    monkeypatch.delenv("RWS_DB", raising=False)
    previous = os.umask(0o022)
    try:
        with mock.patch.dict(os.environ, {"RWS_NEW_PASSWORD": TEST_PASSWORD, "RWS_PASSWORD": TEST_PASSWORD}):
            assert main(["init", "--admin", "TST", "--name", "Test Staff"]) == 0
            roles = [part for role in ("admin", "comms", "auditor") for part in ("--role", role)]
            assert main(["--user", "TST", "user", "roles", "TST", *roles]) == 0
        db = data / "rws.sqlite3"
        # Held open as the window would, so the -wal and -shm files stay to be checked.
        reader = sqlite3.connect(db)
        reader.execute("SELECT count(*) FROM audit_entry").fetchone()
        photo = tmp_path / "field.jpg"
        Image.fromarray(np.full((120, 160, 3), 90, dtype=np.uint8)).save(photo)
        assert rws(db, "vet", photo, "--channel", "instagram", "--out", tmp_path / "safe", "--workers", 1) == 0
        assert rws(db, "audit", "export", "--out", data / "exports" / "log.csv") == 0
        assert rws(db, "audit", "checkpoint", "--out", data / "checkpoint.json") == 0
        assert rws(db, "backup", "--out", data / "backup.sqlite3") == 0
        FileKeyStore(data / "keys").save("abc", b"k" * 32)
        found = modes(data)
        reader.close()
    finally:
        os.umask(previous)
    assert {"rws.sqlite3", "rws.sqlite3-wal", "rws.sqlite3-shm", "backup.sqlite3", "checkpoint.json",
            "exports/log.csv", "keys/reference-face-key-abc.key"} <= set(found)
    wrong = {name: oct(mode) for name, mode in found.items()
             if mode != (0o700 if (data / name).is_dir() else 0o600)}
    assert stat.S_IMODE(data.stat().st_mode) == 0o700 and wrong == {}
