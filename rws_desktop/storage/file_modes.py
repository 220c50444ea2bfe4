"""Files only their owner can read: the SQLite database and the files SQLite makes beside it.

The database file is created 0600 (in a 0700 folder when the app makes the folder) before SQLite
opens it; SQLite gives its -wal and -shm files the database file's own permissions, so they are
0600 from their first byte too. A database file left readable by others by an older version is
made private on the next start.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..paths import make_private_folder

PRIVATE_FILE = 0o600


def make_private_database_file(path: Path) -> None:
    make_private_folder(path.parent)
    if os.name != "posix":
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), PRIVATE_FILE))
        return
    except FileExistsError:
        pass
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077 and candidate.stat().st_uid == os.getuid():
            os.chmod(candidate, mode & 0o700)
