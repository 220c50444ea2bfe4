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
    path.parent.mkdir(parents=True, exist_ok=True)
    pending = path.with_name(path.name + ".part")
    try:
        yield pending
        os.replace(pending, path)
    finally:
        pending.unlink(missing_ok=True)


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
