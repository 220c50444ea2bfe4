"""Corrections by hand and export: every change audited, only consenting people shown, safe copies exact."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rws_desktop.core.kernel.consent import ALL_CHANNELS, ConsentStatus, FaceConsent, PersonKind
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.imaging import load_photo
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.core.faces.redaction import Region, Shape
from rws_desktop.core.register.service import RegisterService
from rws_desktop.core.vetting.review import PhotoReview, ReviewError
from rws_desktop.core.vetting.review_service import ReviewService
from rws_desktop.core.vetting.analysis import Action, Decision, FaceReport, PhotoResult
from rws_desktop.core.kernel.permissions import Role
from sessions import signed_in

TODAY = date(2026, 11, 24)
CHANNEL = "instagram"


@pytest.fixture
def people(store, channels) -> dict[str, int]:
    """Ada consents to every channel; Ben refused; Cy consents to WhatsApp only."""
    register = RegisterService(store, channels, signed_in(store, channels, "OFF", Role.OFFICE))
    ids = {name: register.add_person(NewPerson(name, PersonKind.STAFF)).id for name in ("Ada", "Ben", "Cy")}
    register.set_photo_consent(ids["Ada"], ALL_CHANNELS, ConsentStatus.GRANTED, date(2026, 9, 1))
    register.set_photo_consent(ids["Ben"], ALL_CHANNELS, ConsentStatus.REFUSED, date(2026, 9, 1))
    register.set_photo_consent(ids["Cy"], "whatsapp", ConsentStatus.GRANTED, date(2026, 9, 1))
    return ids


def noisy_photo(path: Path) -> Path:
    """A 400x200 photo full of fine detail, so a blur that kept detail would be caught."""
    rng = np.random.default_rng(7)
    Image.fromarray(rng.integers(0, 255, (200, 400, 3), dtype=np.uint8)).save(path, quality=95)
    return path


def face(x: int, person_id: int | None, action: Action) -> FaceReport:
    consent = FaceConsent.GRANTED if action is Action.SHOWN else FaceConsent.UNKNOWN_PERSON
    return FaceReport(Box(x, 60, x + 60, 120), person_id, 0.4 if person_id else None, consent, action, "engine",
                      regions=(Region.for_face((x + 30, 90), 60, 0.0),))


def review_of(path: Path, *faces: FaceReport) -> PhotoReview:
    blurred = sum(f.action is Action.BLURRED for f in faces)
    decision = Decision.REDACTED if blurred else Decision.APPROVED
    return PhotoReview(PhotoResult(path, decision, "engine", list(faces), source_sha256=load_photo(path).sha256))


def entries(store) -> list[dict]:
    with store.transaction() as tx:
        return [record.content for record in tx.audit.records()]


@pytest.fixture
def service(store, channels) -> ReviewService:
    """Signed in as MSN, comms, one of Instagram's admins in the policy."""
    return ReviewService(store, channels, signed_in(store, channels, "MSN", Role.COMMS))


def test_blurring_a_shown_face_is_audited_with_who_when_and_why(service, store, people, tmp_path):
    """Blurring a shown face changes the decision to redacted and writes an entry with user, time and reason."""
    review = review_of(noisy_photo(tmp_path / "a.jpg"), face(20, people["Ada"], Action.SHOWN))
    service.blur_face(review, CHANNEL, 0, "  parent asked  on the phone ")
    assert review.faces()[0].action is Action.BLURRED
    assert review.decision()[0] is Decision.REDACTED
    last = entries(store)[-1]
    assert last["kind"] == "photo_corrected" and last["user"] == "MSN" and last["at"]
    assert last["correction"] == {"action": "blur_face", "face": 0, "person_id": None, "shape": None, "box": None,
                                  "reason": "parent asked on the phone"}


