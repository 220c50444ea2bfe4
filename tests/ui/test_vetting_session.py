"""A whole vetting session in the real window: drop, check, review, correct, undo, export, audit."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QGraphicsRectItem

from rws_desktop.core.vetting.analysis import Action
from rws_desktop.ui.vetting.batch import Status
from rws_desktop.ui.vetting.photo_list import STATUS_ROLE
from rws_desktop.ui.vetting.photo_view import BLURRED_COLOUR, SHOWN_COLOUR

from rws_cli import rws
from vetting_window import drop

BATCH_TIMEOUT_MS = 180_000


def audit(db: Path) -> list[dict]:
    with sqlite3.connect(db) as connection:
        return [json.loads(row[0]) for row in connection.execute("SELECT content FROM audit_entry ORDER BY seq")]


def face_box_colours(window) -> list[str]:
    """The colours of the face boxes drawn on the photo, left to right."""
    boxes = [item for item in window.vetting.view.scene().items()
             if isinstance(item, QGraphicsRectItem) and item.data(0) is not None]
    return [item.pen().color().name() for item in sorted(boxes, key=lambda item: item.rect().left())]


def select(qtbot, window, name: str):
    workspace = window.vetting
    row = next(i for i, item in enumerate(workspace.batch.items) if item.path.name == name)
    workspace.photos.setCurrentIndex(workspace.model.index(row))
    qtbot.waitUntil(lambda: workspace._original is not None and workspace._safe is not None, timeout=20_000)
    return workspace.batch.items[row]


def test_a_comms_session_from_drop_to_export(qtbot, window, register, testdata, tmp_path):
    """Dropped photos are checked off the UI thread and badged; faces are boxed green (named) or red (with a
    reason); each kind of correction works and is audited; undo works; export writes only the safe copies
    of approved and redacted photos, exactly as recorded, and an entry for every photo."""
    window, answers = window
    db, ids = register
    workspace = window.vetting
    workspace.channel.setCurrentIndex(workspace.channel.findData("instagram"))
    unreadable = tmp_path / "not_a_photo.jpg"
    unreadable.write_text("this is not a photo")
    photos = testdata / "photos/people/test"
    with qtbot.waitSignal(workspace.batch_finished, timeout=BATCH_TIMEOUT_MS):
        drop(window, [photos / "obama_and_biden.jpg", photos / "kit_with_rose.jpg", unreadable])

    statuses = {item.path.name: item.status for item in workspace.batch.items}
    assert statuses == {"obama_and_biden.jpg": Status.REDACTED, "kit_with_rose.jpg": Status.APPROVED,
                        "not_a_photo.jpg": Status.ERROR}
    rows = {workspace.model.index(i).data(): workspace.model.index(i).data(STATUS_ROLE) for i in range(3)}
    assert rows["kit_with_rose.jpg\nApproved"] == "approved"
    error_tip = workspace.model.index(2).data(Qt.ItemDataRole.ToolTipRole)
    assert "Error:" in error_tip and "not_a_photo.jpg" in error_tip

    # Review: Obama and Biden boxed green and named, the child red with the reason.
    item = select(qtbot, window, "obama_and_biden.jpg")
    faces = item.review.faces()
    names = sorted(workspace.names[f.person_id] for f in faces if f.action is Action.SHOWN)
    assert names == ["Biden", "Obama"]
    colours = face_box_colours(window)
    assert sorted(colours) == sorted([SHOWN_COLOUR.name(), SHOWN_COLOUR.name(), BLURRED_COLOUR.name()])
    lines = [workspace.details.faces.item(i).text() for i in range(workspace.details.faces.count())]
    assert any(line.endswith("Not recognised: blurred") for line in lines)

    # Space flips to the safe version; the child's face differs there, and flips back.
    qtbot.keyClick(workspace.view, Qt.Key.Key_Space)
    assert workspace.showing_safe
    qtbot.keyClick(workspace.view, Qt.Key.Key_Space)
    assert not workspace.showing_safe

    # Correction 1: blur a shown face (Obama, whoever is first among shown).
    shown_index = next(i for i, f in enumerate(faces) if f.action is Action.SHOWN)
    workspace.select_face(shown_index)
    answers.reasons.append("asked not to be posted today")
    workspace.details.blur_face.click()
    assert item.review.faces()[shown_index].action is Action.BLURRED

    # Correction 2: show the blurred child as someone refused, then as someone with consent.
    child = next(i for i, f in enumerate(faces) if f.action is Action.BLURRED)
    workspace.select_face(child)
    assert rws(db, "consent", "set", ids["alex"], "--channel", "instagram", "--status", "refused") == 0  # the office, meanwhile
    answers.people.append((ids["alex"], "looks like Alex"))
    workspace.details.show_face.click()
    assert answers.told and "cannot be shown" in answers.told[-1][1]
    assert item.review.faces()[child].action is Action.BLURRED
    answers.people.append((ids["rose"], "Rose, confirmed by her form tutor"))
    workspace.details.show_face.click()
    assert item.review.faces()[child].person_id == ids["rose"]

    # Correction 3: drag an ellipse over something the detector missed.
    workspace.details.blur_ellipse.click()
    viewport = workspace.view.viewport()
    start, end = workspace.view.mapFromScene(QPointF(20, 20)), workspace.view.mapFromScene(QPointF(90, 80))
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert len(item.review.areas()) == 0  # the reason was not given: nothing blurred
    workspace.details.blur_ellipse.click()
    answers.reasons.append("a face on the poster behind")
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert len(item.review.areas()) == 1 and item.review.areas()[0].shape.value == "ellipse"

    # Undo (Ctrl+Z) takes back the last correction only.
    assert window.undo_action.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert item.review.areas() == [] and len(item.review.corrections) == 2

    # Export to somewhere that cannot be a folder: explained, nothing recorded, everything still to export.
    answers.export_folder = tmp_path / "a_file"
    answers.export_folder.write_text("not a folder")
    before = len(audit(db))
    with qtbot.waitSignal(workspace.export_finished, timeout=60_000):
        window.export_action.trigger()
    assert answers.told[-1][0] == "Export stopped" and "Choose another folder" in answers.told[-1][1]
    assert len(audit(db)) == before and len(workspace.batch.unrecorded()) == 3

    # Export.
    answers.export_folder = tmp_path / "export"
    with qtbot.waitSignal(workspace.export_finished, timeout=60_000):
        window.export_action.trigger()
    written = sorted(p.name for p in answers.export_folder.iterdir())
    assert written == ["kit_with_rose (safe).jpg", "obama_and_biden (safe).jpg"]
    assert "Exported 2 safe copies" in window.statusBar().currentMessage()

    entries = audit(db)
    kinds = [e["kind"] for e in entries]
    assert kinds.count("photo_corrected") == 3 and kinds.count("correction_undone") == 1
    assert all(e["user"] == "MSN" and e["at"] for e in entries if e["kind"] in ("photo_corrected", "correction_undone"))
    vetted = {e["source_name"]: e for e in entries if e["kind"] == "photo_vetted"}
    assert {name: e["decision"] for name, e in vetted.items()} == {
        "obama_and_biden.jpg": "redacted", "kit_with_rose.jpg": "approved", "not_a_photo.jpg": "error"}
    corrected = vetted["obama_and_biden.jpg"]
    assert [c["action"] for c in corrected["corrections"]] == ["blur_face", "show_face"]
    assert corrected["corrections"][1]["reason"] == "Rose, confirmed by her form tutor"
    for name in written:
        data = (answers.export_folder / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == vetted[name.replace(" (safe)", "")]["output_sha256"]
        assert not Image.open(answers.export_folder / name).getexif()

    # Exported: locked.
    assert not workspace.details.blur_face.isEnabled() and not workspace.details.show_face.isEnabled()
    assert not window.undo_action.isEnabled()
    before = len(audit(db))
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(audit(db)) == before and item.review.corrections
