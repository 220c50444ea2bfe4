"""Clips in the Vet photos workspace of the real window: added beside photos, checked in the background,
reviewed in the clip panel, corrected (audited, with undo), exported beside the safe photos; a corrupt
clip is that clip's error; a cancel leaves nothing behind.

The clips are generated (160 x 96, a checkerboard 'face' the test detector always finds), and the
encoder calls every face a stranger, so each clip is quick and its one face is blurred by the rule."""
from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "clips"))

from clip_factory import read_frames, write_clip  # noqa: E402
from clip_helpers import FixedDetector  # noqa: E402
from test_clip_files import FACE, _sharpness, checkered  # noqa: E402

from rws_desktop.core.clips.pipeline import ClipAnalyser, ClipSettings  # noqa: E402
from rws_desktop.core.kernel.decisions import Action  # noqa: E402
from rws_desktop.ui.vetting.batch import Status  # noqa: E402
from rws_desktop.ui.vetting.clip_work import ClipStep  # noqa: E402
from rws_desktop.core.clips.results import ClipResult  # noqa: E402
from vetting_window import drop  # noqa: E402

TIMEOUT_MS = 180_000
FRAMES = 12


class StrangerEncoder:
    """Every face encodes far from everyone enrolled: nobody is identified."""

    def encode_all(self, image, faces):
        return [np.full(128, 0.9) for _ in faces]


class SlowDetector(FixedDetector):
    """The fixed face, a little slowly, so a cancel arrives mid-clip."""

    def detect(self, image):
        time.sleep(0.05)
        return super().detect(image)


def audit(db: Path) -> list[dict]:
    with sqlite3.connect(db) as connection:
        return [json.loads(row[0]) for row in connection.execute("SELECT content FROM audit_entry ORDER BY seq")]


def use_test_engine(workspace, detector=None) -> None:
    analyser = ClipAnalyser(detector or FixedDetector(FACE), StrangerEncoder(), ClipSettings())
    workspace.presenter.clips._make_analyser = lambda: analyser


def item_named(workspace, name: str):
    return next(item for item in workspace.batch.items if item.path.name == name)


def select(workspace, name: str):
    item = item_named(workspace, name)
    workspace.photos.setCurrentIndex(workspace.model.index(workspace.batch.row_of(item)))
    return item


@pytest.fixture
def instagram(window):
    window, answers = window
    workspace = window.vetting
    workspace.channel.setCurrentIndex(workspace.channel.findData("instagram"))
    use_test_engine(workspace)
    return window, answers, workspace