def test_a_correction_needs_a_typed_reason(service, store, people, tmp_path):
    """An empty or blank reason is refused, and nothing is recorded."""
    review = review_of(noisy_photo(tmp_path / "a.jpg"), face(20, people["Ada"], Action.SHOWN))
    before = len(entries(store))
    with pytest.raises(ReviewError, match="why"):
        service.blur_face(review, CHANNEL, 0, "   ")
    assert len(entries(store)) == before and not review.corrections


def test_showing_a_face_needs_a_person_with_active_consent_for_this_channel(service, people, tmp_path):
    """Ada (all channels) may be shown; Ben (refused) and Cy (WhatsApp only) are refused on Instagram."""
    review = review_of(noisy_photo(tmp_path / "a.jpg"), face(20, None, Action.BLURRED), face(200, None, Action.BLURRED))
    with pytest.raises(ReviewError, match="consent refused"):
        service.show_face(review, CHANNEL, 0, people["Ben"], "it is Ben", TODAY)
    with pytest.raises(ReviewError, match="no consent for this channel"):
        service.show_face(review, CHANNEL, 0, people["Cy"], "it is Cy", TODAY)
    service.show_face(review, CHANNEL, 0, people["Ada"], "it is Ada, side on", TODAY)
    assert (review.faces()[0].action, review.faces()[0].person_id) == (Action.SHOWN, people["Ada"])
    with pytest.raises(ReviewError, match="already shown"):
        service.show_face(review, CHANNEL, 1, people["Ada"], "also Ada?", TODAY)


def test_a_second_face_may_be_shown_as_the_same_person_only_when_it_is_a_strong_match_to_them(service, people, tmp_path):
    """Ada is shown on the first face. The second face, the engine found a strong match to Ada on its own
    (a collage), may be shown as Ada by hand; the third, which is no strong match to her, may not."""
    collage = replace(face(200, None, Action.BLURRED), strong_match_id=people["Ada"])
    review = review_of(noisy_photo(tmp_path / "a.jpg"), face(20, people["Ada"], Action.SHOWN), collage,
                       face(300, None, Action.BLURRED))
    service.show_face(review, CHANNEL, 1, people["Ada"], "Ada again, in the montage", TODAY)
    assert (review.faces()[1].action, review.faces()[1].person_id) == (Action.SHOWN, people["Ada"])
    with pytest.raises(ReviewError, match="already shown"):
        service.show_face(review, CHANNEL, 2, people["Ada"], "also Ada?", TODAY)


def test_undo_pops_the_last_correction_and_is_audited(service, store, people, tmp_path):
    """Undo restores the engine's verdict and records which entry it undid."""
    review = review_of(noisy_photo(tmp_path / "a.jpg"), face(20, people["Ada"], Action.SHOWN))
    correction = service.blur_face(review, CHANNEL, 0, "not sure")
    service.undo(review, CHANNEL)
    assert review.faces()[0].action is Action.SHOWN and review.decision()[0] is Decision.APPROVED
    last = entries(store)[-1]
    assert last["kind"] == "correction_undone" and last["undoes_seq"] == correction.audit_seq
    with pytest.raises(ReviewError, match="nothing to undo"):
        service.undo(review, CHANNEL)


def test_hand_drawn_area_is_blurred_in_the_export_and_named_in_its_entry(service, store, people, tmp_path):
    """An ellipse drawn over a missed face is blurred in the safe copy, which carries no metadata."""
    source = noisy_photo(tmp_path / "a.jpg")
    review = review_of(source)
    service.blur_area(review, CHANNEL, Box(250, 50, 350, 150), Shape.ELLIPSE, (400, 200), "face on a poster")
    assert review.decision() == (Decision.REDACTED, "1 area blurred by hand")
    [outcome] = service.export([review], CHANNEL, tmp_path / "out", TODAY)
    assert outcome.problem is None and outcome.written == tmp_path / "out" / "a (safe).jpg"
    original, safe = np.asarray(Image.open(source), dtype=float), np.asarray(Image.open(outcome.written), dtype=float)
    assert np.abs(safe[95:105, 295:305] - original[95:105, 295:305]).mean() > 30  # centre of the ellipse
    assert np.abs(safe[:40, :200] - original[:40, :200]).mean() < 8  # far from it: only JPEG noise
    assert not Image.open(outcome.written).getexif()
    entry = entries(store)[-1]
    assert entry["kind"] == "photo_vetted" and entry["origin"] == "desktop" and entry["decision"] == "redacted"
    assert entry["corrections"][0]["action"] == "blur_area" and entry["corrections"][0]["box"] == [250, 50, 350, 150]
    assert review.exported and not review.editable


