"""`rws backup` and `rws restore`: online copies that are checked, restores refused while the window holds the
database, the previous file kept, and both recorded in the audit log."""
from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys

from rws_cli import register_entries, rws
from rws_desktop.storage.backup import WindowLock


def kinds(db):
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("SELECT json_extract(content, '$.kind') FROM audit_entry ORDER BY seq")]


def people(db):
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM person ORDER BY id")]


def test_a_backup_restores_exactly_and_both_are_logged(tmp_path, capsys):
    """Backup (checked: integrity ok, chain verified), a later change, then restore: the register is back as it
    was, the previous file is kept beside it, the log records the backup (in the old file) and the restore, and
    the restored log verifies."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "person", "add", "--name", "Ada") == 0
    backup = tmp_path / "backups" / "monday.sqlite3"
    backup.parent.mkdir()
    capsys.readouterr()
    assert rws(db, "backup", "--out", backup) == 0
    said = capsys.readouterr().out
    assert "integrity ok; Verified up to entry" in said
    assert not (tmp_path / "backups" / "monday.sqlite3-wal").exists() and not (tmp_path / "backups" / "monday.sqlite3.part").exists()
    if os.name == "posix":
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert rws(db, "person", "add", "--name", "Ben") == 0
    assert "database_backed_up" in kinds(db)
    assert rws(db, "restore", backup) == 0
    kept = [path for path in tmp_path.iterdir() if path.name.startswith("rws.sqlite3.before-restore-")]
    assert len(kept) == 1 and people(kept[0]) == ["Ada", "Ben"]
    assert people(db) == ["Ada"]
    assert kinds(db)[-1] == "database_restored" and "database_backed_up" not in kinds(db)
    capsys.readouterr()
    assert rws(db, "audit", "verify") == 0 and capsys.readouterr().out.startswith("OK: verified up to entry")


def test_a_backup_is_refused_over_an_existing_file_and_a_damaged_backup_is_not_restored(tmp_path, capsys):
    """No backup overwrites an earlier one; a backup file with a flipped byte in an entry fails its check and the
    database is left as it was."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "person", "add", "--name", "Ada") == 0
    backup = tmp_path / "b.sqlite3"
    assert rws(db, "backup", "--out", backup) == 0
    assert rws(db, "backup", "--out", backup) == 1 and "already exists" in capsys.readouterr().err
    with sqlite3.connect(backup) as connection:
        connection.execute("DROP TRIGGER audit_entry_no_update")
        connection.execute("""UPDATE audit_entry SET content = replace(content, '"user":"TST"', '"user":"TSX"') WHERE seq = 3""")
    before = people(db)
    assert rws(db, "restore", backup) == 1
    assert "does not check out, so nothing was restored" in capsys.readouterr().err
    assert people(db) == before and not any(p.name.count("before-restore") for p in tmp_path.iterdir())


def test_restore_is_refused_while_a_window_holds_the_database(tmp_path, capsys):
    """While another process holds the window lock (as the window does), restore says to close the window;
    once that process ends, the lock is gone and the restore goes ahead."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "person", "add", "--name", "Ada") == 0
    backup = tmp_path / "b.sqlite3"
    assert rws(db, "backup", "--out", backup) == 0
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from rws_desktop.storage.backup import WindowLock;"
        f"lock = WindowLock(Path({str(db)!r})); print(lock.acquire(), flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "True"
        assert not WindowLock(db).acquire()
        capsys.readouterr()
        assert rws(db, "restore", backup) == 1
        assert "open in the RWS Photo Check window" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert rws(db, "restore", backup) == 0
    assert register_entries(db)[-1]["kind"] == "database_restored"
