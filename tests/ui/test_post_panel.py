"""The Post panel on its own: caption highlights as you type, reasons on hover, one-click fixes, confirming
an ambiguous name, the checklist, and making a posting pack in the background. A register written by the
test; photo results made by hand with real safe copies recorded as vetting records them."""
from __future__ import annotations

import errno
import hashlib
import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QToolTip

from post_register import CHANNEL, TODAY, post_service, track, write_register
from rws_desktop.core.captions.check import CaptionChecker
from rws_desktop.core.captions.contacts import NOT_SET_NOTE, SchoolContacts
from rws_desktop.core.clips.results import ClipResult, clip_entry
from rws_desktop.core.clips.review import ClipCorrection, ClipCorrectionAction, ClipReview
from rws_desktop.core.posts.pack import PackError
from rws_desktop.ui.posts.hook import ClipExporter, media_of, pack_maker
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.kernel.channels import ChannelCatalogue
from rws_desktop.core.kernel.consent import FaceConsent
from rws_desktop.core.kernel.decisions import Action, Decision
from rws_desktop.core.vetting.analysis import FaceReport, PhotoResult
from rws_desktop.core.vetting.publishing import publish, record, vetted_entry
from rws_desktop.paths import channels_file
from rws_desktop.storage import open_database
from rws_desktop.ui.posts.editor import qt_position
from rws_desktop.ui.posts.panel import PostPanel, packed_media
from sessions import with_test_key

GREEN, RED, AMBER, YELLOW, PALE_GREEN = "#c6efce", "#ffc7ce", "#ffd591", "#fff2a8", "#e2f0d9"


@pytest.fixture
def world(tmp_path):
    """A store with the test register, a post service for MSN and a checker for Instagram."""
    channels = ChannelCatalogue.from_toml(channels_file())
    store = with_test_key(open_database(f"sqlite:///{tmp_path / 'rws.sqlite3'}"))
    store.migrate()
    ids = write_register(store, channels)
    service = post_service(store, channels)
    yield store, channels, ids, service, service.checker(CHANNEL, TODAY)
    store.close()


def photo(store, channels, folder: Path, name: str, faces: list[FaceReport]) -> PhotoResult:
    folder.mkdir(exist_ok=True)
    data = io.BytesIO()
    Image.fromarray(np.random.default_rng(3).integers(0, 255, (40, 60, 3), dtype=np.uint8)).save(data, "JPEG")
    result = PhotoResult(Path(name), Decision.REDACTED if faces else Decision.APPROVED, "made by the test", faces,
                         source_sha256=hashlib.sha256(name.encode()).hexdigest())
    result.output, result.output_sha256 = folder / name, hashlib.sha256(data.getvalue()).hexdigest()
    result.audit_seq = publish(store, data.getvalue(), result.output,
                               vetted_entry(result, channels.get(CHANNEL), "MSN", result.decision, result.reason, faces))
    return result


def face(person_id, action: Action) -> FaceReport:
    return FaceReport(Box(5, 5, 30, 30), person_id, 0.3, FaceConsent.GRANTED if action is Action.SHOWN else FaceConsent.REFUSED,
                      action, "test", action is Action.SHOWN)


@pytest.fixture
def panel(qtbot, world, tmp_path):
    store, channels, ids, service, checker = world

    def make(caption, confirmations, photos, folder):
        return service.make_pack(service.review(checker, caption, photos, confirmations), CHANNEL, folder)

    photos = [photo(store, channels, tmp_path / "safe", "fair.jpg", [face(ids["Amelia Khan"], Action.SHOWN)])]
    widget = PostPanel(channels.get(CHANNEL), photos, checker, make)
    qtbot.addWidget(widget)
    widget.resize(700, 650)
    widget.show()
    yield widget
    widget.shutdown()


