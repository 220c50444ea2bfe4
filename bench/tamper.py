"""Tampering with the audit log and the register as an attacker who can write the database file.

    uv run python bench/tamper.py            # every case; the consent case vets a real photo when the
                                             # shared test photos are there (RWS_TESTDATA)
    uv run python bench/tamper.py --quick    # no photo vetting: the consent case checks what a vet reads

Builds a small register and log with the app (keys in a temporary folder, never the keyring),
saves a checkpoint, then, each on a fresh copy of the database, changes it behind the app's back
and runs `rws audit verify` (with and without the checkpoint). Prints each case and caught/missed;
exits 1 if any case was missed.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from unittest import mock

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from rws_desktop.core.kernel.audit_chain import GENESIS_HASH, canonical_json, chain_hash  # noqa: E402
from rws_desktop.core.kernel.audit_seal import LogKey, log_key_id  # noqa: E402
from rws_desktop.storage.row_seals import SEALED_FIELDS  # noqa: E402

PASSWORD = "tamper harness password 1"
ADMIN = "ADM"


@dataclass
class Outcome:
    case: str
    caught: bool
    how: str


class Lab:
    """One built database and its keys, and a way to run `rws` against copies of it."""

    def __init__(self, folder: Path, testdata: Path | None):
        self.folder = folder
        self.base = folder / "base.sqlite3"
        self.testdata = testdata
        self.people: dict[str, int] = {}

    def rws(self, db: Path, *args: str) -> tuple[int, str]:
        from rws_desktop.cli import main

        out, err = io.StringIO(), io.StringIO()
        environment = {"RWS_DATA_DIR": str(self.folder / "data"), "RWS_PASSWORD": PASSWORD, "RWS_NEW_PASSWORD": PASSWORD,
                       "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        with mock.patch.dict(os.environ, environment), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--db", f"sqlite:///{db}", "--user", ADMIN, *map(str, args)])
        return code, out.getvalue() + err.getvalue()

    def must(self, db: Path, *args: str) -> str:
        code, text = self.rws(db, *args)
        if code != 0:
            raise RuntimeError(f"rws {' '.join(map(str, args))} failed: {text}")
        return text

    def build(self, vet: bool) -> None:
        from rws_desktop.cli import main

        environment = {"RWS_DATA_DIR": str(self.folder / "data"), "RWS_PASSWORD": PASSWORD, "RWS_NEW_PASSWORD": PASSWORD,
                       "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        with mock.patch.dict(os.environ, environment), contextlib.redirect_stdout(io.StringIO()):
            assert main(["--db", f"sqlite:///{self.base}", "init", "--admin", ADMIN, "--name", "Admin"]) == 0
        self.must(self.base, "user", "roles", ADMIN, "--role", "admin", "--role", "office", "--role", "auditor", "--role", "comms")
        self.must(self.base, "dpia", "record", "--reference", "DPIA-1", "--date", "2026-01-05", "--dpo", "A DPO")
        for name in ("Barack Obama", "Joe Biden", "Ada Pupil"):
            self.people[name] = int(self.must(self.base, "person", "add", "--name", name, "--kind", "staff").strip())
        for person in self.people.values():
            self.must(self.base, "consent", "set", person, "--channel", "all", "--status", "granted")
        obama = self.people["Barack Obama"]
        if vet:
            self.must(self.base, "biometric", "set", obama, "--adult-consent", "yes")
            train = sorted((self.testdata / "photos/people/train/obama").iterdir())
            self.must(self.base, "enroll", obama, *train)
            out = self.must(self.base, "vet", self.testdata / "photos/people/test/obama1.jpg", "--channel", "instagram",
                            "--out", self.folder / "before")
            assert "1 approved" in out, out
        # Consent is then withdrawn, as the attacker will try to undo in the table.
        self.must(self.base, "consent", "set", obama, "--channel", "all", "--status", "withdrawn")
        self.must(self.base, "consent", "set", self.people["Ada Pupil"], "--channel", "instagram", "--status", "refused")
        self.checkpoint = self.folder / "checkpoint.json"
        self.must(self.base, "audit", "checkpoint", "--out", self.checkpoint)

    def copy(self, name: str) -> Path:
        db = self.folder / f"{name}.sqlite3"
        shutil.copy(self.base, db)
        return db

    def log_key(self) -> LogKey:
        """What an attacker who also stole the key file would hold."""
        from rws_desktop import app

        keys = app.default_key_store(self.folder / "data")  # the key file; under pytest, the tests' key store
        with sqlite3.connect(self.base) as connection:
            (template_id,) = connection.execute("SELECT key_id FROM template_key").fetchone()
        key_id = log_key_id(template_id)
        return LogKey(keys.load(key_id), key_id)


# Raw SQL, as an attacker with the file would write it.

def _open(db: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(db, isolation_level=None)
    for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        connection.execute(f"DROP TRIGGER {name}")
    return connection


def _entries(connection) -> list[tuple[int, str, str, str, str | None]]:
    return connection.execute("SELECT seq, previous_hash, entry_hash, content, mac FROM audit_entry ORDER BY seq").fetchall()


def _recompute(connection, key: LogKey | None, strip_macs: bool = False) -> None:
    """Rechain every entry after a rewrite; with the key, reseal entries, head and register rows too."""
    previous = GENESIS_HASH
    seq = 0
    for seq, _, _, content, mac in _entries(connection):
        entry_hash = chain_hash(previous, content)
        new_mac = None if strip_macs else (key.entry_mac(seq, entry_hash) if key else mac)
        connection.execute("UPDATE audit_entry SET previous_hash = ?, entry_hash = ?, mac = ? WHERE seq = ?",
                           (previous, entry_hash, new_mac, seq))
        previous = entry_hash
    head_mac = key.head_mac(seq, previous) if key else None
    connection.execute("UPDATE audit_head SET last_seq = ?, last_entry_hash = ?, head_mac = ?", (seq, previous, head_mac))
    if key:
        for table in SEALED_FIELDS:
            connection.row_factory = sqlite3.Row
            rows = connection.execute(f"SELECT rowid AS rid, * FROM {table}").fetchall()
            connection.row_factory = None
            for row in rows:
                fields = {name: _typed(table, name, row[name]) for name in SEALED_FIELDS[table]}
                connection.execute(f"UPDATE {table} SET seal = ?, sealed_seq = ? WHERE rowid = ?",
                                   (key.row_seal(table, fields, row["sealed_seq"]), row["sealed_seq"], row["rid"]))


def _typed(table: str, name: str, value):
    """Values as SQLAlchemy hands them to the seal (dates as dates, booleans as booleans)."""
    from datetime import date

    if value is None:
        return None
    if name in ("date_of_birth", "leaving_date", "given_on", "expires_on", "recorded_on"):
        return date.fromisoformat(value)
    if name in ("may_be_named", "parent_consent", "parent_objection", "pupil_objection", "adult_consent"):
        return bool(value)
    return value


def _rewrite_withdrawal(connection) -> int:
    """Turn the logged withdrawal of Obama's consent into a grant; returns its seq."""
    for seq, _, _, content, _ in _entries(connection):
        entry = json.loads(content)
        if entry.get("kind") == "photo_consent_set" and entry.get("status") == "withdrawn":
            entry["status"] = "granted"
            connection.execute("UPDATE audit_entry SET content = ? WHERE seq = ?", (canonical_json(entry), seq))
            return seq
    raise RuntimeError("no withdrawal in the log")


