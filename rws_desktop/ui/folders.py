"""Where file pickers start: the folder last used for the same purpose (kept in the account's settings), else the
platform's Pictures folder for photos or its Documents folder for spreadsheets and reports, else the home folder.
Never the current directory, and never the folder of some other purpose (a CSV picker opening among the photos)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

# Purposes: the settings key each remembers its folder under, and the standard folder it starts in otherwise.
PHOTOS = "folders/photos"  # photos and clips to vet
REFERENCE_PHOTOS = "folders/reference_photos"  # a person's reference faces
MIS_EXPORTS = "folders/mis_exports"  # the MIS's CSV export
SAVED_LISTS = "folders/saved_lists"  # lists the register saves (photos to take down)
AUDIT_REPORTS = "folders/audit_reports"  # the audit log's CSV, PDF and checkpoints
POSTING_PACKS = "folders/posting_packs"  # where posting packs are made
EXPORTS_PARENT = "folders/safe_copies_parent"  # the folder holding the dated safe-copy folders
KEY_FILES = "folders/key_files"  # the reference-face key's sealed file, exported for a second PC or imported

PICTURES = QStandardPaths.StandardLocation.PicturesLocation
DOCUMENTS = QStandardPaths.StandardLocation.DocumentsLocation
STARTS_IN = {PHOTOS: PICTURES, REFERENCE_PHOTOS: PICTURES, POSTING_PACKS: PICTURES, EXPORTS_PARENT: PICTURES,
             MIS_EXPORTS: DOCUMENTS, SAVED_LISTS: DOCUMENTS, AUDIT_REPORTS: DOCUMENTS, KEY_FILES: DOCUMENTS}


def standard_folder(location: QStandardPaths.StandardLocation) -> Path:
    """The platform's Pictures or Documents folder, or the home folder when the platform names none."""
    found = QStandardPaths.writableLocation(location)
    return Path(found) if found else Path.home()


def pictures_folder() -> Path:
    return standard_folder(PICTURES)


def start_folder(settings, purpose: str) -> Path:
    """The folder a picker for `purpose` opens in: the last one used for it while it still exists, else the
    purpose's standard folder when it exists, else the home folder."""
    remembered = settings.value(purpose)
    if isinstance(remembered, str) and remembered and Path(remembered).is_dir():
        return Path(remembered)
    standard = standard_folder(STARTS_IN[purpose])
    return standard if standard.is_dir() else Path.home()


def remember_folder(settings, purpose: str, folder: Path) -> None:
    settings.setValue(purpose, str(folder))
