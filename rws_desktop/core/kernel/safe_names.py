"""How safe copies and the folders they go to are named: one rule for the window's export, `rws vet`, clips and
posting packs alike, so a safe copy can never be mistaken for its original.

- A safe copy is `<original stem> (safe)<suffix>` (`trip.jpg` becomes `trip (safe).jpg`); when that name is
  taken (on disk, pending as a `.part`, or earlier in the same batch) it is `trip (safe) 2.jpg`, then ` 3`, and
  so on: nothing is ever written over an existing file.
- The window's default folder is `<Pictures>/RWS safe copies/<YYYY-MM-DD> <channel name>`, made when exported to.
"""
from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

SAFE_MARK = "(safe)"
PART_SUFFIX = ".part"
# Most file systems allow 255 bytes a name; the pending name adds PART_SUFFIX to the final one.
MAX_NAME_BYTES = 255 - len(PART_SUFFIX)
EXPORTS_FOLDER = "RWS safe copies"
# Characters Windows, macOS or Linux refuse in a folder name (a channel is called "RWS PE/Sport Instagram").
_NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def safe_copy_name(stem: str, suffix: str, number: int = 1) -> str:
    """`stem (safe)suffix`, or `stem (safe) N suffix` from the second on; the stem is shortened where needed so the
    name and its pending `.part` fit the file system."""
    ending = f" {SAFE_MARK}{'' if number == 1 else f' {number}'}{suffix}"
    return _fitting(stem, ending)


def safe_copy_path(source: Path, out_dir: Path, suffix: str, taken: set[str]) -> Path:
    """The first free safe-copy name for `source` in `out_dir`: not in `taken` (names given earlier in this batch,
    lower case; the name chosen is added), not on disk and not pending. Never the name of an existing file."""
    number = 1
    name = safe_copy_name(source.stem, suffix)
    while name.lower() in taken or os.path.lexists(out_dir / name) or os.path.lexists(out_dir / (name + PART_SUFFIX)):
        number += 1
        name = safe_copy_name(source.stem, suffix, number)
    taken.add(name.lower())
    return out_dir / name


def export_folder_name(day: date, channel_name: str) -> str:
    """`2026-12-01 RWS Instagram`: the day and the channel, with anything a file system refuses taken out."""
    channel = " ".join(_NOT_IN_NAMES.sub("-", channel_name).split()).strip(". ")
    return f"{day:%Y-%m-%d} {channel}".strip()


def default_export_folder(pictures: Path, day: date, channel_name: str) -> Path:
    """Where a day's safe copies for a channel go unless staff choose otherwise."""
    return pictures / EXPORTS_FOLDER / export_folder_name(day, channel_name)


def _fitting(stem: str, ending: str) -> str:
    """`stem + ending`, the stem cut (on a character boundary) so the whole is at most MAX_NAME_BYTES."""
    room = MAX_NAME_BYTES - len(os.fsencode(ending))
    raw = os.fsencode(stem)
    if len(raw) <= room:
        return stem + ending
    cut = raw[:room]
    while cut:
        try:
            cut.decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            if exc.start < len(cut) - 4:  # not UTF-8 anyway: keep the bytes as the file system has them
                break
            cut = cut[:-1]
    return os.fsdecode(cut) + ending
