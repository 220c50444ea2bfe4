"""The MIS import preview as a table model: every row of the file, new, changed, unchanged or invalid, and why."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ...core.register.mis_import import FieldChange, PreviewRow, RowStatus
from .wording import BLURRED_COLOUR, day

# (header, width, what the column means and what to do about it: the header's tooltip)
COLUMNS = (
    ("Row in file", 70, "The row's number as a spreadsheet shows the file (the header is row 1), to find it there."),
    ("Status", 80, "New: not in the register yet, will be added. Changed: in the register, the details shown will be "
                   "updated. Unchanged: nothing to do. Invalid: not imported; “What happens” says why and what to fix."),
    ("UPN or admission no.", 130, "The pupil's number in the MIS (the UPN, or the admission number when the file has no "
                                  "UPN). Rows are matched to people in the register by it."),
    ("Name", 140, "The name the register will use: the preferred forename when the file has one, then the surname."),
    ("Year", 50, "The year group read from the file. A blank cell leaves the register's year alone."),
    ("Form", 60, "The registration group read from the file. A blank cell leaves the register's form alone."),
    ("Date of birth", 90, "As read from the file; it decides when a pupil counts as an adult. A blank cell changes nothing."),
    ("What happens", 300, "What importing will do to this pupil, or why the row cannot be imported. Hover a red row "
                          "for what to fix."),
    ("Note", 160, "Something worth knowing that does not stop the row, such as a leaver or a newer consent kept."),
)
WHAT_HAPPENS_COLUMN = 7
STATUS_COLOURS = {RowStatus.NEW: QColor("#1f5fbf"), RowStatus.CHANGED: QColor("#8a5a00"),
                  RowStatus.UNCHANGED: QColor("#5f6368"), RowStatus.INVALID: BLURRED_COLOUR}
FIELD_WORDS = {"name": "name", "year_group": "year", "form": "form", "date_of_birth": "date of birth",
               "photo_consent": "photo consent"}


def _value(value) -> str:
    if value is None:
        return "none"
    return day(value) if isinstance(value, date) else str(value)


def change_text(change: FieldChange) -> str:
    return f"{FIELD_WORDS.get(change.field, change.field)}: {_value(change.old)} → {_value(change.new)}"


# What to do about each problem the import reports (core.register.mis_import), by words in its reason.
ADVICE = (
    ("missing UPN", "Add the pupil's UPN or admission number in the MIS: rows are matched to the register by it."),
    ("missing name", "Add the pupil's forename and surname in the MIS."),
    ("date of birth", "Write the date of birth as dd/mm/yyyy (for example 01/09/2013), and check it is not in the future."),
    ("unknown year", "Correct the year group: this school has Years 7 to 13 (“Year 7”, “Y7”, “7” and “L6” are all read)."),
    ("consent date", "Give the date photo consent was given or withdrawn, as dd/mm/yyyy."),
    ("needs the date", "Give the date photo consent was given or withdrawn, as dd/mm/yyyy."),
    ("photo consent '", "Write yes, no or withdrawn in the photo consent column."),
    ("duplicate of row", "The file lists this pupil twice; the first row is imported. Nothing to do unless they differ."),
    ("with different details", "One number belongs to two different rows: correct the MIS so each pupil has their own "
                               "number and one row."),
)
FIX_AND_AGAIN = ("Correct it in the MIS and export the file again (or correct the file), then import it again: "
                 "rows already imported come out unchanged, and the other rows do not wait for this one.")


def problem_advice(reason: str) -> str:
    """What an invalid row's reason means and what to do, for its tooltip."""
    advice = [words for fragment, words in ADVICE if fragment in reason]
    return "\n".join([f"Not imported: {reason}.", *dict.fromkeys(advice), FIX_AND_AGAIN])


def what_happens(row: PreviewRow) -> str:
    if row.status is RowStatus.INVALID:
        return f"Not imported: {row.reason}"
    if row.status is RowStatus.NEW:
        return "Added to the register"
    if row.status is RowStatus.CHANGED:
        return "; ".join(change_text(c) for c in row.changes)
    return "Nothing to change"


class ImportPreviewModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.all_rows: list[PreviewRow] = []
        self.rows: list[PreviewRow] = []
        self.only: RowStatus | None = None

    def set_rows(self, rows: list[PreviewRow]) -> None:
        self.all_rows = rows
        self.show_only(self.only)

    def show_only(self, status: RowStatus | None) -> None:
        self.beginResetModel()
        self.only = status
        self.rows = [r for r in self.all_rows if status is None or r.status is status]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cells(row)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.status is RowStatus.INVALID:
                return problem_advice(row.reason)
            text = cells(row)[index.column()]
            return text or None
        if role == Qt.ItemDataRole.ForegroundRole and index.column() in (1, WHAT_HAPPENS_COLUMN):
            return STATUS_COLOURS[row.status]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][2]
        return None


def cells(row: PreviewRow) -> tuple[str, ...]:
    """The row's cells as shown; year, form and date of birth as the file gives them (none for an invalid row)."""
    record = row.record
    year = f"{record.year_group}" if record and record.year_group else ""
    born = day(record.date_of_birth) if record and record.date_of_birth else ""
    form = record.form or "" if record else ""
    return (str(row.row), row.status.value.capitalize(), row.mis_id, row.name, year, form, born, what_happens(row), row.note)
