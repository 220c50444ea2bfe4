"""Marking leavers in bulk: everyone in a year group, or the pupils missing from a full MIS export.
Their reference faces are deleted at once, so from then on they are always blurred."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from ...core.kernel.consent import YEAR_GROUPS
from ...core.register.year_end import LeaverCandidate
from .checklist import Checklist
from .wording import DATE_HINT, DateError, error_label, field_text, hint_label, read_day

COLUMNS = [("Name", 180), ("MIS id", 120), ("Year", 45), ("Form", 55), ("Why listed", 170), ("Reference faces", 80)]


class LeaversDialog(QDialog):
    candidates_requested = Signal(int)  # a year group
    apply_requested = Signal(object, object)  # list of person ids, the leaving date

    def __init__(self, today: date, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Mark leavers")
        self.resize(820, 520)
        self.year = QComboBox()
        self.year.setAccessibleName("Year group")
        for year in YEAR_GROUPS:
            self.year.addItem(f"Year {year}", year)
        self.year.setCurrentIndex(len(YEAR_GROUPS) - 1)
        self.list_year = QPushButton("List them")
        self.list_year.clicked.connect(lambda: self.candidates_requested.emit(self.year.currentData()))
        self.source = QLabel("Choose a year group and list them, or review the pupils missing from an MIS export "
                             "(Import from MIS… offers it after the preview).")
        self.source.setWordWrap(True)
        self.tick_all = QPushButton("Tick all")
        self.tick_none = QPushButton("Untick all")
        self.list = Checklist("Mark", COLUMNS, "Possible leavers")
        self.list.item_changed.connect(lambda _item: self._update())
        self.tick_all.clicked.connect(lambda: self.list.set_all(True))
        self.tick_none.clicked.connect(lambda: self.list.set_all(False))
        self.leaving_date = QLineEdit(field_text(today))
        self.leaving_date.setPlaceholderText(DATE_HINT)
        self.error = error_label()
        self.apply = QPushButton("Mark as leavers…")
        self.apply.clicked.connect(self._apply)
        self.outcome = QLabel("")
        self.outcome.setWordWrap(True)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        top = QHBoxLayout()
        top.addWidget(QLabel("Everyone in"))
        top.addWidget(self.year)
        top.addWidget(self.list_year)
        top.addStretch(1)
        top.addWidget(self.tick_all)
        top.addWidget(self.tick_none)
        form = QFormLayout()
        form.addRow("Leaving date:", self.leaving_date)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.apply)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.source)
        layout.addWidget(self.list.table, 1)
        layout.addLayout(form)
        layout.addWidget(hint_label("Marking someone as a leaver deletes their reference faces at once: from then on "
                                    "they cannot be recognised and are always blurred. Untick anyone staying on."))
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)
        self._update()

    def show_candidates(self, candidates: list[LeaverCandidate], source: str, ticked: bool = True) -> None:
        self.source.setText(source)
        self.list.fill([(c.person.id, True, ticked,
                         [c.person.name, c.person.mis_id or "", str(c.person.year_group or ""), c.person.form or "",
                          c.reason, str(c.reference_faces)], "") for c in candidates])
        self.outcome.setText("" if candidates else "Nobody to mark.")
        self._update()

    def _update(self) -> None:
        count = len(self.list.ticked())
        self.apply.setText(f"Mark {count} as leaver{'s' if count != 1 else ''}…")
        self.apply.setEnabled(bool(count))

    def _apply(self) -> None:
        try:
            leaving = read_day(self.leaving_date.text(), "Leaving date")
        except DateError as error:
            self.error.setText(str(error))
            return
        if leaving is None:
            self.error.setText("Leaving date: give the date they leave (dd/mm/yyyy).")
            return
        self.error.setText("")
        self.apply_requested.emit(self.list.ticked(), leaving)

    def show_done(self, marked: int, faces_deleted: int) -> None:
        self.list.fill([])
        self.outcome.setText(f"<b>{marked} marked as leaver{'s' if marked != 1 else ''}</b>; {faces_deleted} reference "
                             f"face{'s' if faces_deleted != 1 else ''} deleted. Recorded in the audit log.")
        self._update()
