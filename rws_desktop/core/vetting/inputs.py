"""Which paths a batch vets as photos: every file given, and every file inside the folders given
that is not a clip (clips are vetted by core/clips, from the same walk: core/kernel/media_paths.py).

Nothing found is dropped without a word: a subfolder that cannot be opened, a link to a folder, a
text file, a FIFO, a dangling link each go to the loader, which looks at the content, never the
suffix, and either vets the photo or says in plain words why it cannot.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..clips.media import is_clip
from ..kernel.media_paths import SYSTEM_FILES, folder_contents, is_folder

__all__ = ["SYSTEM_FILES", "collect_photos"]


def collect_photos(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and everything inside folders (recursively, in name order) except clips and
    the operating system's own files; a folder that cannot be read is listed itself."""
    found: list[Path] = []
    for path in paths:
        if is_folder(path):  # a folder given by a link is walked; links to folders inside it are not
            found += [inside for inside in folder_contents(path) if not is_clip(inside)]
        else:
            found.append(path)
    return found
