"""Calling the `rws` command line from tests.

Every database the tests make through `rws` starts with one account, TST, holding every role,
and the commands run signed in as TST unless told otherwise; the password reaches the command
through RWS_PASSWORD, as in a script. Tests about who may do what name their own accounts.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

from rws_desktop.cli import main
from sessions import TEST_PASSWORD

STAFF = "TST"
ALL_ROLES = ("admin", "office", "comms", "auditor")
TEMPORARY_PASSWORD = "temporary password 123"
KEY_PASSPHRASE = "the test key passphrase"  # seals key files `rws key export` writes
# Entries about accounts and the key, which every command may add by signing in.
ACCESS_KINDS = frozenset({"signed_in", "sign_in_failed", "account_added", "account_roles_changed", "password_changed",
                          "reference_face_key_created", "dpia_recorded"})


def rws(db: Path, *args, user: str | None = STAFF, password: str = TEST_PASSWORD, new_password: str | None = None,
        key_passphrase: str | None = KEY_PASSPHRASE) -> int:
    """`rws --db DB --user USER ARGS...`; `key_passphrase` None leaves $RWS_KEY_PASSPHRASE as the caller set it."""
    ensure_staff(db)
    environment = {"RWS_PASSWORD": password}
    if key_passphrase is not None:
        environment["RWS_KEY_PASSPHRASE"] = key_passphrase
    if new_password is not None:
        environment["RWS_NEW_PASSWORD"] = new_password
    who = ["--user", user] if user else []
    with mock.patch.dict(os.environ, environment):
        return main(["--db", f"sqlite:///{db}", *who, *map(str, args)])


def run_json(capsys, db: Path, *args):
    assert rws(db, *args) == 0
    return json.loads(capsys.readouterr().out)


def ensure_staff(db: Path) -> None:
    """Create TST with every role, quietly, if the database has no account yet."""
    if _has_accounts(db):
        return
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        with mock.patch.dict(os.environ, {"RWS_NEW_PASSWORD": TEST_PASSWORD, "RWS_PASSWORD": TEST_PASSWORD}):
            assert main(["--db", f"sqlite:///{db}", "init", "--admin", STAFF, "--name", "Test Staff"]) == 0
            roles = [part for role in ALL_ROLES for part in ("--role", role)]
            assert main(["--db", f"sqlite:///{db}", "--user", STAFF, "user", "roles", STAFF, *roles]) == 0


def add_staff(db: Path, initials: str, *roles: str) -> None:
    """An account with these roles whose temporary password has already been replaced by TEST_PASSWORD."""
    with contextlib.redirect_stdout(io.StringIO()):
        role_args = [part for role in roles for part in ("--role", role)]
        assert rws(db, "user", "add", initials, "--name", f"Test {initials}", *role_args, new_password=TEMPORARY_PASSWORD) == 0
        assert rws(db, "user", "passwd", user=initials, password=TEMPORARY_PASSWORD, new_password=TEST_PASSWORD) == 0


def record_dpia(db: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        assert rws(db, "dpia", "record", "--reference", "DPIA-TEST-1", "--date", date.today() - timedelta(days=30),
                   "--dpo", "Test DPO") == 0


def register_entries(db: Path) -> list[dict]:
    """The audit log's entries, less those about accounts and the key."""
    with sqlite3.connect(db) as connection:
        entries = [json.loads(row[0]) for row in connection.execute("SELECT content FROM audit_entry ORDER BY seq")]
    return [entry for entry in entries if entry["kind"] not in ACCESS_KINDS]


def _has_accounts(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        with contextlib.closing(sqlite3.connect(db)) as connection:
            return connection.execute("SELECT count(*) FROM account").fetchone()[0] > 0
    except sqlite3.OperationalError:  # made before accounts existed
        return False
