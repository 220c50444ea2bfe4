"""A table whose first column is a tick box per person: who a bulk change applies to."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from .tables import text_table

PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Checklist:
    """Wraps a table: rows of (person id, tickable, ticked, cells); tells when ticks change."""

    def __init__(self, tick_title: str, columns: list[tuple[str, int]], name: str):
        self.table: QTableWidget = text_table([(tick_title, 70)] + columns, name)

    def fill(self, rows: list[tuple[int, bool, bool, list[str], str]]) -> None:
        """rows: (person id, may be ticked, ticked, other cells, why it may not be ticked)."""
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for number, (person_id, tickable, ticked, cells, why_not) in enumerate(rows):
            tick = QTableWidgetItem("")
            tick.setData(PERSON_ID_ROLE, person_id)
            flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
            tick.setFlags(flags | Qt.ItemFlag.ItemIsEnabled if tickable else flags)
            tick.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            tick.setToolTip(why_not)
            self.table.setItem(number, 0, tick)
            for column, text in enumerate(cells, start=1):
                item = QTableWidgetItem(text)
                item.setToolTip(why_not or text)
                self.table.setItem(number, column, item)
        self.table.blockSignals(False)

    def ticked(self) -> list[int]:
        return [self.table.item(r, 0).data(PERSON_ID_ROLE) for r in range(self.table.rowCount())
                if self.table.item(r, 0).checkState() == Qt.CheckState.Checked]

    def is_ticked(self, row: int) -> bool:
        return self.table.item(row, 0).checkState() == Qt.CheckState.Checked

    def set_all(self, ticked: bool) -> None:
        state = Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                item.setCheckState(state)

    def set_ticked(self, person_id: int, ticked: bool) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item.data(PERSON_ID_ROLE) == person_id and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    @property
    def item_changed(self) -> Signal:
        return self.table.itemChanged
