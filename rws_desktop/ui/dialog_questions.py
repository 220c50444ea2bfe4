"""The window's Questions as real dialogs."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from .vetting.dialogs import PersonPickerDialog, ReasonDialog


class DialogQuestions:
    """The real dialogs, over `parent`."""

    def __init__(self, parent: QWidget):
        self.parent = parent

    def confirm(self, title: str, question: str) -> bool:
        return QMessageBox.question(self.parent, title, question) == QMessageBox.StandardButton.Yes

    def explain(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent, title, text)

    def ask_reason(self, title: str, question: str) -> str | None:
        dialog = ReasonDialog(title, question, self.parent)
        return dialog.reason.text() if dialog.exec() else None

    def ask_person(self, channel_name, search, already_shown):
        dialog = PersonPickerDialog(channel_name, search, already_shown, self.parent)
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
