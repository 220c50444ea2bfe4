"""A person's details as a form: name, legal forename, pupil or staff, MIS id, year, form, date of birth, leaving
date."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from ...core.kernel.consent import YEAR_GROUPS, Person, PersonKind
from ...core.kernel.ports import NewPerson
from ...core.register.service import MAX_FORM, MAX_LEGAL_FORENAME, MAX_MIS_ID, MAX_NAME
from .wording import DATE_HINT, field_text, read_day


LEGAL_FORENAME_TIP = ("The forename on their birth certificate, when Name uses a preferred one (Elizabeth for Libby). "
                     "The MIS import fills it in; a caption naming them by either forename is checked. "
                     "Leave it empty when they go by their legal forename.")


def _line(limit: int | None = None, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    if limit:
        edit.setMaxLength(limit)
    edit.setPlaceholderText(placeholder)
    return edit


class DetailsForm(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.name = _line(MAX_NAME, "Forename Surname")
        self.name.setToolTip("The name staff and captions use: the preferred forename (Libby) and the surname")
        self.legal_forename = _line(MAX_LEGAL_FORENAME, "Only when Name uses a different, preferred forename")
        self.legal_forename.setToolTip(LEGAL_FORENAME_TIP)
        self.kind = QComboBox()
        self.kind.addItem("Pupil", PersonKind.PUPIL.value)
        self.kind.addItem("Staff", PersonKind.STAFF.value)
        self.mis_id = _line(MAX_MIS_ID, "UPN or admission number (optional)")
        self.year = QComboBox()
        self.year.addItem("None", None)
        for year in YEAR_GROUPS:
            self.year.addItem(f"Year {year}", year)
        self.form = _line(MAX_FORM, "Registration group (optional)")
        self.date_of_birth = _line(placeholder=f"{DATE_HINT} (decides when a pupil is an adult)")
        self.leaving_date = _line(placeholder=f"{DATE_HINT}; empty while at the school")
        self.leaving_date.setToolTip("Setting a leaving date deletes their reference faces at once")
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label, widget in (("Name:", self.name), ("Legal forename:", self.legal_forename),
                              ("Pupil or staff:", self.kind), ("MIS id:", self.mis_id),
                              ("Year group:", self.year), ("Form:", self.form), ("Date of birth:", self.date_of_birth),
                              ("Leaving date:", self.leaving_date)):
            layout.addRow(label, widget)

    def set_person(self, person: Person | None) -> None:
        """Fill the form from a person, or empty it for a new one."""
        person = person or Person(0, "")
        self.name.setText(person.name)
        self.legal_forename.setText(person.legal_forename or "")
        self.kind.setCurrentIndex(self.kind.findData(person.kind.value))
        self.mis_id.setText(person.mis_id or "")
        self.year.setCurrentIndex(max(0, self.year.findData(person.year_group)) if person.year_group else 0)
        self.form.setText(person.form or "")
        self.date_of_birth.setText(field_text(person.date_of_birth))
        self.leaving_date.setText(field_text(person.leaving_date))

    def draft(self) -> NewPerson:
        """The details as typed; DateError for a date that is not one (the register checks the rest)."""
        return NewPerson(
            name=self.name.text(), kind=PersonKind(self.kind.currentData()),
            mis_id=self.mis_id.text().strip() or None, year_group=self.year.currentData(),
            form=self.form.text().strip() or None,
            date_of_birth=read_day(self.date_of_birth.text(), "Date of birth"),
            leaving_date=read_day(self.leaving_date.text(), "Leaving date"),
            legal_forename=" ".join(self.legal_forename.text().split()) or None,
        )
