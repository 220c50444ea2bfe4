"""Driving the real main window from tests: its questions answered by the test, files dropped on it."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from rws_desktop.app import App
from rws_desktop.ui.main_window import MainWindow
from sessions import TEST_PASSWORD


class Answers:
    """What the person would type or pick, and what the window told them."""

    def __init__(self):
        self.reasons: list[str] = []
        self.people: list[tuple[int, str]] = []
        self.export_folder: Path | None = None
        self.confirm = True
        self.told: list[tuple[str, str]] = []


def open_window(qtbot, db: Path, settings: QSettings, user: str = "MSN") -> tuple[MainWindow, Answers]:
    """Signed in as `user` (MSN, comms for WhatsApp and Instagram, unless told otherwise)."""
    app = App.open(f"sqlite:///{db}", workers=2)
    app.sign_in(user, TEST_PASSWORD)
    window = MainWindow(app, settings)
    answers = Answers()
    workspace = window.vetting
    workspace.ask_reason = lambda title, question: answers.reasons.pop(0) if answers.reasons else None
    workspace.ask_person = lambda: answers.people.pop(0) if answers.people else None
    workspace.ask_export_folder = lambda: answers.export_folder
    workspace.confirm = lambda title, question: answers.confirm
    workspace.explain = lambda title, text: answers.told.append((title, text))
    window.audit.explain = window.register.explain = workspace.explain
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, answers


def drop(window: MainWindow, paths: list[Path]) -> None:
    """Drops files on the window as the desktop would: drag enter, then drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = QPointF(window.width() / 2, window.height() / 2)
    enter = QDragEnterEvent(centre.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, QDropEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
