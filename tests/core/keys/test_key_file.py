"""The key file both front ends write and read: sealed with a passphrase, readable by its owner only, and
older unsealed files from `rws key export` still read."""
from __future__ import annotations

import base64
import json
import os
import stat

import pytest

from rws_desktop.core.keys.key_file import (
    KEY_MARK, SEALED_MARK, CarriedKeys, needs_passphrase, read_key_file, write_key_file,
)
from rws_desktop.core.keys.status import KeyRefused

CARRIED = CarriedKeys("abc123", bytes(range(32)), "log-abc123", bytes(range(32, 64)))
PASSPHRASE = "a passphrase for the key"


def test_a_sealed_file_holds_neither_key_in_the_clear_and_opens_with_its_passphrase(tmp_path):
    """Written and read back with the same passphrase, both keys come back exactly; neither key's bytes (in base64)
    nor its id appear in the file, and the file says it is sealed."""
    path = tmp_path / "school.rwskey"
    write_key_file(path, CARRIED, PASSPHRASE)
    text = path.read_text(encoding="ascii")
    for secret in (CARRIED.key, CARRIED.log_secret):
        assert base64.b64encode(secret).decode() not in text
    assert CARRIED.key_id not in text and SEALED_MARK in json.loads(text)
    assert needs_passphrase(path)
    assert read_key_file(path, PASSPHRASE) == CARRIED


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_file_is_private_and_replaces_one_already_there(tmp_path):
    """The key file is mode 0600 from the start, and writing over an existing file (a save dialog said yes) works."""
    path = tmp_path / "school.rwskey"
    path.write_text("an older file", encoding="ascii")
    os.chmod(path, 0o644)
    write_key_file(path, CARRIED, PASSPHRASE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and read_key_file(path, PASSPHRASE) == CARRIED


def test_a_wrong_missing_or_short_passphrase_is_refused_in_plain_words(tmp_path):
    """A short passphrase is refused before anything is written; a sealed file with the wrong passphrase, or with
    none, is refused saying what to do."""
    path = tmp_path / "school.rwskey"
    with pytest.raises(KeyRefused, match="at least 10 characters"):
        write_key_file(path, CARRIED, "short")
    assert not path.exists()
    write_key_file(path, CARRIED, PASSPHRASE)
    with pytest.raises(KeyRefused, match="passphrase does not open"):
        read_key_file(path, "not the passphrase at all")
    with pytest.raises(KeyRefused, match="locked with a passphrase"):
        read_key_file(path, None)


def test_an_unsealed_file_from_an_older_rws_key_export_still_reads(tmp_path):
    """The clear document `rws key export` used to write (with or without the log key) reads without a passphrase."""
    path = tmp_path / "key.json"
    path.write_text(json.dumps({KEY_MARK: "abc123", "key": base64.b64encode(CARRIED.key).decode(),
                                "audit_log_key": "log-abc123", "log_key": base64.b64encode(CARRIED.log_secret).decode()}))
    assert not needs_passphrase(path)
    assert read_key_file(path, None) == CARRIED
    path.write_text(json.dumps({KEY_MARK: "abc123", "key": base64.b64encode(CARRIED.key).decode()}))
    assert read_key_file(path, "ignored") == CarriedKeys("abc123", CARRIED.key)


@pytest.mark.parametrize("content", ["not json at all", "[1, 2]", '{"key": "AAAA"}', '{"rws_reference_face_key": "x", "key": "!!"}',
                                     json.dumps({SEALED_MARK: 1, "n": 16384, "r": 8, "p": 1, "salt": "AAAA"})])
def test_a_file_that_is_not_a_key_file_or_is_damaged_is_refused(tmp_path, content):
    """Garbage, a JSON list, a document without the key's id, bad base64, and a sealed file missing its parts are
    each refused with a KeyRefused naming the file, never an unexplained error."""
    path = tmp_path / "odd.rwskey"
    path.write_text(content, encoding="ascii")
    with pytest.raises(KeyRefused, match="odd.rwskey"):
        read_key_file(path, PASSPHRASE)
