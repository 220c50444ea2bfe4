"""The panel beside the people table: one person's consent, recognition and details, each in a tab.
It only shows and asks; the workspace makes the changes through the register."""
from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QScrollArea, QStackedWidget, QTabWidget, QVBoxLayout,
                               QWidget)

from ...core.kernel.channels import ChannelCatalogue
from ...core.register.person_details import PersonDetails
from .biometric_box import BiometricBox
from .consent_editor import ConsentEditor
from .details_form import DetailsForm
from .reference_faces import ReferenceFacesBox
from .wording import DateError, day, error_label

NOBODY = "Select someone in the table to see and change their consent, or add a person."


def summary(details: PersonDetails) -> str:
    person = details.person
    parts = [person.kind.value.capitalize()]
    if person.year_group:
        parts.append(f"Year {person.year_group}")
    if person.form:
        parts.append(f"form {person.form}")
    if person.mis_id:
        parts.append(f"MIS id {person.mis_id}")
    parts.append(f"register id {person.id}")
    if person.leaving_date:
        parts.append(f"leaving date {day(person.leaving_date)}")
    return ", ".join(parts)


class PersonPanel(QWidget):
    details_save_requested = Signal(object)  # NewPerson, for the person shown
    add_requested = Signal(object)  # NewPerson, in new-person mode
    impact_requested = Signal()

    def __init__(self, channels: ChannelCatalogue, today=date.today, parent=None):
        super().__init__(parent)
        self.today = today
        self.details: PersonDetails | None = None
        self.adding = False
        self.nobody = QLabel(NOBODY)
        self.nobody.setWordWrap(True)
        self.nobody.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name = QLabel("")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.impact = QPushButton("Exported photos of them…")
        self.impact.setToolTip("Every photo exported showing this person, from the audit log, to take down if needed")
        self.consent = ConsentEditor(channels, today)
        self.biometric = BiometricBox()
        self.faces = ReferenceFacesBox()
        self.form = DetailsForm()
        self.save_details = QPushButton("Save details")
        self.details_error = error_label()

        recognition = QWidget()
        recognition_layout = QVBoxLayout(recognition)
        recognition_layout.addWidget(self.biometric)
        recognition_layout.addWidget(self.faces)
        recognition_layout.addStretch(1)
        details_tab = QWidget()
        details_layout = QVBoxLayout(details_tab)
        details_layout.addWidget(self.form)
        row = QHBoxLayout()
        row.addWidget(self.details_error, 1)
        row.addWidget(self.save_details, 0, Qt.AlignmentFlag.AlignTop)
        details_layout.addLayout(row)
        details_layout.addStretch(1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.consent, "Photo consent")
        self.tabs.addTab(_scrolling(recognition), "Recognition")
        self.tabs.addTab(_scrolling(details_tab), "Details")

        content = QWidget()
        header = QHBoxLayout()
        header.addWidget(self.name, 1)
        header.addWidget(self.impact)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.nobody)
        self.stack.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.save_details.clicked.connect(self._save_details)
        self.impact.clicked.connect(self.impact_requested)

    @property
    def person_id(self) -> int | None:
        return None if self.adding or self.details is None else self.details.person.id

    def show_nobody(self) -> None:
        self.details, self.adding = None, False
        self.stack.setCurrentWidget(self.nobody)

    def show_new(self) -> None:
        """An empty details form; the other tabs wait until the person is in the register."""
        self.details, self.adding = None, True
        self.name.setText("<b>New person</b>")
        self.summary.setText("Fill in their details and add them; then record their consent.")
        self.form.set_person(None)
        self.details_error.setText("")
        self.save_details.setText("Add to register")
        self.impact.setEnabled(False)
        for index in (0, 1):
            self.tabs.setTabEnabled(index, False)
        self.tabs.setCurrentIndex(2)
        self.stack.setCurrentIndex(1)
        self.form.name.setFocus()

    def show_person(self, details: PersonDetails) -> None:
        same_person = self.details is not None and self.details.person.id == details.person.id and not self.adding
        self.details, self.adding = details, False
        person = details.person
        self.name.setText(f"<b>{escape(person.name, quote=False)}</b>")
        self.summary.setText(summary(details))
        self.impact.setEnabled(True)
        self.consent.show_lines(details.channels)
        self.biometric.show_details(details, person.is_adult(self.today()), self.today())
        self.faces.show_faces(details.reference_faces, details.biometric_verdict.allowed, details.biometric_verdict.reason)
        if not same_person:
            self.faces.status.setText("")
            self.form.set_person(person)
            self.details_error.setText("")
        self.save_details.setText("Save details")
        for index in (0, 1):
            self.tabs.setTabEnabled(index, True)
        self.stack.setCurrentIndex(1)

    def show_saved_details(self, details: PersonDetails) -> None:
        """After the details were saved: the form shows them as the register now holds them."""
        self.show_person(details)
        self.form.set_person(details.person)
        self.details_error.setText("")

    def _save_details(self) -> None:
        try:
            draft = self.form.draft()
        except DateError as error:
            self.details_error.setText(str(error))
            return
        self.details_error.setText("")
        (self.add_requested if self.adding else self.details_save_requested).emit(draft)


def _scrolling(widget: QWidget) -> QScrollArea:
    """Tabs scroll rather than squeeze on a small screen."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area
