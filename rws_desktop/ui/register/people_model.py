"""The people table's model: one row per person from the core's query, sorted by the core too."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ...core.kernel.consent import FaceConsent
from ...core.register.people_query import PeopleRow, SortKey
from .wording import BLURRED_COLOUR, CONSENT_WORDS, SHOWN_COLOUR, SOME_CHANNELS_COLOUR, day

PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1
# data() runs for every role of every visible cell on each frame: compare plain ints, cheapest first.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_PERSON_ID = int(PERSON_ID_ROLE)


def recognition_text(row: PeopleRow) -> str:
    if not row.recognisable:
        return "Not recognisable"
    if not row.enrolled:
        return "Not enrolled"
    return f"{row.enrolled} reference face{'s' if row.enrolled != 1 else ''}"


def consent_text(row: PeopleRow) -> str:
    if row.consent is None:
        return ""
    if row.granted_channels:  # the all-channels view: shown on some channels, not on every one
        count = len(row.granted_channels)
        return f"Granted for {count} channel{'s' if count != 1 else ''}"
    words = CONSENT_WORDS.get(row.consent, row.consent.value)
    return f"{words}, may be named" if row.consent is FaceConsent.GRANTED and row.may_be_named else words


@dataclass(frozen=True)
class Column:
    title: str
    sort: SortKey
    width: int
    text: Callable[[PeopleRow], str]
    tip: str = ""


COLUMNS = (
    # Widths fit every header (with its sort arrow) and the whole table in the 770 pixels it gets on a
    # 1280-pixel screen beside the person's panel; tests/ui/test_register_table.py checks both.
    Column("Name", SortKey.SURNAME, 140, lambda r: r.person.name, "Sorted by surname"),
    Column("MIS id", SortKey.MIS_ID, 80, lambda r: r.person.mis_id or ""),
    Column("Type", SortKey.KIND, 60, lambda r: r.person.kind.value.capitalize(), "Pupil or staff"),
    Column("Year", SortKey.YEAR, 56, lambda r: str(r.person.year_group or "")),
    Column("Form", SortKey.FORM, 60, lambda r: r.person.form or ""),
    Column("Recognition", SortKey.ENROLLED, 115, recognition_text,
           "Reference faces held; 'not recognisable' means no valid biometric consent, so always blurred"),
    Column("Consent", SortKey.CONSENT, 140, consent_text),
    Column("Expires", SortKey.EXPIRES, 85, lambda r: day(r.expires_on), "When the consent that shows them lapses"),
    Column("Leaving", SortKey.LEAVING, 85, lambda r: day(r.person.leaving_date)),
)
CONSENT_COLUMN = next(i for i, c in enumerate(COLUMNS) if c.sort is SortKey.CONSENT)
LEAVING_COLUMN = next(i for i, c in enumerate(COLUMNS) if c.sort is SortKey.LEAVING)


class PeopleTableModel(QAbstractTableModel):
    """Header clicks choose the sort; the workspace asks the core for rows sorted that way."""

    sort_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[PeopleRow] = []
        self.sort_key = SortKey.SURNAME
        self.descending = False
        self.channel_name = ""
        self._texts: dict[int, tuple[str, ...]] = {}  # a row's cells, worked out when first painted

    def set_rows(self, rows: list[PeopleRow], channel_name: str) -> None:
        self.beginResetModel()
        self.rows = rows
        self._texts: dict[int, tuple[str, ...]] = {}
        self.endResetModel()
        if channel_name != self.channel_name:
            self.channel_name = channel_name
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, CONSENT_COLUMN, CONSENT_COLUMN)

    def row_of(self, person_id: int) -> int:
        return next((i for i, row in enumerate(self.rows) if row.person.id == person_id), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        role = int(role)
        if role == _DISPLAY:
            number = index.row()
            texts = self._texts.get(number)
            if texts is None:
                texts = self._texts[number] = tuple(column.text(self.rows[number]) for column in COLUMNS)
            return texts[index.column()]
        if role == _PERSON_ID:
            return self.rows[index.row()].person.id
        if (role == _FOREGROUND or role == _TOOLTIP) and index.column() == CONSENT_COLUMN:
            row = self.rows[index.row()]
            if row.consent is None:
                return None
            if row.granted_channels:
                return (f"May be shown on {', '.join(row.granted_channels)} only; choose a channel above to see "
                        "each one") if role == _TOOLTIP else SOME_CHANNELS_COLOUR
            if role == _TOOLTIP:
                return row.consent_reason.capitalize()
            return SHOWN_COLOUR if row.consent is FaceConsent.GRANTED else BLURRED_COLOUR
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        column = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            if section == CONSENT_COLUMN and self.channel_name:
                return f"Photo consent for {self.channel_name}"  # the channel is chosen above the table
            return column.tip or None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_key = COLUMNS[column].sort
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.sort_changed.emit()
