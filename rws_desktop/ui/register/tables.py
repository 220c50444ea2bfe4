"""Read-only tables for the register's dialogs: rows of text, sortable, sized once."""
from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem


def text_table(columns: list[tuple[str, int]], name: str) -> QTableWidget:
    """An empty table with these (title, width) columns; the last stretches."""
    table = QTableWidget(0, len(columns))
    table.setTabKeyNavigation(False)  # Tab moves on to the next control; arrows move within
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels([title for title, _ in columns])
    for column, (_title, width) in enumerate(columns):
        table.setColumnWidth(column, width)
    table.horizontalHeader().setStretchLastSection(True)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(24)
    return table


def fill(table: QTableWidget, rows: list[list[str]], colours: list[QColor | None] | None = None) -> None:
    """Replace the table's rows; a row's colour, if any, tints its text."""
    table.setSortingEnabled(False)
    table.setRowCount(len(rows))
    for number, cells in enumerate(rows):
        colour = colours[number] if colours else None
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if colour is not None:
                item.setForeground(colour)
            table.setItem(number, column, item)


def cell_texts(table: QTableWidget) -> list[list[str]]:
    """What the table shows, row by row (for tests and the CSV of what is on screen)."""
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]
