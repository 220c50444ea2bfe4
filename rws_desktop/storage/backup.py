"""Backing up and restoring the SQLite database, safely while the app may be running.

A backup is taken with SQLite's online backup API (a consistent copy even while another
process writes), written as FILE.part and renamed into place, readable by its owner only, and
then checked: `PRAGMA integrity_check` and the audit chain with its seals. A restore is refused
while a window holds the database (the window lock below), checks the backup the same way first,
and keeps the previous file beside it. Both are recorded in the audit log.

PostgreSQL is backed up with pg_dump / pg_restore instead (see the README).
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from .errors import StorageError

WINDOW_LOCK_SUFFIX = ".window-lock"


@dataclass(frozen=True)
class BackupCheck:
    integrity: str  # "ok", or SQLite's first complaint
    chain: str  # the chain check, as `rws audit verify` words it
    entries: int
    ok: bool


def sqlite_path(database) -> Path:
    if database.dialect_name != "sqlite" or not database.engine.url.database or database.engine.url.database == ":memory:":
        raise StorageError("Backups with rws backup are for the SQLite database; for PostgreSQL use pg_dump (see the README).")
    return Path(database.engine.url.database).expanduser().resolve()


def back_up(database, out: Path, check: Callable[[Path], BackupCheck]) -> BackupCheck:
    """Copy the live database to `out` with the online backup API, then check the copy. `out` must not exist."""
    source = sqlite_path(database)
    out = out.expanduser().resolve()
    if out.exists():
        raise StorageError(f"{out} already exists; choose a new name so no earlier backup is overwritten.")
    if out == source:
        raise StorageError("A backup cannot be written over the database itself.")
    part = out.with_name(out.name + ".part")
    _private_new_file(part)
    try:
        with _connection(source) as live, _connection(part) as copy:
            live.backup(copy, pages=1024)  # in steps, so writers are not held up for the whole copy
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        result = check(part)
        if not result.ok:
            raise StorageError(f"The backup was made but does not check out, so it was not kept: "
                               f"integrity {result.integrity}; {result.chain}")
        os.replace(part, out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return result


def integrity_of(path: Path) -> str:
    try:
        with _connection(path) as connection:
            rows = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as error:
        return f"not an SQLite database ({error})"
    return "ok" if rows == ["ok"] else "; ".join(rows[:3])


def restore(target: Path, backup: Path, check: Callable[[Path], BackupCheck]) -> tuple[Path, BackupCheck]:
    """Put `backup` in place of `target`, keeping the previous file; returns where it was kept."""
    target, backup = target.expanduser().resolve(), backup.expanduser().resolve()
    if not backup.is_file():
        raise StorageError(f"There is no backup file at {backup}.")
    if window_holds(target):
        raise StorageError("The database is open in the RWS Photo Check window on this computer. Close the window, "
                           "then restore.")
    result = check(backup)
    if not result.ok:
        raise StorageError(f"That backup does not check out, so nothing was restored: integrity {result.integrity}; {result.chain}")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    kept = target.with_name(f"{target.name}.before-restore-{stamp}")
    if target.exists():
        with _connection(target) as connection:  # everything into the main file, so it alone is kept
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(target, kept)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    part = target.with_name(target.name + ".restore.part")
    _private_new_file(part)
    try:
        with _connection(backup, read_only=True) as source, _connection(part) as copy:
            source.backup(copy)
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        if kept.exists() and not target.exists():
            os.replace(kept, target)  # put the previous file back
        raise
    return kept, result


# The window lock: held by the window for as long as it has the database open.

def window_lock_path(database_file: Path) -> Path:
    return database_file.with_name(database_file.name + WINDOW_LOCK_SUFFIX)


class WindowLock:
    """An OS file lock the window holds; it goes when the process ends, even if killed."""

    def __init__(self, database_file: Path):
        self.path = window_lock_path(database_file)
        self._handle = None

    def acquire(self) -> bool:
        _private_new_file(self.path, exist_ok=True)
        handle = open(self.path, "r+b")
        if not _try_lock(handle):
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the lock
            self._handle = None


def window_holds(database_file: Path) -> bool:
    path = window_lock_path(database_file)
    if not path.exists():
        return False
    with open(path, "r+b") as handle:
        if _try_lock(handle):
            _unlock(handle)
            return False
        return True


def _try_lock(handle) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle) -> None:
    if os.name == "nt":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _private_new_file(path: Path, exist_ok: bool = False) -> None:
    """Create `path` readable by its owner only, from the first byte (0600 on Linux and macOS)."""
    flags = os.O_WRONLY | os.O_CREAT | (0 if exist_ok else os.O_EXCL) | getattr(os, "O_NOFOLLOW", 0)
    if not exist_ok and path.exists():
        path.unlink()  # a stale .part from an interrupted run
    os.close(os.open(path, flags, 0o600))


@contextmanager
def _connection(path: Path, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    connection = sqlite3.connect(uri, uri=True, timeout=10)
    try:
        yield connection
    finally:
        connection.close()