def test_findings_are_highlighted_as_you_type(qtbot, panel):
    """Typed key by key (Qt's test keyboard is ASCII, so Siobhán is typed without the accent, which matching ignores):
    the allowed name green, the blocked name and number red, 'Jack' amber, the outside link yellow."""
    qtbot.keyClicks(panel.editor, "Amelia Khan, Siobhan O'Brien and Jack; ring 07700 900123 or see bit.ly/x")
    assert panel.editor.highlights() == [
        ("Amelia Khan", GREEN), ("Siobhan O'Brien", RED), ("Jack", AMBER), ("07700 900123", RED), ("bit.ly/x", YELLOW)]
    assert not panel.make_button.isEnabled()
    assert "✘ Names: 2 to fix or confirm" in panel.checklist.text()
    assert "✘ Personal information: 1 to remove" in panel.checklist.text()
    assert "⚠ Links and messages to one person: 1 warning" in panel.checklist.text()


def test_highlights_stay_on_the_name_after_an_emoji_and_a_line_break(qtbot, panel):
    """An emoji is two UTF-16 units in Qt and one character in Python: the highlight still covers exactly the name."""
    panel.editor.setPlainText("🎉🎉 Great day!\nWell played Siobhán\nO'Brien")
    assert panel.editor.highlights()[-1] == ("Siobhán\nO'Brien", RED)


def test_hovering_a_highlight_shows_its_reason(qtbot, panel):
    """A tooltip event over the blocked name shows why it is blocked and what the fix is."""
    panel.editor.setPlainText("Well played Siobhán O'Brien")
    cursor = panel.editor.textCursor()
    cursor.setPosition(qt_position(panel.editor.toPlainText(), 15))
    where = panel.editor.cursorRect(cursor).center()
    event = QHelpEvent(QEvent.Type.ToolTip, where, panel.editor.viewport().mapToGlobal(where))
    panel.editor.viewportEvent(event)
    assert "Blocked: Siobhán O'Brien may not be named on RWS Instagram" in QToolTip.text()
    assert 'Fix: Replace with "a Year 8 pupil"' in QToolTip.text()


def test_one_click_fixes_replace_a_name_with_the_pupils_year_and_remove_a_number(qtbot, panel):
    """The Fix button replaces the blocked name with 'a Year 8 pupil' and removes the number; Undo brings the name back."""
    panel.editor.setPlainText("Well played Siobhán O'Brien! Call 07700 900123 today")
    panel.findings_list.setCurrentRow(0)
    assert panel.fix_button.text() == 'Replace with "a Year 8 pupil"'
    qtbot.mouseClick(panel.fix_button, Qt.MouseButton.LeftButton)
    assert panel.editor.toPlainText() == "Well played a Year 8 pupil! Call 07700 900123 today"
    panel.findings_list.setCurrentRow(0)
    assert panel.fix_button.text() == "Remove the number"
    qtbot.mouseClick(panel.fix_button, Qt.MouseButton.LeftButton)
    assert panel.editor.toPlainText() == "Well played a Year 8 pupil! Call today"
    assert panel.editor.highlights() == [] and panel.make_button.isEnabled()
    panel.editor.undo()
    panel.editor.undo()
    assert "Siobhán O'Brien" in panel.editor.toPlainText()


def test_confirming_an_ambiguous_name_turns_it_pale_green_and_lets_the_post_through(qtbot, panel):
    """'Jack' needs a decision; confirmed with a typed reason it no longer blocks, and Make posting pack is enabled."""
    panel.editor.setPlainText("Jack ran the stall")
    assert not panel.make_button.isEnabled()
    panel.ask_confirmation = lambda finding: "Jack Smith, 9B: his parents agreed to his name"
    panel.findings_list.setCurrentRow(0)
    assert panel.confirm_button.isEnabled()
    qtbot.mouseClick(panel.confirm_button, Qt.MouseButton.LeftButton)
    assert panel.editor.highlights() == [("Jack", PALE_GREEN)]
    assert panel.make_button.isEnabled()


def test_naming_a_child_blurred_in_the_photo_is_flagged_in_the_checklist(qtbot, world, tmp_path):
    """Amelia is blurred in the photo: her name turns red and the faces-and-names line fails."""
    store, channels, ids, service, checker = world
    blurred = photo(store, channels, tmp_path / "safe", "trip.jpg", [face(ids["Amelia Khan"], Action.BLURRED)])
    widget = PostPanel(channels.get(CHANNEL), [blurred], checker, lambda *args: None)
    qtbot.addWidget(widget)
    widget.editor.setPlainText("Amelia Khan on the trip")
    assert widget.editor.highlights() == [("Amelia Khan", RED)]
    assert "✘ Faces and names agree: 1 name points at a blurred or unnamed face" in widget.checklist.text()
    widget.shutdown()