def _grant_again_in_table(connection, person_id: int) -> None:
    connection.execute("UPDATE photo_consent SET status = 'granted' WHERE person_id = ? AND channel = 'all'", (person_id,))


# The cases: each changes a copy, then says whether the app noticed.

def case_changed_byte(lab: Lab) -> Outcome:
    db = lab.copy("byte")
    with contextlib.closing(_open(db)) as connection:
        seq, _, _, content, _ = _entries(connection)[5]
        at = content.index('"user":"') + len('"user":"')  # one letter of the initials: the JSON stays valid
        changed = content[:at] + ("Y" if content[at] != "Y" else "Z") + content[at + 1:]
        assert len(changed.encode()) == len(content.encode()) and sum(a != b for a, b in zip(changed, content)) == 1
        connection.execute("UPDATE audit_entry SET content = ? WHERE seq = ?", (changed, seq))
    return _verdict("one changed byte", lab, db)


def case_deleted_tail(lab: Lab) -> Outcome:
    db = lab.copy("tail")
    with contextlib.closing(_open(db)) as connection:
        entries = _entries(connection)
        keep = entries[-6]
        for table in ("audit_entry", "audit_index", "audit_person"):
            connection.execute(f"DELETE FROM {table} WHERE seq > ?", (keep[0],))
        connection.execute("UPDATE audit_head SET last_seq = ?, last_entry_hash = ?", (keep[0], keep[2]))
    return _verdict("last 5 entries deleted, head rewound", lab, db)


