"""A person picker by name: type part of a name, an MIS id or an id, and choose from the matches.

For wherever the window asks for a person (the auditor's person report asks for an id today). The
people are read once, off the UI thread, from whichever service the signed-in person may use (the
audit's person search for auditors, the register for office staff); each keystroke then filters in memory.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QVBoxLayout, QWidget)

from ..app import App
from ..core.audit.person_search import PersonChoice, matching
from ..core.kernel.permissions import Action, NotAllowed
from .admin.background import Background

PersonSource = Callable[[], list[PersonChoice]]
ID_ROLE = Qt.ItemDataRole.UserRole


def people_source(app: App) -> PersonSource:
    """Everyone in the register as choices, through the service this person may use."""
    session = app.signed_in()
    if session.may(Action.READ_AUDIT):
        return app.people_search.everyone
    if session.may(Action.READ_REGISTER):
        register = app.register
        return lambda: [PersonChoice.of(person) for person in register.people()]
    raise NotAllowed(f"{session.initials} may not look people up: that needs the auditor or office role.")


class PersonPicker(QWidget):
    """A search box over a list of matches; `chosen` carries the person picked (double-click or Enter)."""

    chosen = Signal(object)  # PersonChoice
    loaded = Signal()

    def __init__(self, source: PersonSource, parent=None):
        super().__init__(parent)
        self.people: list[PersonChoice] = []
        self.search = QLineEdit()
        self.search.setPlaceholderText("Name, MIS id or id")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find a person by name, MIS id or id")
        self.matches = QListWidget()
        self.matches.setAccessibleName("People matching")
        self.count = QLabel("Reading the register…")
        label = QLabel("&Find:")
        label.setBuddy(self.search)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.search)
        layout.addWidget(self.matches, 1)
        layout.addWidget(self.count)
        self.search.textChanged.connect(self.refilter)
        self.search.returnPressed.connect(self._enter)
        self.matches.itemActivated.connect(lambda item: self.chosen.emit(self.current()))
        self.background = Background(self)
        self.background.run(source, self._loaded, self._failed)

    @property
    def busy(self) -> bool:
        return self.background.busy

    def _loaded(self, people: list[PersonChoice]) -> None:
        self.people = people
        self.refilter()
        self.loaded.emit()

    def _failed(self, error: Exception) -> None:
        self.count.setText(f"The register could not be read: {error}")

    def refilter(self) -> None:
        found = matching(self.people, self.search.text())
        self.matches.clear()
        for person in found:
            item = QListWidgetItem(person.describe())
            item.setData(ID_ROLE, person.id)
            self.matches.addItem(item)
        if found:
            self.matches.setCurrentRow(0)
        total = len(self.people)
        self.count.setText(f"No one matches “{self.search.text().strip()}”." if not found else
                           f"{len(found)} of {total} {'person' if total == 1 else 'people'}"
                           + (" (the first 50; type more to narrow)" if len(found) == 50 else ""))

    def current(self) -> PersonChoice | None:
        item = self.matches.currentItem()
        if item is None:
            return None
        wanted = item.data(ID_ROLE)
        return next((p for p in self.people if p.id == wanted), None)

    def _enter(self) -> None:
        person = self.current()
        if person is not None:
            self.chosen.emit(person)


class PersonPickerDialog(QDialog):
    def __init__(self, source: PersonSource, title: str = "Choose a person", parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(480, 420)
        self.picker = PersonPicker(source, self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Choose")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.picker.chosen.connect(lambda _person: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker, 1)
        layout.addWidget(self.buttons)
        self.person: PersonChoice | None = None

    def accept(self) -> None:
        self.person = self.picker.current()
        if self.person is not None:
            super().accept()


def pick_person(app: App, title: str = "Choose a person", parent=None) -> PersonChoice | None:
    """Ask for a person by name; None if cancelled."""
    dialog = PersonPickerDialog(people_source(app), title, parent)
    return dialog.person if dialog.exec() else None
