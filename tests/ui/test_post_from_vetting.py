"""The Post panel opened from Vet photos in the real window: the photos checked there, a caption fixed in
the panel, and a posting pack made from them (the safe copy exported and recorded on the way)."""
from __future__ import annotations

import json
import sqlite3

from PySide6.QtCore import Qt

from rws_desktop.ui.posts.panel import PostPanel
from vetting_window import drop


def test_a_post_made_from_checked_photos(qtbot, window, register, testdata, tmp_path):
    """Kit is shown but may not be named: his name is red until the one-click fix makes it 'a member of staff';
    then the pack holds the exported safe copy, caption.txt and receipt.pdf, and the photo counts as exported."""
    window, answers = window
    db, ids = register
    workspace = window.vetting
    with qtbot.waitSignal(workspace.batch_finished, timeout=300_000):
        drop(window, [testdata / "photos/people/test/kit_with_rose.jpg"])
    qtbot.mouseClick(workspace.post_button, Qt.MouseButton.LeftButton)
    panel = workspace.post_dialog.findChild(PostPanel)
    qtbot.waitUntil(lambda: panel.checker is not None, timeout=30_000)
    panel.editor.setPlainText("Kit Harington judged the bake-off")
    assert panel.editor.highlights() == [("Kit Harington", "#ffc7ce")]
    panel.findings_list.setCurrentRow(0)
    qtbot.mouseClick(panel.fix_button, Qt.MouseButton.LeftButton)
    assert panel.editor.toPlainText() == "a member of staff judged the bake-off"
    assert panel.make_button.isEnabled()
    (tmp_path / "packs").mkdir()
    panel.ask_pack_folder = lambda: tmp_path / "packs"
    with qtbot.waitSignal(panel.pack_made, timeout=60_000) as made:
        qtbot.mouseClick(panel.make_button, Qt.MouseButton.LeftButton)
    pack = made.args[0]
    assert sorted(p.name for p in pack.folder.iterdir()) == ["caption.txt", "hashes.txt", "kit_with_rose (safe).jpg", "receipt.pdf"]
    [item] = workspace.batch.items
    assert item.review.recorded_seq is not None and item.review.exported_to == pack.folder / "kit_with_rose (safe).jpg"
    assert not pack.folder.with_name(pack.folder.name + ".vetting").exists()
    with sqlite3.connect(db) as connection:
        kinds = [json.loads(row[0])["kind"] for row in connection.execute("SELECT content FROM audit_entry ORDER BY seq")]
    assert kinds[-2:] == ["photo_vetted", "post_approved"]
    workspace.post_dialog.close()
