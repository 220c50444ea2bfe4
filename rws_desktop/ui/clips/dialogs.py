"""The questions a clip correction asks: why, who, and over which frames."""
from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QInputDialog, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QSpinBox, QVBoxLayout, QWidget)
from PySide6.QtCore import Qt

REASON_HINT = "Kept in the audit log with your name and the time."


def ask_reason(parent: QWidget, title: str, question: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, f"{question}\n{REASON_HINT}")
    return text if ok and text.strip() else None


def ask_person(parent: QWidget, candidates: Callable[[str], list]) -> tuple[int, str] | None:
    """Pick someone from the register; only people who may be shown on the channel can be chosen."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Show this face")
    query, people, reason = QLineEdit(), QListWidget(), QLineEdit()
    query.setPlaceholderText("Search by name, MIS id or form")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)

    def fill(text: str) -> None:
        people.clear()
        for candidate in candidates(text):
            item = QListWidgetItem(f"{candidate.person.name}: {candidate.reason}")
            item.setData(Qt.ItemDataRole.UserRole, candidate.person.id)
            if not candidate.may_be_shown:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            people.addItem(item)

    query.textChanged.connect(fill)
    fill("")
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel("Who is this? Only people with active consent for this channel can be shown."))
    layout.addWidget(query)
    layout.addWidget(people, 1)
    form = QFormLayout()
    form.addRow("Why:", reason)
    layout.addLayout(form)
    layout.addWidget(QLabel(REASON_HINT))
    layout.addWidget(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted or people.currentItem() is None or not reason.text().strip():
        return None
    return people.currentItem().data(Qt.ItemDataRole.UserRole), reason.text()


def ask_span(parent: QWidget, current: int, last: int) -> tuple[int, int, str] | None:
    """The frames (shown counting from 1) to blur a drawn area on, and why."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Blur this area")
    first, until, reason = QSpinBox(), QSpinBox(), QLineEdit()
    for box in (first, until):
        box.setRange(1, last + 1)
    first.setValue(current + 1)
    until.setValue(last + 1)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form = QFormLayout(dialog)
    form.addRow("From frame:", first)
    form.addRow("To frame:", until)
    form.addRow("Why:", reason)
    form.addRow(QLabel(REASON_HINT))
    form.addRow(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted or not reason.text().strip():
        return None
    return first.value() - 1, until.value() - 1, reason.text()
