"""What docs/first_day.py and docs/make_screenshot.py share: the screen to draw on, waiting for the window, answering
its dialogs by typing into them, and screenshots with every photo pixelated.

The shared test photos are public figures' photos under their own licences: they must not end up in the repo, not
even inside a screenshot. `save_screenshot` therefore pixelates, before the PNG is written, the on-screen area of
every widget that shows photo content: the photo canvas (a QGraphicsView), lists with thumbnails (the batch, the
reference faces, a clip's tracks: item views with icons of 40 pixels or more) and any label showing a picture (a
clip's frame, a face thumbnail). Each is reduced to blocks of PIXEL_BLOCK pixels, so no face can be recognised;
the coloured boxes and the layout around them stay readable.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
PIXEL_BLOCK = 24  # a face 150 pixels wide becomes about 6x6 blocks of colour


def use_screen(size: str) -> None:
    """Under Xvfb (DISPLAY set) the real X server; otherwise Qt's offscreen screen of `size` (WIDTHxHEIGHT)."""
    if os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
        return
    width, height = size.split("x")
    config = Path(tempfile.mkdtemp()) / "screen.json"
    config.write_text(f'{{"screens": [{{"name": "screen", "x": 0, "y": 0, "width": {width}, "height": {height}, '
                      f'"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}}]}}')
    os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={config}")


def find_testdata() -> Path | None:
    """The shared test photos: RWS_TESTDATA, else ../shared/testdata beside the repository."""
    for candidate in (os.environ.get("RWS_TESTDATA"), REPO.parent / "shared" / "testdata"):
        if candidate and (Path(candidate) / "photos" / "people").is_dir():
            return Path(candidate)
    return None


def settle(busy: Callable[[], bool] = lambda: False, ms: int = 300, timeout_s: float = 300) -> None:
    """Let the window work and paint: until `busy()` is false (at most `timeout_s`), then `ms` more.

    It waits in an event loop of its own, as the window's own loop would, not with QTest.qWait: qWait also deletes
    every object marked for deletion on each turn, which the window itself never does while it waits."""
    from PySide6.QtCore import QEventLoop, QTimer

    give_up = time.monotonic() + timeout_s
    loop, timer, calm_until = QEventLoop(), QTimer(), [None]

    def look() -> None:
        now = time.monotonic()
        if calm_until[0] is None:
            if busy() and now < give_up:
                return
            calm_until[0] = now + ms / 1000
        if now >= calm_until[0]:
            loop.quit()

    timer.timeout.connect(look)
    timer.start(50)
    loop.exec()
    timer.stop()
    if busy():
        raise TimeoutError("the window did not finish in time")


def shows_photos(widget) -> bool:
    """Whether `widget` draws photo content: the photo canvas, thumbnails of 40 pixels or more, or a picture."""
    from PySide6.QtWidgets import QAbstractItemView, QGraphicsView, QLabel

    if isinstance(widget, QGraphicsView):
        return True
    if isinstance(widget, QAbstractItemView):
        size = widget.iconSize()
        return size.width() >= 40 or size.height() >= 40
    if isinstance(widget, QLabel):
        pixmap = widget.pixmap()
        return pixmap is not None and not pixmap.isNull()
    return False


def photo_areas(root) -> list:
    """The rectangles, in `root`'s coordinates, of every visible widget inside it that shows photo content."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QWidget

    areas = []
    for widget in root.findChildren(QWidget):
        if widget.isVisible() and widget.window() is root.window() and shows_photos(widget):
            areas.append(QRect(widget.mapTo(root, QPoint(0, 0)), widget.size()))
    return areas


def pixelate(image, areas, block: int = PIXEL_BLOCK):
    """`image` (a QImage) with each of `areas` reduced to blocks of `block` pixels."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPainter

    painter = QPainter(image)
    for area in areas:
        area = area.intersected(image.rect())
        if area.isEmpty():
            continue
        small = image.copy(area).scaled(max(1, area.width() // block), max(1, area.height() // block),
                                        Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
        painter.drawImage(area.topLeft(), small.scaled(area.size(), Qt.AspectRatioMode.IgnoreAspectRatio,
                                                       Qt.TransformationMode.FastTransformation))
    painter.end()
    return image


def save_screenshot(widget, path: Path) -> Path:
    """`widget`'s window content as a PNG, every photo in it pixelated first (see the module's docstring)."""
    image = widget.grab().toImage()
    ratio = image.devicePixelRatio()
    if ratio != 1:
        from PySide6.QtCore import QRect

        areas = [QRect(int(a.x() * ratio), int(a.y() * ratio), int(a.width() * ratio), int(a.height() * ratio))
                 for a in photo_areas(widget)]
    else:
        areas = photo_areas(widget)
    pixelate(image, areas).save(str(path))
    return path


class DialogHand:
    """Answers the window's modal dialogs as a person would, by typing into them and pressing their buttons.

    `expect(handler)` queues a handler; while a modal dialog is up, the next handler is called with it (from a timer,
    inside the dialog's own event loop). A message box with no handler waiting is read aloud and answered with its
    default (Yes or OK), so an unexpected question cannot hang the script; `told` keeps what every box said."""

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.handlers: list[Callable] = []
        self.told: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(150)
        self.timer.timeout.connect(self._look)
        self.timer.start()
        self._busy = False

    def expect(self, handler: Callable) -> None:
        self.handlers.append(handler)

    def _look(self) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        # The newest visible modal window, if any.
        modal = [w for w in QApplication.topLevelWidgets() if w.isModal() and w.isVisible()]
        if not modal or self._busy:
            return
        dialog = modal[-1]
        self._busy = True
        try:
            if isinstance(dialog, QMessageBox):
                self.told.append(f"{dialog.windowTitle()}: {dialog.text()}")
                print(f"  (message) {dialog.windowTitle()}: {dialog.text()}")
                if self.handlers and getattr(self.handlers[0], "for_message", False):
                    self.handlers.pop(0)(dialog)
                    return
                button = dialog.button(QMessageBox.StandardButton.Yes) or dialog.button(QMessageBox.StandardButton.Ok)
                (button or dialog.defaultButton()).click()
            elif self.handlers:
                self.handlers.pop(0)(dialog)
        finally:
            self._busy = False


def type_into(widget, text: str) -> None:
    """Typed key by key, as a person would, so every check that runs as they type runs."""
    from PySide6.QtTest import QTest

    widget.setFocus()
    widget.clear()
    QTest.keyClicks(widget, text)