def test_making_a_pack_runs_in_the_background_and_writes_it(qtbot, panel, world, tmp_path):
    """Make posting pack… writes a new folder with the photo, caption.txt and receipt.pdf, and post_approved records
    the confirmation typed in the panel."""
    store = world[0]
    panel.editor.setPlainText("Amelia Khan and Jack at the fair")
    panel.ask_confirmation = lambda finding: "Jack Smith, who may be named"
    panel.confirm(panel.review_now.caption.findings[1])
    (tmp_path / "packs").mkdir()
    panel.ask_pack_folder = lambda: tmp_path / "packs"
    with qtbot.waitSignal(panel.pack_made, timeout=30_000) as made:
        qtbot.mouseClick(panel.make_button, Qt.MouseButton.LeftButton)
        assert not panel.make_button.isEnabled()  # busy while it is written
    pack = made.args[0]
    assert pack.folder.parent == tmp_path / "packs" and pack.folder.name.startswith("instagram post ")
    assert sorted(p.name for p in pack.folder.iterdir()) == ["caption.txt", "fair.jpg", "hashes.txt", "receipt.pdf"]
    assert (pack.folder / "caption.txt").read_text(encoding="utf-8") == "Amelia Khan and Jack at the fair"
    assert f"Posting pack written to {pack.folder}: 1 photo, caption.txt, hashes.txt and receipt.pdf." == panel.status.text()
    with store.transaction() as tx:
        entry = json.loads(tx.audit.get(pack.audit_seq).content_json)
    assert entry["kind"] == "post_approved" and entry["confirmations"][0]["reason"] == "Jack Smith, who may be named"


def test_a_pack_that_fails_is_explained_and_nothing_is_left(qtbot, panel, tmp_path):
    """If the safe copy changed since vetting, the panel says so and writes no folder."""
    panel.photos[0].output.write_bytes(b"changed")
    panel.editor.setPlainText("A lovely day")
    told = []
    panel.explain = lambda title, text: told.append(text)
    (tmp_path / "packs").mkdir()
    panel.ask_pack_folder = lambda: tmp_path / "packs"
    qtbot.mouseClick(panel.make_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(told), timeout=30_000)
    assert "changed since it was vetted" in told[0]
    assert list((tmp_path / "packs").iterdir()) == []
    assert panel.make_button.isEnabled()


def test_the_register_is_read_in_the_background_when_the_panel_opens(qtbot, world):
    """Given a function that builds the checker, the panel says it is reading, then checks what was typed meanwhile."""
    store, channels, ids, service, checker = world
    widget = PostPanel(channels.get(CHANNEL), [], lambda: service.checker(CHANNEL, TODAY), lambda *args: None)
    qtbot.addWidget(widget)
    assert "Reading the register" in widget.checklist.text()
    widget.editor.setPlainText("Siobhán O'Brien")
    qtbot.waitUntil(lambda: widget.checker is not None, timeout=30_000)
    assert widget.editor.highlights() == [("Siobhán O'Brien", RED)]
    assert "✘ Photos and clips: 0 of 0 ready (choose at least one)" in widget.checklist.text()
    widget.shutdown()


def clip(store, channels, folder: Path, name: str, tracks) -> ClipResult:
    """A clip result as clip vetting gives it: tracks decided, a safe copy (bytes standing in for an MP4) recorded
    with its clip_vetted entry."""
    folder.mkdir(exist_ok=True)
    data = f"safe copy of {name}".encode() * 50
    result = ClipResult(Path(name), Decision.REDACTED if tracks else Decision.APPROVED, "made by the test", tracks, frames=30,
                        source_sha256=hashlib.sha256(name.encode()).hexdigest())
    result.output, result.output_sha256 = folder / Path(name).with_suffix(".mp4").name, hashlib.sha256(data).hexdigest()
    result.output.write_bytes(data)
    result.audit_seq = record(store, clip_entry(result, channels.get(CHANNEL), "MSN"))
    return result


