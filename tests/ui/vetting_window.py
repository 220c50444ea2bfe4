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
        self.found_person_id: int | None = None  # whom the person would choose when asked to find someone
        self.export_folder: Path | None = None  # where export goes; None: the folder proposed, if take_proposed_folder
        self.take_proposed_folder = False
        self.proposed_folder: Path | None = None  # what the export question proposed, and for how many copies
        self.export_count: int | None = None
        self.confirm = True
        self.told: list[tuple[str, str]] = []


class ScriptedQuestions:
    """The window's Questions, answered from `answers` instead of dialogs."""

    def __init__(self, answers: Answers):
        self.answers = answers

    def confirm(self, title: str, question: str) -> bool:
        return self.answers.confirm

    def explain(self, title: str, text: str) -> None:
        self.answers.told.append((title, text))

    def ask_reason(self, title: str, question: str) -> str | None:
        return self.answers.reasons.pop(0) if self.answers.reasons else None

    def ask_person(self, channel_name, search, already_shown) -> tuple[int, str] | None:
        return self.answers.people.pop(0) if self.answers.people else None

    def find_person(self, title: str, people):
        wanted = self.answers.found_person_id
        return None if wanted is None else next(p for p in people() if p.id == wanted)

    def folder(self, title: str, start: str) -> Path | None:
        return self.answers.export_folder

    def export_folder(self, proposed: Path, count: int, problem) -> Path | None:
        self.answers.proposed_folder, self.answers.export_count = proposed, count
        if self.answers.export_folder is not None:
            return self.answers.export_folder
        return proposed if self.answers.take_proposed_folder else None

    def open_files(self, title: str, folder: str, file_filter: str) -> list[Path]:
        return []

    def open_file(self, title: str, folder: str, file_filter: str) -> Path | None:
        return None

    def save_file(self, title: str, suggested: Path, file_filter: str) -> Path | None:
        return None


def open_window(qtbot, db: Path, settings: QSettings, user: str = "MSN", warm_workers: bool = False,
                ) -> tuple[MainWindow, Answers]:
    """Signed in as `user` (MSN, comms for WhatsApp and Instagram, unless told otherwise). Worker processes
    start with the first batch unless `warm_workers` (the real window's way) starts them at once."""
    app = App.open(f"sqlite:///{db}", workers=2)
    app.sign_in(user, TEST_PASSWORD)
    answers = Answers()
    window = MainWindow(app, settings, ScriptedQuestions(answers), warm_workers=warm_workers)
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
