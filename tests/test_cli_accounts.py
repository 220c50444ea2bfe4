"""Accounts on the command line: every role against every command (refusals exit 3 and are audited), signing
in, the first admin, user and channel admin commands, the DPIA and the key."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from rws_cli import add_staff, record_dpia, rws
from rws_desktop.cli import EXIT_REFUSED, main
from sessions import TEST_PASSWORD

ROLE_ACCOUNTS = {"comms": "MSN", "office": "OFF", "auditor": "AUD", "admin": "ADM"}
EVERYONE = set(ROLE_ACCOUNTS)
NEW_PASSWORD = "a brand new password"

# Each command, the roles that may run it (written out here, from the issue), and its exit code when allowed.
COMMANDS = [
    ("channels", EVERYONE, 0),
    ("channels admins instagram", EVERYONE, 0),
    ("dpia show", EVERYONE, 0),
    ("key status", EVERYONE, 0),
    ("user passwd", EVERYONE, 0),
    ("vet {photo} --channel instagram --out {out} --workers 1", {"comms", "admin"}, 0),
    ("person list", {"office"}, 0),
    ("person faces 1", {"office"}, 0),
    ("person import {csv} --dry-run", {"office"}, 0),
    ("person leavers --year 7", {"office"}, 0),
    ("consent expiring", {"office"}, 0),
    ("consent year-end", {"office"}, 0),
    ("impact 1", {"office"}, 0),
    ("person add --name Ada", {"office"}, 0),
    ("person leave 1", {"office"}, 0),
    ("person import {csv}", {"office"}, 0),
    ("person remove-face 99", {"office"}, 1),  # allowed, but there is no such face
    ("consent set 1 --channel all --status granted", {"office"}, 0),
    ("consent year-end --apply", {"office"}, 0),
    ("biometric set 1 --parent-consent yes", {"office"}, 0),
    ("enroll 1 {photo}", {"office"}, 1),  # allowed, but the photo shows no face
    ("audit verify", {"auditor"}, 0),
    ("audit export --out {out}.csv", {"auditor"}, 0),
    ("user list", {"admin"}, 0),
    ("user add NEW --name Newcomer --role comms", {"admin"}, 0),
    ("user lock NEF", {"admin"}, 0),
    ("user unlock NEF", {"admin"}, 0),
    ("user passwd NEF", {"admin"}, 0),
    ("user roles NEF --role office", {"admin"}, 0),
    ("channels admins art-instagram --set TRH,MSN", {"admin"}, 0),
    ("dpia record --reference DPIA-9 --date 2026-10-01 --dpo Test", {"admin"}, 0),
    ("key export --out {out}.key", {"admin"}, 0),
    ("key import {key}", {"admin"}, 0),
]


def entries(db: Path) -> list[dict]:
    with sqlite3.connect(db) as connection:
        return [json.loads(row[0]) for row in connection.execute("SELECT content FROM audit_entry ORDER BY seq")]


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> Path:
    """One account per role, NEF (comms) to manage, a pupil with biometric consent, the DPIA, an MIS export,
    a photo with no face in it, and the key exported to a file."""
    folder = tmp_path_factory.mktemp("school")
    db = folder / "rws.sqlite3"
    for role, initials in ROLE_ACCOUNTS.items():
        add_staff(db, initials, role)
    add_staff(db, "NEF", "comms")
    record_dpia(db)
    assert rws(db, "person", "add", "--name", "Tilly Marsh", "--mis-id", "K1", "--year", "7") == 0
    assert rws(db, "biometric", "set", 1, "--parent-consent", "yes") == 0
    (folder / "export.csv").write_text("UPN,Forename,Surname,Year\r\nK2,Zoe,Ashby,Year 7\r\n", encoding="utf-8")
    Image.new("RGB", (120, 90), "lightblue").save(folder / "sky.jpg")
    assert rws(db, "key", "export", "--out", folder / "key.json") == 0
    return folder


@pytest.mark.parametrize("role", list(ROLE_ACCOUNTS))
@pytest.mark.parametrize(("command", "allowed", "exit_code"), COMMANDS, ids=[c[0].split(" {")[0] for c in COMMANDS])
def test_every_role_against_every_command(school, tmp_path, capsys, role, command, allowed, exit_code):
    """Allowed commands run; the rest exit 3 with a plain 'not allowed' and write exactly one action_refused entry
    naming the account. Either way the call writes exactly one "Signed in" entry, for that account."""
    db = tmp_path / "rws.sqlite3"
    shutil.copy(school / "rws.sqlite3", db)
    initials = ROLE_ACCOUNTS[role]
    args = command.format(photo=school / "sky.jpg", out=tmp_path / "out", csv=school / "export.csv",
                          key=school / "key.json").split()
    before = len(entries(db))
    code = rws(db, *args, user=initials, new_password=NEW_PASSWORD)
    written = entries(db)[before:]
    refusals = [e for e in written if e["kind"] == "action_refused"]
    assert [e["user"] for e in written if e["kind"] == "signed_in"] == [initials]
    error = capsys.readouterr().err
    if role in allowed:
        assert (code, refusals) == (exit_code, []), error
    else:
        assert code == EXIT_REFUSED and "not allowed" in error and initials in error
        assert [r["user"] for r in refusals] == [initials]


def test_with_no_account_every_command_says_how_to_make_the_first_admin(tmp_path, capsys):
    """Before any account exists, commands other than init explain `rws init --admin`; init --admin makes one,
    once; without --name it asks for the name."""
    db = f"sqlite:///{tmp_path / 'rws.sqlite3'}"
    assert main(["--db", db, "channels"]) == 1
    assert "rws init --admin INITIALS" in capsys.readouterr().err
    assert main(["--db", db, "init"]) == 0
    assert "No accounts yet" in capsys.readouterr().out
    assert main(["--db", db, "init", "--admin", "MSN"]) == 1
    assert "full name" in capsys.readouterr().err
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RWS_NEW_PASSWORD", TEST_PASSWORD)
        assert main(["--db", db, "init", "--admin", "msn", "--name", "Test Head"]) == 0
        assert "First admin MSN created" in capsys.readouterr().out
        assert main(["--db", db, "init", "--admin", "MGL", "--name", "Someone"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_signing_in_on_the_command_line(tmp_path, capsys, monkeypatch):
    """--user or RWS_USER says who; a wrong password exits 1 and is audited; five lock the account, and even the
    right password is then refused; no password and no terminal is explained."""
    db = tmp_path / "rws.sqlite3"
    add_staff(db, "NEF", "comms")
    url = f"sqlite:///{db}"
    monkeypatch.delenv("RWS_USER", raising=False)
    monkeypatch.delenv("RWS_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--db", url, "channels"]) == 1
    assert "Say who you are: rws --user INITIALS" in capsys.readouterr().err
    assert main(["--db", url, "--user", "NEF", "channels"]) == 1
    assert "set RWS_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("RWS_USER", "NEF")
    monkeypatch.setenv("RWS_PASSWORD", TEST_PASSWORD)
    assert main(["--db", url, "channels"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("RWS_PASSWORD", "wrong password")
    for _ in range(5):
        assert main(["--db", url, "channels"]) == 1
    assert "locked until" in capsys.readouterr().err
    monkeypatch.setenv("RWS_PASSWORD", TEST_PASSWORD)
    assert main(["--db", url, "channels"]) == 1
    kinds = [e["kind"] for e in entries(db) if e["user"] == "NEF"]
    assert kinds[-7:] == ["sign_in_failed"] * 5 + ["account_locked", "sign_in_failed"]
    assert rws(db, "user", "unlock", "NEF") == 0
    assert rws(db, "channels", user="NEF") == 0


def test_a_new_account_must_change_its_first_password(tmp_path, capsys):
    """`user add` sets a temporary password; until its owner changes it every command is refused and audited;
    `user list` shows the state; every stored hash is Argon2id."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "user", "add", "awi", "--name", "Test Sixth Form", "--role", "comms", new_password="temporary password 1") == 0
    assert rws(db, "channels", user="AWI", password="temporary password 1") == EXIT_REFUSED
    assert "must choose a new password" in capsys.readouterr().err
    assert rws(db, "user", "list") == 0
    assert "AWI    Test Sixth Form" in capsys.readouterr().out
    assert rws(db, "user", "passwd", user="AWI", password="temporary password 1", new_password=NEW_PASSWORD) == 0
    assert rws(db, "channels", user="AWI", password=NEW_PASSWORD) == 0
    with sqlite3.connect(db) as connection:
        hashes = [row[0] for row in connection.execute("SELECT password_hash FROM account")]
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)
    assert "temporary password 1" not in json.dumps(entries(db)) and NEW_PASSWORD not in json.dumps(entries(db))


