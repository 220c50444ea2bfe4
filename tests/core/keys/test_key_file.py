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


def _sealed_with(tmp_path, **settings):
    """A real sealed key file whose scrypt settings are then overwritten, as someone crafting one could."""
    path = tmp_path / "crafted.rwskey"
    write_key_file(path, CARRIED, PASSPHRASE)
    document = json.loads(path.read_text(encoding="ascii"))
    path.write_text(json.dumps(document | settings), encoding="ascii")
    return path


@pytest.mark.parametrize("settings", [{"n": 2 ** 30}, {"r": 2 ** 20}, {"p": 2 ** 24}, {"n": 2 ** 17, "r": 16},
                                      {"n": 2 ** 16, "r": 8, "p": 16}],
                         ids=["n-1-TiB", "r-huge", "p-huge", "memory-256-MiB", "work-32x"])
def test_a_key_file_asking_for_huge_scrypt_memory_or_time_is_refused_before_any_work(tmp_path, monkeypatch, settings):
    """Settings far beyond what this app writes (gigabytes of memory, hours of work) are refused in plain words
    naming the file, before scrypt runs at all (it would stall or kill the PC)."""
    from rws_desktop.core.keys import key_file

    path = _sealed_with(tmp_path, **settings)
    monkeypatch.setattr(key_file, "Scrypt", lambda **kwargs: pytest.fail(f"scrypt ran with {kwargs}"))
    with pytest.raises(KeyRefused) as refused:
        read_key_file(path, PASSPHRASE)
    assert "crafted.rwskey" in str(refused.value) and "far more memory or time" in str(refused.value)


@pytest.mark.parametrize("settings", [{"n": 3000}, {"n": 1}, {"r": 0}, {"p": -1}, {"n": "32768"}, {"n": 32768.0},
                                      {"r": True}])
def test_scrypt_settings_that_are_not_scrypts_are_refused_as_damage(tmp_path, settings):
    """n not a power of two, zero or negative factors, numbers written as text, floats or booleans: the file is
    called damaged in plain words (no Python wording such as "invalid literal for int()")."""
    path = _sealed_with(tmp_path, **settings)
    with pytest.raises(KeyRefused) as refused:
        read_key_file(path, PASSPHRASE)
    assert str(refused.value) == "crafted.rwskey is damaged and cannot be read; export the key again."


def test_settings_within_the_limits_still_open_a_key_file(tmp_path):
    """Stronger settings than today's, within the limits (twice the memory), still open: the caps refuse only abuse."""
    from rws_desktop.core.keys import key_file

    path = tmp_path / "stronger.rwskey"
    salt, nonce = os.urandom(16), os.urandom(12)
    derived = key_file._derive(PASSPHRASE, salt, 2 ** 16, 8, 1)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    sealed = AESGCM(derived).encrypt(nonce, CARRIED.document(), SEALED_MARK.encode("ascii"))
    b64 = lambda data: base64.b64encode(data).decode("ascii")  # noqa: E731
    path.write_text(json.dumps({SEALED_MARK: 1, "kdf": "scrypt", "n": 2 ** 16, "r": 8, "p": 1, "salt": b64(salt),
                                "nonce": b64(nonce), "sealed": b64(sealed)}), encoding="ascii")
    assert read_key_file(path, PASSPHRASE) == CARRIED


def test_a_file_far_larger_than_a_key_file_is_refused_without_reading_it_all(tmp_path):
    """A 10 MB "key file" is refused from its first 64 KB, in plain words."""
    path = tmp_path / "huge.rwskey"
    path.write_bytes(b"{" + b" " * 10_000_000 + b"}")
    with pytest.raises(KeyRefused) as refused:
        read_key_file(path, PASSPHRASE)
    assert "huge.rwskey" in str(refused.value) and "far larger than a key file" in str(refused.value)
