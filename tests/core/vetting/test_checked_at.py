"""A photo_vetted entry says when the photo's check finished (`checked_at`), besides when it was written (`at`,
the export in the window, after any corrections): issue 14's "Photo vetted entries carry the export time"."""
from __future__ import annotations

import time
from datetime import date, datetime, timezone
from pathlib import Path
from unittest.mock import MagicMock

import numpy as np
from PIL import Image

from rws_desktop.core.audit.describe import EntryDescriber
from rws_desktop.core.audit.names import NameResolver
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.redaction import Shape
from rws_desktop.core.kernel.audit_entries import PhotoVetted
from rws_desktop.core.kernel.audit_index import parse_utc
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.core.vetting.analysis import PhotoAnalyser, analyse_photo
from rws_desktop.core.vetting.review import PhotoReview
from rws_desktop.core.vetting.review_service import ReviewService
from sessions import signed_in

TODAY = date(2026, 11, 24)
CHANNEL = "instagram"
OLD_ENTRY = {"kind": "photo_vetted", "at": "2026-07-02T09:05:00.000000Z", "user": "MSN", "channel": CHANNEL,
             "source_name": "trip.jpg", "source_sha256": "ab" * 32, "output_name": "trip (safe).jpg",
             "output_sha256": "cd" * 32, "decision": "approved", "reason": "no faces found", "faces": []}


def no_faces() -> PhotoAnalyser:
    analyser = MagicMock(spec=PhotoAnalyser)
    analyser.analyse.return_value = []
    return analyser


def photo(path: Path) -> Path:
    Image.fromarray(np.random.default_rng(3).integers(0, 255, (200, 400, 3), dtype=np.uint8)).save(path, quality=95)
    return path


def test_the_check_s_time_is_kept_and_logged_before_the_corrections_and_the_export(store, channels, tmp_path):
    """analyse_photo stamps the result when its check finishes; an area blurred by hand afterwards and the export
    after that keep it: the photo_vetted entry's checked_at is that stamp, earlier than the correction's entry and
    than its own `at`, and is read back by PhotoVetted."""
    before = datetime.now(timezone.utc).replace(tzinfo=None)
    analysis = analyse_photo(photo(tmp_path / "a.jpg"), channels.get(CHANNEL), MagicMock(), TODAY, False, no_faces())
    checked = parse_utc(analysis.result.checked_at)
    assert checked is not None and before <= checked <= datetime.now(timezone.utc).replace(tzinfo=None)
    time.sleep(0.01)
    service = ReviewService(store, channels, signed_in(store, channels, "MSN", Role.COMMS))
    review = PhotoReview(analysis.result)
    service.blur_area(review, CHANNEL, Box(250, 50, 350, 150), Shape.ELLIPSE, (400, 200), "face on a poster")
    [outcome] = service.export([review], CHANNEL, tmp_path / "out", TODAY)
    assert outcome.written is not None
    with store.transaction() as tx:
        corrected, vetted = [record.content for record in tx.audit.records()][-2:]
    assert (corrected["kind"], vetted["kind"]) == ("photo_corrected", "photo_vetted")
    assert vetted["checked_at"] == analysis.result.checked_at
    assert checked < parse_utc(corrected["at"]) <= parse_utc(vetted["at"])
    assert PhotoVetted.from_payload(vetted).checked_at == analysis.result.checked_at


def test_the_log_says_when_the_photo_was_checked_and_old_entries_say_nothing_of_it():
    """With checked_at the one-line summary (the log table, the CSV's summary and the PDF) ends "checked at
    09:00:30" on the entry's own day, and gives the date when the check was on another day; an entry written before
    checked_at existed reads as before and is read back without it."""
    describer = EntryDescriber(NameResolver({}), timezone.utc)
    old = describer.summary(OLD_ENTRY)
    assert old == "trip.jpg: approved; 0 faces, 0 shown, 0 blurred" and "checked" not in old
    assert PhotoVetted.from_payload(OLD_ENTRY).checked_at is None and "checked_at" not in PhotoVetted.from_payload(
        OLD_ENTRY).to_payload()
    same_day = describer.summary({**OLD_ENTRY, "checked_at": "2026-07-02T09:00:30.000000Z"})
    assert same_day == "trip.jpg: approved; 0 faces, 0 shown, 0 blurred; checked at 09:00:30"
    day_before = describer.summary({**OLD_ENTRY, "checked_at": "2026-07-01T16:20:00.000000Z"})
    assert day_before.endswith("; checked 01 Jul 2026 16:20:00")