def test_channel_admin_lists_are_changed_listed_and_audited(tmp_path, capsys):
    """`channels admins KEY --set` replaces the list, names initials without an account, shows in `channels`,
    and is an audit entry with the list before and after."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "channels", "admins", "art-instagram", "--set", "trh,AWI") == 0
    out = capsys.readouterr().out
    assert "RWS Art Department: TRH, AWI (set by TST)" in out and "No account yet for: TRH, AWI" in out
    assert rws(db, "channels") == 0
    assert "art-instagram" in (line := next(l for l in capsys.readouterr().out.splitlines() if "art-instagram" in l))
    assert "TRH/AWI" in line
    change = [e for e in entries(db) if e["kind"] == "channel_admins_changed"]
    assert [(c["before"], c["after"]) for c in change] == [(["TRH"], ["TRH", "AWI"])]
    assert rws(db, "channels", "admins", "art-instagram", "--set", "T1") == 1
    assert "not staff initials" in capsys.readouterr().err


def test_the_dpia_is_recorded_and_shown(tmp_path, capsys):
    """`dpia show` says recognition is off until `dpia record`; a date in the future is refused."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "dpia", "show") == 0
    assert "face recognition is off" in capsys.readouterr().out
    assert rws(db, "dpia", "record", "--reference", "DPIA-1", "--date", "2999-01-01", "--dpo", "Test DPO") == 1
    assert "in the future" in capsys.readouterr().err
    assert rws(db, "dpia", "record", "--reference", "DPIA-1", "--date", "2026-09-01", "--dpo", "Test DPO") == 0
    assert rws(db, "dpia", "show") == 0
    assert "DPIA-1 of 2026-09-01, signed off by Test DPO; recorded by TST. Face recognition is on." in capsys.readouterr().out
    (entry,) = [e for e in entries(db) if e["kind"] == "dpia_recorded"]
    assert (entry["reference"], entry["assessed_on"], entry["dpo"], entry["user"]) == ("DPIA-1", "2026-09-01", "Test DPO", "TST")


def test_a_command_that_starts_worker_processes_signs_in_once(school, tmp_path, capsys):
    """`rws vet` over two photos with two worker processes writes one "Signed in" entry: the workers analyse
    without signing in, and nothing in the command signs in a second time."""
    db = tmp_path / "rws.sqlite3"
    shutil.copy(school / "rws.sqlite3", db)
    Image.new("RGB", (120, 90), "lightgreen").save(tmp_path / "sky2.jpg")
    before = len(entries(db))
    assert rws(db, "vet", school / "sky.jpg", tmp_path / "sky2.jpg", "--channel", "instagram", "--out", tmp_path / "out",
               "--workers", "2", user="ADM") == 0, capsys.readouterr().err
    written = entries(db)[before:]
    assert [e["user"] for e in written if e["kind"] == "signed_in"] == ["ADM"]
    assert [e["kind"] for e in written].count("photo_vetted") == 2