def test_clips_are_listed_checked_against_the_caption_and_packed(qtbot, world, tmp_path):
    """A photo and a ClipResult in the list from the vetting presenter: both are listed and ticked, Amelia's blurred
    track turns her name red, and with a caption naming nobody the pack holds the clip's safe copy."""
    store, channels, ids, service, checker = world
    media = [photo(store, channels, tmp_path / "safe", "fair.jpg", []),
             clip(store, channels, tmp_path / "safe", "assembly.mov", [track(ids["Amelia Khan"], Action.BLURRED)])]

    def make(caption, confirmations, chosen, folder):
        return service.make_pack(service.review(checker, caption, chosen, confirmations), CHANNEL, folder)

    widget = PostPanel(channels.get(CHANNEL), media, checker, make)
    qtbot.addWidget(widget)
    assert [widget.photo_list.item(i).text().split(":")[0] for i in range(2)] == ["fair.jpg (photo)", "assembly.mov (clip)"]
    assert widget.chosen_photos() == media
    widget.editor.setPlainText("Amelia Khan at assembly")
    assert widget.editor.highlights() == [("Amelia Khan", RED)]
    assert "blurred in assembly.mov" in widget.review_now.caption.findings[0].reason
    assert "✔ Photos and clips: 2 of 2 ready" in widget.checklist.text() and not widget.make_button.isEnabled()
    widget.editor.setPlainText("Assembly today")
    (tmp_path / "packs").mkdir()
    widget.ask_pack_folder = lambda: tmp_path / "packs"
    with qtbot.waitSignal(widget.pack_made, timeout=30_000) as made:
        qtbot.mouseClick(widget.make_button, Qt.MouseButton.LeftButton)
    pack = made.args[0]
    assert sorted(p.name for p in pack.folder.iterdir()) == ["assembly.mp4", "caption.txt", "fair.jpg", "hashes.txt", "receipt.pdf"]
    assert hashlib.sha256((pack.folder / "assembly.mp4").read_bytes()).hexdigest() == media[1].output_sha256
    assert widget.status.text().endswith(": 1 photo and 1 clip, caption.txt, hashes.txt and receipt.pdf.")
    widget.shutdown()


def test_the_pack_is_counted_in_singular_and_plural_words(world, tmp_path):
    """What a pack holds is said as "1 photo", "2 photos and 1 clip", "2 clips", never "photo(s) and clip(s)"."""
    store, channels, ids, _service, _checker = world
    one, two = (photo(store, channels, tmp_path / "safe", name, []) for name in ("a.jpg", "b.jpg"))
    film = clip(store, channels, tmp_path / "safe", "film.mov", [])
    reel = clip(store, channels, tmp_path / "safe", "reel.mov", [])
    assert packed_media(1, [one]) == "1 photo"
    assert packed_media(3, [one, two, film]) == "2 photos and 1 clip"
    assert packed_media(2, [film, reel]) == "2 clips"
    assert packed_media(2, []) == "2 photos and clips"


def test_the_checklist_says_when_the_schools_contact_details_are_not_set(qtbot, world):
    """With placeholder contacts the checklist says the school's details are not set, and the placeholder
    number in a caption is blocked (red), not allowed."""
    store, channels, ids, service, checker = world
    unset = CaptionChecker(checker.names, SchoolContacts(is_set=False), checker.channels, checker.today)
    widget = PostPanel(channels.get(CHANNEL), [], unset, lambda *args: None)
    qtbot.addWidget(widget)
    widget.editor.setPlainText("Ring the office on 01632 960000")
    assert widget.editor.highlights() == [("01632 960000", RED)]
    assert f"⚠ {NOT_SET_NOTE}" in widget.checklist.text()
    widget.shutdown()
    filled = PostPanel(channels.get(CHANNEL), [], checker, lambda *args: None)
    qtbot.addWidget(filled)
    filled.editor.setPlainText("Ring the office on 01632 960000")
    assert filled.editor.highlights() == [("01632 960000", GREEN)] and "not set" not in filled.checklist.text()
    filled.shutdown()


