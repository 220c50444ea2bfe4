"""Which paths a batch vets: every file given, and every file inside the folders given.

Nothing found is dropped without a word. A folder is walked without following links to folders
(no loops), and a subfolder that cannot be opened is itself an item of the batch, so its report
entry says so while the rest of the batch goes on. Every other entry (a photo with any suffix or
none, a text file, a FIFO, a dangling link) goes to the loader, which looks at the content, never
the suffix, and either vets the photo or says in plain words why it cannot. Clips (issue 16) are
collected by core/clips and left out here.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..clips.media import CLIP_SUFFIXES

# Files that operating systems leave in photo folders; they are nobody's photo, so naming each one in
# the report would only bury the real entries.
SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini", ".directory"})


def collect_photos(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and everything inside folders (recursively, in name order) except clips and
    the operating system's own files; a folder that cannot be read is listed itself."""
    found: list[Path] = []
    for path in paths:
        if _is_folder(path):  # a folder given by a link is walked; links to folders inside it are not
            found += _walk(path)
        else:
            found.append(path)
    return found


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _walk(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return [folder]  # the loader reports it: "This folder could not be opened..."
    found: list[Path] = []
    for entry in entries:
        path = Path(entry.path)
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_folder = False
        if is_folder:
            found += _walk(path)
        elif entry.name.lower() in SYSTEM_FILES or entry.name.startswith("._"):
            continue
        elif os.path.splitext(entry.name)[1].lower() in CLIP_SUFFIXES:
            continue
        else:
            found.append(path)
    return found
