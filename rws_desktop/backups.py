"""Backups and restores of the SQLite database, for admins: the storage steps (storage/backup.py) checked
with the core's chain check, allowed by the session, and recorded in the audit log."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .core.audit.status import check_chain
from .core.kernel.audit_entries import audit_entry
from .core.kernel.permissions import Action
from .core.kernel.session import Session
from .storage import Database, open_database
from .storage.backup import BackupCheck, back_up, integrity_of, restore, sqlite_path


def check_copy(path: Path, like: Database) -> BackupCheck:
    """integrity_check and the audit chain (with the live database's log key) of a database file."""
    # Checked on a scratch copy in a private temporary folder, so the file itself is never changed
    # (opening a database for use switches it to WAL).
    with tempfile.TemporaryDirectory(prefix="rws-check-") as scratch:
        scratch_file = Path(scratch) / "check.sqlite3"
        shutil.copyfile(path, scratch_file)
        integrity = integrity_of(scratch_file)
        if integrity != "ok":
            return BackupCheck(integrity, "the chain was not checked", 0, False)
        copy = open_database(f"sqlite:///{scratch_file}")
        try:
            with copy.snapshot() as tx:
                status = check_chain(tx, key=like.log_key)
        finally:
            copy.close()
    chain = status.describe() + (f" Hash of entry {status.verified_up_to}: {status.last_hash}." if status.last_hash else "")
    return BackupCheck(integrity, chain, status.verified_up_to, status.ok)


def make_backup(database: Database, session: Session, out: Path) -> BackupCheck:
    session.require(Action.BACK_UP)
    result = back_up(database, out, lambda path: check_copy(path, database))
    with database.transaction() as tx:
        tx.audit.append(audit_entry("database_backed_up", session.initials, file=str(out), entries=result.entries,
                                    integrity=result.integrity))
    return result


def restore_backup(database: Database, session: Session, backup: Path) -> tuple[Path, BackupCheck]:
    """Replace the database file with `backup`; the database is closed and must be reopened by the caller."""
    session.require(Action.BACK_UP)
    target = sqlite_path(database)
    key = database.log_key
    database.close()
    kept, result = restore(target, backup, lambda path: check_copy(path, database))
    restored = open_database(f"sqlite:///{target}")
    try:
        restored.use_log_key(key)
        with restored.transaction() as tx:
            tx.audit.append(audit_entry("database_restored", session.initials, file=str(backup), entries=result.entries,
                                        previous_file_kept_as=str(kept)))
    finally:
        restored.close()
    return kept, result
