"""Writing report files so that a half-written one never takes the place of a good one."""
from __future__ import annotations

import csv
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ..kernel.spreadsheet import safe_cell


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; it replaces `path` only once written in full."""
    _make_folder(path.parent)
    pending = path.with_name(path.name + ".part")
    pending.unlink(missing_ok=True)  # a stale one, or a planted symlink: never written through
    # Readable by its owner only from its first byte (reports name children), and never through a link.
    os.close(os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))
    try:
        yield pending
        os.replace(pending, path)
    finally:
        pending.unlink(missing_ok=True)


def _make_folder(folder: Path) -> None:
    """Folders made for reports are the owner's only (0700 on Linux and macOS), like the reports."""
    previous = os.umask(0o077) if os.name == "posix" else None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    finally:
        if previous is not None:
            os.umask(previous)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """UTF-8 with a byte-order mark and CRLF line ends, as Excel expects; returns the rows written."""
    count = 0
    with replacing(path) as pending, open(pending, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(value) for value in row])
            count += 1
    return count