def test_export_blurs_someone_whose_consent_was_withdrawn_after_the_check(service, store, channels, people, tmp_path):
    """Consent withdrawn between the check and the export: the face is blurred in the copy and the entry says so."""
    review = review_of(noisy_photo(tmp_path / "a.jpg"), face(20, people["Ada"], Action.SHOWN))
    RegisterService(store, channels, signed_in(store, channels, "OFF", Role.OFFICE)).set_photo_consent(
        people["Ada"], ALL_CHANNELS, ConsentStatus.WITHDRAWN, TODAY)
    [outcome] = service.export([review], CHANNEL, tmp_path / "out", TODAY)
    entry = entries(store)[-1]
    assert outcome.written and entry["decision"] == "redacted" and "consent changed" in entry["reason"]
    assert entry["faces"][0]["action"] == "blurred"


def test_export_refuses_a_file_changed_since_the_check_and_writes_nothing(service, store, people, tmp_path):
    """If the photo on disk is not the one analysed, nothing is written or recorded; it can be re-checked."""
    source = noisy_photo(tmp_path / "a.jpg")
    review = review_of(source)
    Image.new("RGB", (400, 200), "white").save(source)
    before = len(entries(store))
    [outcome] = service.export([review], CHANNEL, tmp_path / "out", TODAY)
    assert outcome.written is None and "changed since it was checked" in outcome.problem
    assert len(entries(store)) == before and not list((tmp_path / "out").iterdir())
    assert review.editable


def test_blocked_photo_is_recorded_but_never_written(service, store, people, tmp_path):
    """A photo the engine blocked gets its audit entry at export, and no file."""
    source = noisy_photo(tmp_path / "a.jpg")
    review = PhotoReview(PhotoResult(source, Decision.BLOCKED, "the channel is not live", source_sha256="x"))
    [outcome] = service.export([review], CHANNEL, tmp_path / "out", TODAY)
    assert outcome.written is None and not list((tmp_path / "out").iterdir())
    assert entries(store)[-1]["decision"] == "blocked" and review.recorded_seq is not None


def test_exported_photo_takes_no_more_corrections_and_is_not_exported_twice(service, people, tmp_path):
    """After export the photo is locked, and a second export writes nothing new."""
    review = review_of(noisy_photo(tmp_path / "a.jpg"), face(20, people["Ada"], Action.SHOWN))
    service.export([review], CHANNEL, tmp_path / "out", TODAY)
    with pytest.raises(ReviewError, match="exported"):
        service.blur_face(review, CHANNEL, 0, "too late")
    assert service.export([review], CHANNEL, tmp_path / "out", TODAY) == []


def test_export_never_overwrites_a_file_already_in_the_folder(service, people, tmp_path):
    """A name already taken in the export folder gets a number instead of replacing that file."""
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a (safe).jpg").write_bytes(b"earlier export")
    review = review_of(noisy_photo(tmp_path / "a.jpg"))
    [outcome] = service.export([review], CHANNEL, tmp_path / "out", TODAY)
    assert outcome.written.name == "a (safe) 2.jpg" and (tmp_path / "out" / "a (safe).jpg").read_bytes() == b"earlier export"