def test_a_dropped_clip_is_listed_checked_reviewed_corrected_undone_and_exported_beside_the_photos(
        qtbot, instagram, register, testdata, tmp_path):
    """A clip dropped with a photo is listed with a thumbnail and its duration, checked after the photo
    (redacted: its one face is a stranger), and selecting it shows the clip review instead of the photo
    view; showing its face as Barack Obama and undoing that are both audited; export writes the safe clip
    beside the safe photo, the face hidden on every frame, with one clip_vetted entry and no .part file."""
    window, answers, workspace = instagram
    db, ids = register
    clip = write_clip(tmp_path / "sports_day.mp4", FRAMES, checkered)
    photo = testdata / "photos/people/test/kit_with_rose.jpg"
    with qtbot.waitSignal(workspace.batch_finished, timeout=TIMEOUT_MS):
        drop(window, [photo, clip])
    qtbot.waitUntil(lambda: item_named(workspace, "sports_day.mp4").status is not Status.WAITING, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: workspace.analysis is None, timeout=TIMEOUT_MS)
    item = item_named(workspace, "sports_day.mp4")
    assert item.status is Status.REDACTED and "1 of 1 faces blurred" in item.reason
    assert item_named(workspace, "kit_with_rose.jpg").status is Status.APPROVED
    index = workspace.model.index(workspace.batch.row_of(item))
    qtbot.waitUntil(lambda: workspace.model.duration(item) == "0:01", timeout=10_000)
    assert "clip 0:01" in workspace.model.data(index) and not workspace.model.data(index, Qt.ItemDataRole.DecorationRole).isNull()

    select(workspace, "sports_day.mp4")
    stage = workspace.clip_stage
    assert stage.showing and stage.area.isVisible() and not workspace.view.isVisible()
    assert stage.area.width() > workspace.photos.width()  # the clip has the room the photo had
    panel = stage.panel
    assert panel.tracks.count() == 1 and panel.player.frame_count == FRAMES

    panel.tracks.setCurrentRow(0)
    answers.people.append((ids["obama"], "he is on the register and consents"))
    qtbot.mouseClick(panel.show_button, Qt.MouseButton.LeftButton)
    assert item.clip.tracks()[0].action is Action.SHOWN and item.status is Status.APPROVED
    assert workspace.can_undo()
    workspace.undo()
    assert item.clip.tracks()[0].action is Action.BLURRED and item.clip.corrections == [] and not workspace.can_undo()
    kinds = [entry["kind"] for entry in audit(db)]
    assert kinds[-2:] == ["clip_corrected", "clip_correction_undone"]

    answers.export_folder = tmp_path / "safe"
    with qtbot.waitSignal(workspace.export_finished, timeout=TIMEOUT_MS) as done:
        workspace.export()
    written = sorted(p.name for p in (tmp_path / "safe").iterdir())
    assert written == ["kit_with_rose (safe).jpg", "sports_day (safe).mp4"]
    assert any(o.written == tmp_path / "safe" / "sports_day (safe).mp4" for o in done.args[0])
    frames = read_frames(tmp_path / "safe" / "sports_day (safe).mp4")
    assert len(frames) == FRAMES
    assert all(_sharpness(frame, FACE) < 0.05 * _sharpness(checkered(i), FACE) for i, frame in enumerate(frames))
    (entry,) = [e for e in audit(db) if e["kind"] == "clip_vetted"]
    assert entry["output_name"] == "sports_day (safe).mp4" and entry["decision"] == "redacted" and entry["frame_count"] == FRAMES
    assert item.clip.recorded_seq is not None and "exported" in workspace.model.data(index)


def test_a_corrupt_clip_is_its_own_error_and_the_next_clip_is_still_checked(qtbot, instagram, tmp_path):
    """Bytes that are no clip, named .mov, end as an error with a plain reason and no clip review; the
    clip after it is checked as usual."""
    window, answers, workspace = instagram
    broken = tmp_path / "broken.mov"
    broken.write_bytes(b"\x00\x00\x00\x18ftypqt  " + bytes(range(256)) * 8)
    good = write_clip(tmp_path / "good.mp4", FRAMES, checkered)
    with qtbot.waitSignal(workspace.batch_finished, timeout=TIMEOUT_MS):
        assert workspace.add_paths([broken, good]) == 2
    assert item_named(workspace, "broken.mov").status is Status.ERROR
    assert item_named(workspace, "broken.mov").reason
    assert item_named(workspace, "good.mp4").status is Status.REDACTED
    select(workspace, "broken.mov")
    assert not workspace.clip_stage.showing and workspace.view.isVisible()
    select(workspace, "good.mp4")
    assert workspace.clip_stage.showing


