"""Which files a batch is given: every file named, and every file inside the folders named. Photos
(core/vetting/inputs.py) and clips (core/clips/service.py) are found by this one walk, so the same
rules hold for both:

- a folder is walked recursively, each level in name order; a link to a folder inside it is not
  followed (so no loop), but listed, so its report entry says so;
- a subfolder that cannot be opened is listed itself, so its report entry says so while the rest
  of the batch goes on;
- every other entry is listed whatever its name: hidden names, names with no suffix, a trailing
  space or bytes that are not UTF-8 (kept as Python keeps them, surrogate-escaped), FIFOs, links
  to files and dangling links; the loaders look at each and vet it or say why not;
- only the files operating systems leave in photo folders (.DS_Store, Thumbs.db, desktop.ini,
  .directory and macOS's `._` companions) are left out: they are nobody's photo or clip, and naming
  each one in the report would only bury the real entries.
"""
from __future__ import annotations

import os
from pathlib import Path

SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini", ".directory"})


def is_folder(path: Path) -> bool:
    """A folder (or a link to one, when it is named itself); False when it cannot even be looked at."""
    try:
        return path.is_dir()
    except OSError:
        return False


def is_system_file(name: str) -> bool:
    return name.lower() in SYSTEM_FILES or name.startswith("._")


def folder_contents(folder: Path) -> list[Path]:
    """Every entry inside `folder` (recursively, in name order) but the system files; a subfolder that
    cannot be opened is listed itself, and so is `folder` when it cannot be."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return [folder]
    found: list[Path] = []
    for entry in entries:
        path = Path(entry.path)
        try:
            inside = entry.is_dir(follow_symlinks=False)
        except OSError:
            inside = False
        if inside:
            found += folder_contents(path)
        elif not is_system_file(entry.name):
            found.append(path)
    return found
