"""The clip review panel: the player's timeline, play and frame step, the original/safe flip, the
track list, each correction (answered without dialogs) and the export."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "clips"))
sys.path.insert(0, str(Path(__file__).parents[1] / "core"))

from clip_factory import read_frames, write_clip  # noqa: E402
from clip_helpers import FixedDetector  # noqa: E402
from test_clip_files import FACE, NoEncoder, _sharpness, checkered  # noqa: E402

from rws_desktop.core.clips.pipeline import ClipAnalyser, ClipSettings  # noqa: E402
from rws_desktop.core.clips.review import ClipReview, ClipReviewService  # noqa: E402
from rws_desktop.core.clips.service import analyse_clip  # noqa: E402
from rws_desktop.core.faces.matching import Gallery  # noqa: E402
from rws_desktop.core.kernel.channels import ChannelCatalogue  # noqa: E402
from rws_desktop.core.kernel.consent import ConsentStatus  # noqa: E402
from rws_desktop.core.kernel.decisions import Action  # noqa: E402
from rws_desktop.core.kernel.permissions import Role  # noqa: E402
from rws_desktop.core.kernel.ports import NewPerson  # noqa: E402
from rws_desktop.core.register.service import RegisterService  # noqa: E402
from rws_desktop.core.vetting.analysis import RegisterSnapshot  # noqa: E402
from rws_desktop.paths import channels_file  # noqa: E402
from rws_desktop.storage import open_database  # noqa: E402
from rws_desktop.ui.clips.review_panel import ClipReviewPanel, Questions  # noqa: E402
from sessions import signed_in, with_test_key  # noqa: E402

TODAY = date.today()
FRAMES = 12


class Candidate:
    def __init__(self, person, may_be_shown, reason):
        self.person, self.may_be_shown, self.reason = person, may_be_shown, reason


@pytest.fixture
def panel(qtbot, tmp_path):
    """A 12-frame clip with one face (nobody consenting, so blurred), Ada in the register consenting
    to Instagram, and the panel with its questions answered from `answers`."""
    store = with_test_key(open_database(f"sqlite:///{tmp_path / 'rws.sqlite3'}"))
    store.migrate()
    channels = ChannelCatalogue.from_toml(channels_file())
    register = RegisterService(store, channels, signed_in(store, channels, "OFF", Role.OFFICE))
    ada = register.add_person(NewPerson("Ada Lovelace"))
    register.set_photo_consent(ada.id, "instagram", ConsentStatus.GRANTED, TODAY)
    source = write_clip(tmp_path / "clip.mp4", FRAMES, checkered)
    analyser = ClipAnalyser(FixedDetector(FACE), NoEncoder(), ClipSettings())
    analysis = analyse_clip(source, tmp_path / "x.mp4", channels.get("instagram"), RegisterSnapshot({}, {}, Gallery({})), TODAY,
                            analyser, write=False)
    service = ClipReviewService(store, channels, signed_in(store, channels, "MSN", Role.COMMS))
    answers = {"reason": "checked by eye", "person": (ada.id, "she is in the register"), "span": (2, 5, "a name badge")}
    questions = Questions(reason=lambda *a: answers["reason"], person=lambda *a: answers["person"], span=lambda *a: answers["span"])
    widget = ClipReviewPanel(ClipReview(analysis.result, analysis.scan), service, "instagram", analyser,
                             lambda text: [Candidate(ada, True, "consent granted")], questions)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    yield widget, answers, ada.id, store, tmp_path
    widget.close_reader()
    store.close()


def shown_pixels(widget) -> np.ndarray:
    return widget._frame(widget.player.index, widget.player.showing_safe)


def test_the_timeline_steps_plays_and_flips_between_original_and_safe(qtbot, panel):
    """The timeline spans the clip's frames; a frame step moves one frame; Play runs to the end and stops;
    the safe view hides the face that the original shows."""
    widget, *_ = panel
    player = widget.player
    assert (player.timeline.minimum(), player.timeline.maximum()) == (0, FRAMES - 1)
    player.seek(0)
    qtbot.mouseClick(player.forward_button, Qt.MouseButton.LeftButton)
    assert player.index == 1 and player.timeline.value() == 1
    qtbot.mouseClick(player.back_button, Qt.MouseButton.LeftButton)
    assert player.index == 0
    qtbot.mouseClick(player.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not player.playing, timeout=5000)
    assert player.index == FRAMES - 1
    from PIL import Image

    safe = Image.fromarray(shown_pixels(widget))
    player.original.setChecked(True)
    original = Image.fromarray(shown_pixels(widget))
    assert _sharpness(safe, FACE) < 0.05 * _sharpness(original, FACE)
    assert "original" in player.position.text()


def test_the_track_list_shows_each_face_with_a_thumbnail_action_and_reason_and_highlights_its_span(panel):
    """One track: a thumbnail, its frames, 'blurred' and why; selecting it marks its frames on the timeline."""
    widget, *_ = panel
    assert widget.tracks.count() == 1
    item = widget.tracks.item(0)
    assert not item.icon().isNull()
    assert "frames 1–12" in item.text() and item.text().endswith("nobody in the register may be shown on RWS Instagram, so every face is blurred")
    widget.tracks.setCurrentRow(0)
    assert widget.player.timeline.span == (0, FRAMES - 1)
    assert widget.show_button.isEnabled() and not widget.blur_button.isEnabled()


def test_showing_then_blurring_a_track_and_blurring_a_drawn_area_are_audited_and_exported(qtbot, panel):
    """Show the face as Ada, blur it again, drag an area and blur it over frames 3 to 6: each is
    recorded with its reason; the export writes the safe clip with the face hidden on every frame."""
    widget, answers, ada, store, tmp_path = panel
    widget.tracks.setCurrentRow(0)
    qtbot.mouseClick(widget.show_button, Qt.MouseButton.LeftButton)
    assert widget.review.tracks()[0].action is Action.SHOWN and widget.review.tracks()[0].person_id == ada
    assert "picked by hand" in widget.tracks.item(0).text()
    qtbot.mouseClick(widget.blur_button, Qt.MouseButton.LeftButton)
    assert widget.review.tracks()[0].action is Action.BLURRED
    view = widget.player.view
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(view.width() // 2 + 40, 20))
    qtbot.mouseMove(view, QPoint(view.width() // 2 + 120, 120))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(view.width() // 2 + 120, 120))
    (area,) = widget.review.areas()
    assert area[1:] == (2, 5) and area[0].box.width > 4
    assert [c.reason for c in widget.review.corrections] == ["she is in the register", "checked by eye", "a name badge"]
    assert all(c.audit_seq for c in widget.review.corrections)
    result = widget.export(tmp_path / "safe")
    frames = read_frames(result.output)
    assert len(frames) == FRAMES
    assert all(_sharpness(frame, FACE) < 0.05 * _sharpness(checkered(i), FACE) for i, frame in enumerate(frames))


def test_a_refused_correction_is_explained_and_changes_nothing(qtbot, panel, monkeypatch):
    """Showing the face as someone with no consent is refused with the reason, in a message; the track stays blurred."""
    widget, answers, ada, store, tmp_path = panel
    store_register = RegisterService(store, widget.service.channels, signed_in(store, widget.service.channels, "OFF", Role.OFFICE))
    store_register.set_photo_consent(ada, "instagram", ConsentStatus.WITHDRAWN, TODAY)
    told = []
    monkeypatch.setattr("rws_desktop.ui.clips.review_panel.QMessageBox.information", lambda parent, title, text: told.append(text))
    widget.tracks.setCurrentRow(0)
    qtbot.mouseClick(widget.show_button, Qt.MouseButton.LeftButton)
    assert told and "cannot be shown" in told[0]
    assert widget.review.tracks()[0].action is Action.BLURRED and widget.review.corrections == []


def test_a_clip_in_the_vet_list_has_an_upright_thumbnail_and_its_duration(qtbot, tmp_path):
    """A portrait clip stored sideways gets a thumbnail taller than wide, within 96 pixels, and "0:02"
    for its two seconds; a damaged clip raises the plain ClipLoadError."""
    from rws_desktop.core.clips.media import ClipLoadError
    from rws_desktop.ui.clips.thumbnails import clip_thumbnail

    source = write_clip(tmp_path / "p.mp4", 20, checkered, rotation=90)  # stored 160 x 96, shown 96 x 160
    image, duration = clip_thumbnail(source)
    assert image.height() == 96 and image.width() < image.height() and duration == "0:02"
    broken = tmp_path / "b.mp4"
    broken.write_bytes(b"not a clip")
    with pytest.raises(ClipLoadError):
        clip_thumbnail(broken)
