"""Asking for a correction's reason, and for the person a blurred face shows."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout)

from ...core.vetting.review_service import Candidate

REASON_HINT = "Kept in the audit log with your name and the time."


class ReasonDialog(QDialog):
    def __init__(self, title: str, question: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.reason = _reason_field()
        buttons, self.ok = _ok_cancel(self)
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(question))
        layout.addWidget(self.reason)
        layout.addWidget(_hint(REASON_HINT))
        layout.addWidget(buttons)


class PersonPickerDialog(QDialog):
    """Search the register; only people with active consent for the channel can be chosen. `face`, when given, is
    the face being named, shown beside the question so it is clear whose face this is."""

    def __init__(self, channel_name: str, search: Callable[[str], list[Candidate]], shown_in_photo: set[int], parent=None,
                 face: QImage | None = None):
        super().__init__(parent)
        self._shown_in_photo = shown_in_photo
        self.setWindowTitle("Show this face")
        self.resize(460, 420)
        self._search = search
        self.query = QLineEdit()
        self.query.setPlaceholderText("Search by name, MIS id or form")
        self.people = QListWidget()
        self.reason = _reason_field()
        buttons, self.ok = _ok_cancel(self)
        self.ok.setText("Show face")
        self.face = QLabel()
        self.face.setAccessibleName("The face to show")
        if face is not None and not face.isNull():
            self.face.setPixmap(QPixmap.fromImage(face))
        else:
            self.face.hide()
        question = QLabel(f"Who is this? Only people with active consent for <b>{channel_name}</b> can be shown.")
        question.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.face, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(question, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.query)
        layout.addWidget(self.people, 1)
        form = QFormLayout()
        form.addRow("Why:", self.reason)
        layout.addLayout(form)
        layout.addWidget(_hint(REASON_HINT))
        layout.addWidget(buttons)
        self.query.textChanged.connect(self._fill)
        self.people.currentItemChanged.connect(self._update_ok)
        self.reason.textChanged.connect(self._update_ok)
        self._fill("")

    def chosen_person_id(self) -> int | None:
        item = self.people.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item and item.flags() & Qt.ItemFlag.ItemIsEnabled else None

    def _fill(self, text: str) -> None:
        self.people.clear()
        for candidate in self._search(text):
            person = candidate.person
            detail = ", ".join(filter(None, (person.form, person.mis_id)))
            label = f"{person.name}{f' ({detail})' if detail else ''}"
            why_not = (f"cannot be shown, {candidate.reason}" if not candidate.may_be_shown
                       else "already shown on another face" if person.id in self._shown_in_photo else "")
            item = QListWidgetItem(f"{label}: {why_not}" if why_not else label)
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            if why_not:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable)
            self.people.addItem(item)
        self._update_ok()

    def _update_ok(self, *_args) -> None:
        self.ok.setEnabled(self.chosen_person_id() is not None and bool(self.reason.text().strip()))


def _reason_field() -> QLineEdit:
    field = QLineEdit()
    field.setPlaceholderText("Reason (required)")
    return field


def _ok_cancel(dialog: QDialog) -> tuple[QDialogButtonBox, QPushButton]:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, buttons.button(QDialogButtonBox.StandardButton.Ok)


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("color: palette(mid);")
    return label