def test_cancel_stops_checking_a_clip_and_an_export_cancelled_mid_clip_leaves_no_file(qtbot, instagram, register, tmp_path):
    """Cancel while a 40-frame clip is checked: it goes back to waiting, with nothing written. Then,
    checked in full, its export is cancelled a few frames in: no safe clip, no .part file, no clip_vetted
    entry, and the clip can still be exported."""
    window, answers, workspace = instagram
    db, _ids = register
    use_test_engine(workspace, SlowDetector(FACE))
    clip = write_clip(tmp_path / "long.mp4", 40, checkered)
    workspace.add_paths([clip])
    qtbot.waitUntil(lambda: workspace.presenter.done > 0 and "frames of long.mp4" in workspace.progress.format(), timeout=TIMEOUT_MS)
    assert workspace.cancel_button.isVisible()
    with qtbot.waitSignal(workspace.batch_finished, timeout=TIMEOUT_MS):
        workspace.cancel()
    item = item_named(workspace, "long.mp4")
    assert item.status is Status.WAITING and item.clip is None
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".mp4", ".part")) == ["long.mp4"]

    use_test_engine(workspace)
    with qtbot.waitSignal(workspace.batch_finished, timeout=TIMEOUT_MS):
        workspace.start_checking()
    assert item.status is Status.REDACTED
    desk = workspace.presenter.clips
    export = desk.export
    steps = []

    def export_then_cancel(reviews, channel_key, folder, should_stop, report):
        calls = iter(range(10_000))
        return export(reviews, channel_key, folder, lambda: next(calls) > 3, lambda step: (steps.append(step), report(step)))

    desk.export = export_then_cancel
    answers.export_folder = tmp_path / "safe"
    with qtbot.waitSignal(workspace.export_finished, timeout=TIMEOUT_MS):
        workspace.export()
    assert any(isinstance(step, ClipStep) for step in steps)
    assert list((tmp_path / "safe").iterdir()) == []
    assert not [e for e in audit(db) if e["kind"] == "clip_vetted"] and item.clip.recorded_seq is None
    assert workspace.export_button.isEnabled()


def test_the_selected_results_hold_a_clip_result_for_a_selected_clip(qtbot, instagram, tmp_path):
    """Selecting a checked clip in the list gives the Post panel a ClipResult for it, as it stands now:
    its track and the redacted decision."""
    window, answers, workspace = instagram
    clip = write_clip(tmp_path / "match.mp4", FRAMES, checkered)
    with qtbot.waitSignal(workspace.batch_finished, timeout=TIMEOUT_MS):
        workspace.add_paths([clip])
    select(workspace, "match.mp4")
    (result,) = workspace.presenter.selected_results()
    assert isinstance(result, ClipResult) and result.source == clip and result.decision.value == "redacted"
    assert len(result.tracks) == 1 and result.tracks[0].action is Action.BLURRED


def test_a_checked_clip_is_posted_from_vet_photos_with_its_safe_copy_in_the_pack(qtbot, instagram, register, tmp_path):
    """"Post…" after checking a clip lists the clip in the Post panel; making the pack exports the safe clip
    into it and the post_approved entry covers the clip's own entry."""
    from rws_desktop.ui.posts.panel import PostPanel

    window, answers, workspace = instagram
    db, _ids = register
    clip = write_clip(tmp_path / "sports.mp4", FRAMES, checkered)
    with qtbot.waitSignal(workspace.batch_finished, timeout=TIMEOUT_MS):
        workspace.add_paths([clip])
    qtbot.mouseClick(workspace.post_button, Qt.MouseButton.LeftButton)
    panel = workspace.post_dialog.findChild(PostPanel)
    assert [item.source for item in panel.photos] == [clip]
    assert panel.photo_list.item(0).text().startswith("sports.mp4 (clip): redacted")
    qtbot.waitUntil(lambda: panel.checker is not None, timeout=30_000)
    panel.editor.setPlainText("Sports day at Ravens Wood")
    qtbot.waitUntil(panel.make_button.isEnabled, timeout=30_000)
    (tmp_path / "packs").mkdir()
    panel.ask_pack_folder = lambda: tmp_path / "packs"
    with qtbot.waitSignal(panel.pack_made, timeout=TIMEOUT_MS) as made:
        qtbot.mouseClick(panel.make_button, Qt.MouseButton.LeftButton)
    pack = made.args[0]
    assert "sports (safe).mp4" in {p.name for p in pack.folder.iterdir()}
    entries = audit(db)
    clip_seq = next(i + 1 for i, e in reversed(list(enumerate(entries))) if e["kind"] == "clip_vetted")
    approved = entries[-1]
    assert approved["kind"] == "post_approved" and [m.get("kind") for m in approved["media"]] == ["clip"]
    assert [m["audit_seq"] for m in approved["media"]] == [clip_seq]
    workspace.post_dialog.close()
