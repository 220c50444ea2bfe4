"""The original / safe version flip says in words which version is on screen and what the button will do."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from rws_desktop.core.faces.geometry import Box

from checked_photos import add_checked, blurred, comms_window, made_up_photo


def on_screen(workspace) -> QImage:
    """The pixels drawn now, in the format the others are compared in."""
    return same_format(workspace.view._pixmap.pixmap().toImage())


def same_format(image: QImage) -> QImage:
    return image.convertToFormat(QImage.Format.Format_RGB32)


def test_the_flip_says_which_version_is_showing_and_what_the_button_does(qtbot, tmp_path, settings):
    """Before the flip the label reads "Showing: original" over the original pixels and the button offers "Show safe
    version"; Space shows the safe pixels with "Showing: safe version", the button and the View menu then offer the
    original; moving to another photo while the safe version is asked for says it is still being made, until it is."""
    window, _answers, _db = comms_window(qtbot, tmp_path, settings)
    workspace = window.vetting
    first = made_up_photo(tmp_path / "photos" / "trip.jpg")
    add_checked(qtbot, window, first, [blurred(Box(100, 100, 260, 260))])
    assert workspace.showing.text() == "Showing: original" and workspace.safe_toggle.text() == "Show safe version"
    assert on_screen(workspace) == same_format(workspace._original) and window.safe_action.text() == "Show &safe version"

    qtbot.keyClick(workspace.view, Qt.Key.Key_Space)
    assert workspace.showing_safe and workspace.safe_toggle.isChecked()
    assert workspace.showing.text() == "Showing: safe version" and workspace.safe_toggle.text() == "Show original"
    assert on_screen(workspace) == same_format(workspace._safe) != same_format(workspace._original)
    assert window.safe_action.text() == "Show &original"

    second = made_up_photo(tmp_path / "photos" / "fair.jpg", seed=2)
    add_checked(qtbot, window, second, [blurred(Box(300, 200, 420, 320))])
    workspace.photos.setCurrentIndex(workspace.model.index(0))
    assert workspace._safe is None  # just selected: its safe version is drawn in the background
    assert workspace.showing.text() == "Showing: original (the safe version is being made…)"
    qtbot.waitUntil(lambda: workspace._safe is not None, timeout=20_000)
    assert workspace.showing.text() == "Showing: safe version" and on_screen(workspace) == same_format(workspace._safe)

    workspace.safe_toggle.click()
    assert workspace.showing.text() == "Showing: original" and workspace.safe_toggle.text() == "Show safe version"
    assert on_screen(workspace) == same_format(workspace._original)
    window.close()
    window.app.close()
