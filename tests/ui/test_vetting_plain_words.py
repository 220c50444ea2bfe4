"""The vet review says what each face's verdict means to comms staff; the engine's figures stay in the tooltips."""
from __future__ import annotations

import re

from PySide6.QtWidgets import QGraphicsRectItem

from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.kernel.consent import FaceConsent
from rws_desktop.ui.vetting.photo_view import FACE_TIP

from checked_photos import add_checked, blurred, comms_window, made_up_photo, shown

FIGURE = re.compile(r"\d\.\d\d")
JARGON = ("distance", "match", "uncertain", "enrolled")


def test_each_face_is_described_in_plain_words_with_the_figures_in_its_tooltip(qtbot, tmp_path, settings):
    """Someone recognised with consent reads "Recognised as <name> (consent for RWS Instagram): shown"; someone
    recognised whose consent was withdrawn, a face nobody resembles and a doubtful resemblance each say so in plain
    words and "blurred". No line or label on the photo carries a figure or the engine's words (distance, match,
    uncertain, enrolled); each line's tooltip and each face box's pop-up give the distance and the engine's own note."""
    window, _answers, _db = comms_window(qtbot, tmp_path, settings)
    workspace = window.vetting
    faces = [
        shown(Box(40, 60, 160, 180), 1, distance=0.32),
        blurred(Box(220, 60, 340, 180), "consent withdrawn 3 Oct 2026 for all channels", FaceConsent.WITHDRAWN,
                person_id=2, distance=0.36),
        blurred(Box(400, 60, 520, 180), "not enrolled or not recognised", distance=0.71),
        blurred(Box(580, 60, 700, 180), "uncertain match (distance 0.47)", FaceConsent.UNCERTAIN_MATCH, distance=0.47),
    ]
    add_checked(qtbot, window, made_up_photo(tmp_path / "photos" / "fair.jpg"), faces,
                names={1: "Ada Ashby", 2: "Bea Birch"})

    lines = [workspace.details.faces.item(i) for i in range(workspace.details.faces.count())]
    assert [line.text() for line in lines] == [
        "1. Recognised as Ada Ashby (consent for RWS Instagram): shown",
        "2. Recognised as Bea Birch, but consent withdrawn 3 Oct 2026 for all channels: blurred",
        "3. Not recognised: blurred",
        "4. Not recognised for certain (it may be someone in the register, but the check is not sure): blurred",
    ]
    for line, face in zip(lines, faces):
        assert f"Match distance {face.distance:.2f}" in line.toolTip()
        assert f"The check's own words: {face.reason}." in line.toolTip()
    assert "beyond doubt" in lines[0].toolTip() and "beyond doubt" not in lines[2].toolTip()

    boxes = sorted((item for item in workspace.view.scene().items()
                    if isinstance(item, QGraphicsRectItem) and item.data(0) is not None), key=lambda b: b.rect().left())
    labels = [item.text() for item in workspace.view._overlays if hasattr(item, "text")]
    assert labels == ["Ada Ashby", "Blurred: Bea Birch, consent withdrawn", "Blurred: not recognised",
                      "Blurred: not recognised for certain"]
    for text in [line.text() for line in lines] + labels:
        assert not FIGURE.search(text) and not any(word in text.lower() for word in JARGON), text
    for box, line, face in zip(boxes, lines, faces):
        assert box.data(FACE_TIP).startswith(line.text()[3:]) and f"{face.distance:.2f}" in box.data(FACE_TIP)
    window.close()
    window.app.close()


def test_faces_not_looked_up_say_whether_the_reference_faces_could_not_be_read(qtbot, tmp_path, settings):
    """A face not looked up because this PC cannot read the reference faces (its key missing) says so, and that
    every face is blurred because of it; it does not claim that nobody in the register may be shown on the channel,
    which is what a face not looked up for want of consent still says."""
    from rws_desktop.core.kernel.decisions import NOBODY_MAY_BE_SHOWN, REFERENCES_UNREADABLE

    window, _answers, _db = comms_window(qtbot, tmp_path, settings)
    workspace = window.vetting
    add_checked(qtbot, window, made_up_photo(tmp_path / "photos" / "fair.jpg"),
                [blurred(Box(40, 60, 160, 180), REFERENCES_UNREADABLE)])
    (line,) = [workspace.details.faces.item(i).text() for i in range(workspace.details.faces.count())]
    assert "reference faces cannot be read on this computer" in line and "key is missing" in line
    assert "nobody can be recognised and every face is blurred" in line and "may be shown on" not in line
    add_checked(qtbot, window, made_up_photo(tmp_path / "photos" / "fete.jpg"),
                [blurred(Box(40, 60, 160, 180), NOBODY_MAY_BE_SHOWN)])
    workspace.photos.setCurrentIndex(workspace.model.index(1))
    qtbot.waitUntil(lambda: "may be shown on" in workspace.details.faces.item(0).text(), timeout=10_000)
    assert workspace.details.faces.item(0).text() == (
        "1. Not looked up: nobody in the register may be shown on RWS Instagram, so every face is blurred")
    window.close()
    window.app.close()
