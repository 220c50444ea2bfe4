"""The MIS import preview as a table model: every row of the file, new, changed, unchanged or invalid, and why."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ...core.register.mis_import import FieldChange, PreviewRow, RowStatus
from .wording import BLURRED_COLOUR, day

COLUMNS = (("Row", 50), ("Status", 80), ("MIS id", 120), ("Name", 160), ("What happens", 430), ("Note", 160))
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
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            cells = (str(row.row), row.status.value.capitalize(), row.mis_id, row.name, what_happens(row), row.note)
            return cells[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() in (1, 4):
            return STATUS_COLOURS[row.status]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None