def case_swapped(lab: Lab) -> Outcome:
    db = lab.copy("swap")
    with contextlib.closing(_open(db)) as connection:
        a, b = _entries(connection)[7:9]
        connection.execute("UPDATE audit_entry SET seq = -1 WHERE seq = ?", (a[0],))
        connection.execute("UPDATE audit_entry SET seq = ? WHERE seq = ?", (a[0], b[0]))
        connection.execute("UPDATE audit_entry SET seq = ? WHERE seq = -1", (b[0],))
    return _verdict("two entries swapped", lab, db)


def case_forged_append(lab: Lab) -> Outcome:
    db = lab.copy("forged")
    with contextlib.closing(_open(db)) as connection:
        last_seq, _, last_hash, _, last_mac = _entries(connection)[-1]
        seq = last_seq + 1
        forged = canonical_json({"kind": "photo_consent_set", "at": "2026-12-01T09:00:00.000000Z", "user": "MSN",
                                 "person_id": lab.people["Barack Obama"], "channel": "all", "status": "granted"})
        entry_hash = chain_hash(last_hash, forged)
        # The attacker copies a MAC from elsewhere, as the best guess without the key.
        connection.execute("INSERT INTO audit_entry (seq, previous_hash, entry_hash, content, mac) VALUES (?, ?, ?, ?, ?)",
                           (seq, last_hash, entry_hash, forged, last_mac))
        connection.execute("INSERT INTO audit_index (seq, at_utc, kind, user_name, channel) VALUES (?, ?, ?, ?, ?)",
                           (seq, "2026-12-01 09:00:00.000000", "photo_consent_set", "MSN", "all"))
        connection.execute("INSERT INTO audit_person (seq, person_id) VALUES (?, ?)", (seq, lab.people["Barack Obama"]))
        connection.execute("UPDATE audit_head SET last_seq = ?, last_entry_hash = ?", (seq, entry_hash))
    return _verdict("forged entry appended (entry, index, person rows; head moved on)", lab, db)


def case_consent_row(lab: Lab, vet: bool) -> Outcome:
    db = lab.copy("consent")
    obama = lab.people["Barack Obama"]
    with contextlib.closing(_open(db)) as connection:
        _grant_again_in_table(connection, obama)
    code, text = lab.rws(db, "audit", "verify")
    named = code == 1 and f"photo consent of person {obama} for all" in text
    if vet:
        out = lab.must(db, "vet", lab.testdata / "photos/people/test/obama1.jpg", "--channel", "instagram",
                       "--out", lab.folder / "after")
        blurred = "0 approved" in out and "approved obama1.jpg" not in out
        how = f"verify names the row: {named}; next vet: {out.strip().splitlines()[-1]}"
    else:
        blurred = _reads_no_consent(lab, db, obama)
        how = f"verify names the row: {named}; the register a vet reads gives no consent: {blurred}"
    return Outcome("withdrawn consent set back to granted in the table", named and blurred, how)


