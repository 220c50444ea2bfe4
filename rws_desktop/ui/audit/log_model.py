"""The log as a table, newest first, read a page at a time as the person scrolls."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ...core.audit.describe import AuditRow
from ...core.audit.log_service import AuditFilter, AuditLogService

COLUMNS = ("#", "When", "Entry", "By", "Channel", "Decision", "Summary", "People")


class AuditLogModel(QAbstractTableModel):
    def __init__(self, service: AuditLogService, parent=None):
        super().__init__(parent)
        self.service = service
        self.filter = AuditFilter()
        self.rows: list[AuditRow] = []
        self._next_before: int | None = None
        self._more = False

    def load(self, filter: AuditFilter) -> None:
        """Starts again from the newest entry matching `filter` (may raise AuditReportError)."""
        page = self.service.page(filter)
        self.beginResetModel()
        self.filter, self.rows = filter, list(page.rows)
        self._next_before, self._more = page.next_before, page.next_before is not None
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.rows[index.row()]
        cells = (
            str(row.seq),
            row.at.strftime("%d %b %Y %H:%M") if row.at else row.at_utc,
            row.kind_label, row.user, row.channel, row.decision, row.summary,
            ", ".join(person.label() for person in row.people),
        )
        return cells[index.column()]

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        page = self.service.page(self.filter, self._next_before)
        if page.rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page.rows) - 1)
            self.rows += page.rows
            self.endInsertRows()
        self._next_before, self._more = page.next_before, page.next_before is not None

    def seq_at(self, row: int) -> int | None:
        return self.rows[row].seq if 0 <= row < len(self.rows) else None
