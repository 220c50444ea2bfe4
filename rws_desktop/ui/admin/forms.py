"""Forms the admin workspace and the setup assistant share: an account, channel admin lists, the DPIA."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QCheckBox, QDateEdit, QFormLayout, QGridLayout, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)

from ...core.accounts.dpia import MAX_DPO_NAME, MAX_REFERENCE
from ...core.kernel.account_rules import MAX_ACCOUNT_NAME
from ...core.kernel.permissions import Role
from .presenter import ROLE_WORDS, ChannelRow

DATE_FORMAT = "dd/MM/yyyy"


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(mid);")
    return label


def _line(accessible: str, limit: int, placeholder: str = "", secret: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setMaxLength(limit)
    edit.setAccessibleName(accessible)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class RoleChoice(QWidget):
    """A tick box per role, each saying what the role is for."""

    def __init__(self, chosen: frozenset[Role] = frozenset(), fixed: frozenset[Role] = frozenset(), parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[Role, QCheckBox] = {}
        for role in Role:
            box = QCheckBox(ROLE_WORDS[role])
            box.setChecked(role in chosen or role in fixed)
            box.setEnabled(role not in fixed)
            self.boxes[role] = box
            layout.addWidget(box)

    def roles(self) -> list[Role]:
        return [role for role, box in self.boxes.items() if box.isChecked()]

    def set_roles(self, roles) -> None:
        for role, box in self.boxes.items():
            box.setChecked(role in roles)


class AccountForm(QWidget):
    """Initials, full name and roles for a new account."""

    def __init__(self, roles: frozenset[Role] = frozenset({Role.COMMS}), parent=None):
        super().__init__(parent)
        self.initials = _line("Initials", 5, "as the policy writes them, e.g. MSN")
        self.name = _line("Full name", MAX_ACCOUNT_NAME)
        self.default_roles = roles
        self.roles = RoleChoice(roles)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Initials:", self.initials)
        form.addRow("Full &name:", self.name)
        form.addRow("Roles:", self.roles)

    def clear(self) -> None:
        self.initials.clear()
        self.name.clear()
        self.roles.set_roles(self.default_roles)


class ChannelAdminsForm(QWidget):
    """Each channel's admins as typed initials, starting from what is in force now (the policy's list at first)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.edits: dict[str, QLineEdit] = {}
        self.notes: dict[str, QLabel] = {}
        self.initial: dict[str, str] = {}

    def set_rows(self, rows: list[ChannelRow]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.edits.clear()
        self.notes.clear()
        for header, column in (("<b>Channel</b>", 0), ("<b>Admins (initials)</b>", 1), ("<b>Notes</b>", 2)):
            self.grid.addWidget(QLabel(header), 0, column)
        for number, row in enumerate(rows, start=1):
            name = QLabel(row.name if row.accepts_photos else f"{row.name} (takes no photos)")
            edit = _line(f"Admins of {row.name}", 200, "admins only")
            edit.setText(row.admins_text)
            name.setBuddy(edit)
            note = QLabel(_note(row))
            note.setWordWrap(True)
            self.grid.addWidget(name, number, 0)
            self.grid.addWidget(edit, number, 1)
            self.grid.addWidget(note, number, 2)
            self.edits[row.key], self.notes[row.key] = edit, note
            self.initial[row.key] = row.admins_text
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        self.grid.setRowStretch(len(rows) + 1, 1)  # spare height below the rows, not between them

    def changed(self) -> dict[str, str]:
        """Channels whose typed list differs from the one shown at first."""
        return {key: edit.text() for key, edit in self.edits.items()
                if _normal(edit.text()) != _normal(self.initial.get(key, ""))}


def _normal(text: str) -> list[str]:
    from .presenter import parse_initials_list

    return parse_initials_list(text)


def _note(row: ChannelRow) -> str:
    note = row.source
    if row.without_account:
        note += f"; no account yet: {', '.join(row.without_account)}"
    return note


class DpiaForm(QWidget):
    """The DPIA's reference, the date it was signed off and the data protection officer who signed it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.reference = _line("DPIA reference", MAX_REFERENCE, "e.g. DPIA-2026-03")
        self.assessed_on = QDateEdit(QDate.currentDate())
        self.assessed_on.setDisplayFormat(DATE_FORMAT)
        self.assessed_on.setCalendarPopup(True)
        self.assessed_on.setMaximumDate(QDate.currentDate())
        self.assessed_on.setAccessibleName("Date the DPIA was signed off")
        self.dpo = _line("Data protection officer", MAX_DPO_NAME, "who signed it off")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Reference:", self.reference)
        form.addRow("&Signed off on:", self.assessed_on)
        form.addRow("Data protection &officer:", self.dpo)

    def values(self) -> tuple[str, date, str]:
        return self.reference.text(), self.assessed_on.date().toPython(), self.dpo.text()

    def is_empty(self) -> bool:
        return not self.reference.text().strip() and not self.dpo.text().strip()
