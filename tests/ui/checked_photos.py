"""Photos placed in the real vetting workspace as if the check had just returned them, without the face engine:
a made-up picture, and the faces the test wants where it wants them. For tests of what the review shows and
how export names and places files, which need no face found for real."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.imaging import file_sha256
from rws_desktop.core.kernel.consent import FaceConsent
from rws_desktop.core.kernel.decisions import Action, Decision
from rws_desktop.core.vetting.analysis import FaceReport, PhotoResult, overall_decision

from rws_cli import add_staff
from vetting_window import open_window


def comms_window(qtbot, folder: Path, settings, initials: str = "MSN"):
    """The real window over a new register, signed in as `initials` (comms; MSN administers WhatsApp and
    Instagram in the policy), on Instagram. Returns (window, answers, db)."""
    db = folder / "rws.sqlite3"
    add_staff(db, initials, "comms")
    window, answers = open_window(qtbot, db, settings, user=initials)
    workspace = window.vetting
    workspace.channel.setCurrentIndex(workspace.channel.findData("instagram"))
    return window, answers, db


def made_up_photo(path: Path, size: tuple[int, int] = (800, 600), seed: int = 1) -> Path:
    """A JPEG of coloured noise: every part of it has fine detail, so a blur is seen to remove it."""
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path, quality=92)
    return path


def shown(box: Box, person_id: int, distance: float = 0.32) -> FaceReport:
    return FaceReport(box, person_id, distance, FaceConsent.GRANTED, Action.SHOWN, "consent granted for this channel",
                      strong_match_id=person_id)


def blurred(box: Box, reason: str = "not enrolled or not recognised", consent: FaceConsent = FaceConsent.UNKNOWN_PERSON,
            person_id: int | None = None, distance: float | None = 0.71) -> FaceReport:
    return FaceReport(box, person_id, distance, consent, Action.BLURRED, reason)


def add_checked(qtbot, window, path: Path, faces: list[FaceReport], names: dict[int, str] | None = None):
    """Put `path` in the batch as checked with `faces`, select it and wait until its original and safe version are
    drawn. Returns its BatchItem."""
    workspace = window.vetting
    decision, reason = overall_decision(faces, False)
    assert decision in (Decision.APPROVED, Decision.REDACTED)
    result = PhotoResult(path, decision, reason, faces, source_sha256=file_sha256(path.read_bytes()))
    item = workspace.batch.add([path])[0]
    workspace.batch.analysed(item, result)
    workspace.presenter.names.update(names or {})
    workspace.model.appended(1)
    workspace.photos.setCurrentIndex(workspace.model.index(workspace.batch.row_of(item)))
    qtbot.waitUntil(lambda: workspace._original is not None and workspace._safe is not None, timeout=20_000)
    workspace.export_button.setEnabled(workspace.batch.to_export())
    return item