def test_export_to_a_folder_that_cannot_be_written_explains_and_keeps_the_photo(service, store, people, tmp_path, monkeypatch):
    """A full disk is reported in plain words; nothing is recorded and the photo can be exported again."""
    import errno

    review = review_of(noisy_photo(tmp_path / "a.jpg"))
    before = len(entries(store))

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("rws_desktop.core.vetting.publishing.os.fsync", disk_full)
    [outcome] = service.export([review], CHANNEL, tmp_path / "out", TODAY)
    assert "disk holding" in outcome.problem and "full" in outcome.problem
    assert len(entries(store)) == before and not list((tmp_path / "out").iterdir())
    assert review.editable and not review.exported


@pytest.mark.parametrize("code, words", [
    ("EIO", "the disk reported an error"), ("ENAMETOOLONG", "too long to write"), ("ENOENT", "moved or deleted"),
    ("EDQUOT", "is full"), ("EROFS", "does not allow writing"),
])
def test_any_write_failure_is_explained_in_plain_words_with_the_detail_only_in_the_log(
        service, store, people, tmp_path, monkeypatch, caplog, code, words):
    """Whatever the disk's error (here an I/O error, a name too long, the folder removed, a quota, a read-only disk),
    the export says in plain words what stopped it and names the folder: never the system's own wording (errno,
    strerror) as the fallback used to. That wording goes to the log; nothing is recorded; the photo can be tried
    again."""
    import errno
    import logging

    review = review_of(noisy_photo(tmp_path / "a.jpg"))
    before = len(entries(store))
    strerror = f"{code} strerror from the system"

    def failing(*args, **kwargs):
        raise OSError(getattr(errno, code), strerror)

    monkeypatch.setattr("rws_desktop.core.vetting.publishing.os.fsync", failing)
    with caplog.at_level(logging.INFO, logger="rws_desktop.core.vetting.review_service"):
        [outcome] = service.export([review], CHANNEL, tmp_path / "out", TODAY)
    assert outcome.problem.startswith("The safe copy could not be written. ") and words in outcome.problem
    assert str(tmp_path / "out") in outcome.problem
    assert strerror not in outcome.problem and "Errno" not in outcome.problem and code not in outcome.problem
    assert any(strerror in record.getMessage() for record in caplog.records)
    assert len(entries(store)) == before and review.editable and not review.exported


def test_people_to_pick_are_searched_and_those_who_may_be_shown_come_first(service, people):
    """The picker lists consenting people first, and says why the others cannot be shown."""
    found = service.candidates(CHANNEL, "", TODAY)
    assert [(c.person.name, c.may_be_shown) for c in found] == [("Ada", True), ("Ben", False), ("Cy", False)]
    assert found[1].reason == "consent refused for all channels"
    assert [c.person.name for c in service.candidates(CHANNEL, "c", TODAY)] == ["Cy"]


def test_an_export_killed_between_its_entry_and_the_rename_is_finished_by_the_next_export(service, store, people, tmp_path,
                                                                                         monkeypatch):
    """The window's export is killed after recording a photo's entry but before renaming its `.part`: the next
    export into that folder puts the recorded copy in place under the name its entry gives (and says so in
    `finished`), so no entry is left naming a file that is not there and no `.part` lingers."""
    import hashlib
    import os

    from rws_desktop.core.vetting import publishing

    photo = noisy_photo(tmp_path / "a.jpg")
    real_replace = os.replace

    def killed(source, target):
        raise KeyboardInterrupt("killed between the commit and the rename")
    monkeypatch.setattr(publishing.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        service.export([review_of(photo)], CHANNEL, tmp_path / "out", TODAY)
    monkeypatch.setattr(publishing.os, "replace", real_replace)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a (safe).jpg.part"]
    service.export([review_of(noisy_photo(tmp_path / "b.jpg"))], CHANNEL, tmp_path / "out", TODAY)
    first = next(e for e in entries(store) if e["kind"] == "photo_vetted")
    placed = tmp_path / "out" / first["output_name"]
    assert placed.is_file() and hashlib.sha256(placed.read_bytes()).hexdigest() == first["output_sha256"]
    assert not any(p.name.endswith(".part") for p in (tmp_path / "out").iterdir())
    assert "it has now been saved" in service.finished[placed]