def _reads_no_consent(lab: Lab, db: Path, person_id: int) -> bool:
    from rws_desktop.app import App
    from rws_desktop.core.kernel.consent import FaceConsent, show_decision

    with mock.patch.dict(os.environ, {"RWS_DATA_DIR": str(lab.folder / "data"),
                                      "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}):
        app = App.open(f"sqlite:///{db}", workers=1)
    try:
        with app.database.snapshot() as tx:
            person = tx.register.get_person(person_id)
            consents = tx.register.all_photo_consents().get(person_id, [])
        from datetime import date

        return show_decision(person, consents, "instagram", date.today()).consent is FaceConsent.NO_CONSENT
    finally:
        app.close()


def case_rewrite_without_key(lab: Lab) -> list[Outcome]:
    db = lab.copy("rewrite")
    with contextlib.closing(_open(db)) as connection:
        _rewrite_withdrawal(connection)
        _grant_again_in_table(connection, lab.people["Barack Obama"])
        _recompute(connection, key=None)
    stripped = lab.copy("rewrite-stripped")
    with contextlib.closing(_open(stripped)) as connection:
        _rewrite_withdrawal(connection)
        _grant_again_in_table(connection, lab.people["Barack Obama"])
        _recompute(connection, key=None, strip_macs=True)
    return [_verdict("full recomputed rewrite without the key", lab, db),
            _verdict("full recomputed rewrite without the key, every MAC removed", lab, stripped),
            _verdict("full recomputed rewrite without the key, against the checkpoint", lab, db, lab.checkpoint)]


def case_rewrite_with_key(lab: Lab) -> Outcome:
    db = lab.copy("rewrite-key")
    with contextlib.closing(_open(db)) as connection:
        _rewrite_withdrawal(connection)
        _grant_again_in_table(connection, lab.people["Barack Obama"])
        _recompute(connection, key=lab.log_key())
    code, alone = lab.rws(db, "audit", "verify")
    outcome = _verdict("full recomputed rewrite with the key, against the checkpoint", lab, db, lab.checkpoint)
    first = alone.strip().splitlines()[-1] if alone.strip() else ""
    return Outcome(outcome.case, outcome.caught, f"{outcome.how} (verify without the checkpoint: {first[:60]}…)")


def _verdict(case: str, lab: Lab, db: Path, checkpoint: Path | None = None) -> Outcome:
    args = ["audit", "verify"] + (["--checkpoint", str(checkpoint)] if checkpoint else [])
    code, text = lab.rws(db, *args)
    lines = [line for line in text.strip().splitlines() if line]
    said = next((line for line in lines if line.startswith(("BROKEN", "NOT VERIFIED"))), lines[-1] if lines else "")
    return Outcome(case, code == 1, said[:160])


def run(quick: bool = False, testdata: Path | None = None, show: Callable[[str], None] = print) -> list[Outcome]:
    testdata = testdata or Path(os.environ.get("RWS_TESTDATA", REPO.parent / "shared" / "testdata"))
    vet = not quick and (testdata / "photos").is_dir()
    with tempfile.TemporaryDirectory(prefix="rws-tamper-") as folder:
        lab = Lab(Path(folder), testdata)
        lab.build(vet)
        outcomes = [case_changed_byte(lab), case_deleted_tail(lab), case_swapped(lab), case_forged_append(lab),
                    case_consent_row(lab, vet), *case_rewrite_without_key(lab), case_rewrite_with_key(lab)]
        # The untouched copy must still verify, or "caught" would mean nothing.
        code, text = lab.rws(lab.copy("untouched"), "audit", "verify", "--checkpoint", str(lab.checkpoint))
        if code != 0:
            raise RuntimeError(f"the untouched database does not verify: {text}")
    for outcome in outcomes:
        show(f"{'caught' if outcome.caught else 'MISSED'}  {outcome.case}: {outcome.how}")
    missed = sum(not outcome.caught for outcome in outcomes)
    show(f"{len(outcomes)} cases, {len(outcomes) - missed} caught, {missed} missed"
         f" ({'with' if vet else 'without'} a real vet for the consent case; untouched copy verified OK)")
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip vetting a real photo (for CI)")
    args = parser.parse_args()
    outcomes = run(quick=args.quick)
    return 0 if all(outcome.caught for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
