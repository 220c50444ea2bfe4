"""The window's Questions as real dialogs."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from .vetting.dialogs import PersonPickerDialog, ReasonDialog
from .vetting.overlay_layout import beside

# Room for the window frame and title bar the system adds around a dialog.
FRAME_ALLOWANCE = QSize(16, 40)


class DialogQuestions:
    """The real dialogs, over `parent`. A correction's dialog opens beside what it is about (`keep_clear`: the
    face or area on screen), never over it."""

    def __init__(self, parent: QWidget):
        self.parent = parent
        self.keep_clear: Callable[[], QRect | None] = lambda: None
        self.face_image: Callable[[], QImage | None] = lambda: None  # the selected face, shown in "Show face as…"

    def _clear_of_attention(self, dialog: QDialog) -> QDialog:
        avoid = self.keep_clear()
        if avoid is not None:
            dialog.adjustSize()
            screen = (self.parent.screen() if self.parent is not None else dialog.screen()).availableGeometry()
            dialog.move(beside(dialog.size() + FRAME_ALLOWANCE, avoid, screen))
        return dialog

    def confirm(self, title: str, question: str) -> bool:
        return QMessageBox.question(self.parent, title, question) == QMessageBox.StandardButton.Yes

    def explain(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent, title, text)

    def ask_reason(self, title: str, question: str) -> str | None:
        dialog = self._clear_of_attention(ReasonDialog(title, question, self.parent))
        return dialog.reason.text() if dialog.exec() else None

    def ask_person(self, channel_name, search, already_shown):
        dialog = self._clear_of_attention(PersonPickerDialog(channel_name, search, already_shown, self.parent,
                                                             face=self.face_image()))
        if dialog.exec() and dialog.chosen_person_id() is not None:
            return dialog.chosen_person_id(), dialog.reason.text()
        return None

    def find_person(self, title, people):
        from .people_picker import PersonPickerDialog as FindPersonDialog

        dialog = FindPersonDialog(people, title, self.parent)
        return dialog.person if dialog.exec() else None

    def open_files(self, title: str, folder: str, file_filter: str) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self.parent, title, folder, file_filter)
        return [Path(name) for name in names]

    def open_file(self, title: str, folder: str, file_filter: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self.parent, title, folder, file_filter)
        return Path(name) if name else None

    def save_file(self, title: str, suggested: Path, file_filter: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.parent, title, str(suggested), file_filter)
        return Path(name) if name else None

    def folder(self, title: str, start: str) -> Path | None:
        name = QFileDialog.getExistingDirectory(self.parent, title, start)
        return Path(name) if name else None

    def export_folder(self, proposed: Path, count: int, problem: Callable[[Path], str | None]) -> Path | None:
        from .vetting.export_dialogs import ExportFolderDialog

        dialog = ExportFolderDialog(proposed, count, problem, self.parent)
        return dialog.chosen() if dialog.exec() else None