class StubClipExport:
    """Stands in for ClipReviewService.export: writes a safe copy (bytes standing in for an MP4) and records it."""

    def __init__(self, store, channels):
        self.store, self.channels, self.calls = store, channels, 0

    def export(self, review, channel_key, out_dir, analyser):
        self.calls += 1
        out_dir.mkdir(parents=True, exist_ok=True)
        data = b"safe clip" * 100
        decision, reason = review.decision()
        result = replace(review.result, tracks=review.tracks(), decision=decision, reason=reason,
                         output=out_dir / review.result.source.with_suffix(".mp4").name, output_sha256=hashlib.sha256(data).hexdigest())
        result.output.write_bytes(data)
        result.audit_seq = review.recorded_seq = record(self.store, clip_entry(result, self.channels.get(CHANNEL), "MSN"))
        return result


def test_the_hook_takes_clip_reviews_from_the_presenter_and_exports_them_into_the_pack(world, tmp_path):
    """A ClipReview item (as the vetting presenter will list it) becomes a ClipResult with its corrections applied;
    making the pack exports it once (recorded), and the pack holds that safe copy."""
    store, channels, ids, service, checker = world
    result = ClipResult(Path("assembly.mov"), Decision.APPROVED, "all faces have consent",
                        [track(ids["Amelia Khan"], Action.SHOWN, True)], frames=30, source_sha256="0" * 64)
    review = ClipReview(result, scan=None)
    review.corrections.append(ClipCorrection(ClipCorrectionAction.BLUR_TRACK, "asked by a parent", "MSN", "now", track_id=1))
    exporter = ClipExporter(StubClipExport(store, channels), analyser=lambda: None)
    [media] = [media_of(review, exporter)]
    assert isinstance(media, ClipResult) and media.tracks[0].action is Action.BLURRED and media.output is None
    make = pack_maker(None, service, CHANNEL, [review], exporter)
    pack = make("Assembly today", [], [media], tmp_path / "pack")
    assert sorted(p.name for p in pack.folder.iterdir()) == ["assembly.mp4", "caption.txt", "hashes.txt", "receipt.pdf"]
    assert exporter.service.calls == 1 and review.recorded_seq is not None
    assert exporter.exported[Path("assembly.mov")].output == tmp_path / "pack" / "assembly.mp4"
    with store.transaction() as tx:
        entry = json.loads(tx.audit.get(pack.audit_seq).content_json)
    assert entry["media"][0]["kind"] == "clip" and entry["media"][0]["audit_seq"] == review.recorded_seq


def test_the_hook_exports_nothing_for_a_blocked_post_and_records_copies_discarded_by_a_failed_pack(world, tmp_path, monkeypatch):
    """A blocked caption is refused before anything is exported (no entry names a copy then deleted); a pack that
    fails after the clip was exported leaves a post_not_written entry naming that clip's entry, and no folder."""
    from rws_desktop.core.posts import pack as pack_module

    store, channels, ids, service, checker = world
    result = ClipResult(Path("assembly.mov"), Decision.APPROVED, "no faces found", [], frames=30, source_sha256="0" * 64)
    review = ClipReview(result, scan=None)
    exporter = ClipExporter(StubClipExport(store, channels), analyser=lambda: None)
    make = pack_maker(None, service, CHANNEL, [review], exporter)
    with pytest.raises(PackError, match="blocked"):
        make("Ring 07700 900123", [], [media_of(review, exporter)], tmp_path / "pack")
    assert exporter.service.calls == 0 and review.recorded_seq is None

    def broken(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(pack_module, "render_receipt", broken)
    with pytest.raises(PackError, match="is full"):
        make("Assembly today", [], [media_of(review, exporter)], tmp_path / "pack")
    with store.transaction() as tx:
        last = json.loads(list(tx.audit.records())[-1].content_json)
    assert "is full" in last["reason"] and "No space left" not in last["reason"]
    assert last["kind"] == "post_not_written" and last["discarded"] == [{"audit_seq": review.recorded_seq, "output_name": "assembly.mp4"}]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("pack")] == []
