"""Photo consent per channel (and for all channels): a table of what is recorded and what it means
today, and an editor below it for the selected line. The register checks every change."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from ...core.kernel.channels import ChannelCatalogue
from ...core.kernel.consent import ALL_CHANNELS, ConsentStatus
from ...core.register.person_details import ChannelConsent
from ...core.register.service import MAX_GIVEN_BY
from ..help.guide import what_does_this_mean
from .wording import (BLURRED_COLOUR, DATE_HINT, SHOWN_COLOUR, DateError, channel_label, day, error_label, field_text,
                      read_day)

# The date given is in the editor below and each line's tip: without its column, every channel's full name and the
# longest status ("As all channels") fit beside the people table on a 1366-pixel screen.
COLUMNS = ("Channel", "Consent", "Expires", "Named", "Today")
CONSENT_COLUMN, TODAY_COLUMN = 1, 4
DATE_LABELS = {ConsentStatus.GRANTED: "Date given:", ConsentStatus.REFUSED: "Date refused:",
               ConsentStatus.WITHDRAWN: "Date withdrawn:"}
WHO_LABELS = {ConsentStatus.GRANTED: "Given by:", ConsentStatus.REFUSED: "Refused by:",
              ConsentStatus.WITHDRAWN: "Withdrawn by:"}
NO_RECORD, AS_ALL_CHANNELS = "Not recorded", "As all channels"  # a channel with no record of its own


@dataclass(frozen=True)
class ConsentDraft:
    channel: str
    status: ConsentStatus
    given_on: date | None
    expires_on: date | None
    given_by: str
    may_be_named: bool


def today_text(line: ChannelConsent) -> str:
    """What the line means for a photo checked today: shown or blurred, and why."""
    if line.decision is None:
        return "Applies to every channel (a refusal or withdrawal here wins over any channel's grant)"
    shown = "Shown" if line.decision.visible else "Blurred"
    return f"{shown}: {line.decision.reason}"


def line_tip(line: ChannelConsent) -> str:
    record = line.record
    if record is None:
        return f"Nothing recorded. {today_text(line)}."
    named = "may be named" if record.may_be_named else "may not be named"
    given_by = f", given by {record.given_by}" if record.given_by else ""
    expiry = f", expires {day(record.expires_on)}" if record.expires_on else ""
    return f"{record.status.value.capitalize()} {day(record.given_on)}{given_by}{expiry}; {named}. {today_text(line)}."


class ConsentEditor(QWidget):
    save_requested = Signal(object)  # ConsentDraft

    def __init__(self, channels: ChannelCatalogue, today=date.today, parent=None):
        super().__init__(parent)
        self.channels = channels
        self.today = today
        self.lines: list[ChannelConsent] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab moves on to the next control; arrows move within
        self.table.setAccessibleName("Photo consent by channel")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # channel names get what is left
        for column in range(1, len(COLUMNS)):  # never cut: "Not recorded", "As all channels", "31 Aug 2027"
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # A channel name too long for a narrow screen keeps its start and end ("RWS PE/…Instagram"); the tip has it all.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.currentCellChanged.connect(lambda row, *_: self._line_chosen(row))

        self.status = QComboBox()
        self.status.setAccessibleName("Consent")
        for status in ConsentStatus:
            self.status.addItem(status.value.capitalize(), status.value)
        self.given_on = QLineEdit()
        self.given_on.setPlaceholderText(DATE_HINT)
        self.expires_on = QLineEdit()
        self.expires_on.setPlaceholderText("empty: 31 August ending the school year")
        self.given_by = QLineEdit()
        self.given_by.setMaxLength(MAX_GIVEN_BY)
        self.given_by.setPlaceholderText("for example: Mother, on the admission form")
        self.may_be_named = QCheckBox("May be named in posts")
        self.save = QPushButton("Save consent")
        self.error = error_label()
        self.effect = QLabel("")
        self.effect.setWordWrap(True)
        self.editor = QGroupBox("Change")
        form = QFormLayout(self.editor)
        form.addRow(self.effect)
        form.addRow("Consent:", self.status)
        form.addRow(DATE_LABELS[ConsentStatus.GRANTED], self.given_on)
        form.addRow("Expires:", self.expires_on)
        form.addRow("Given by:", self.given_by)
        form.addRow("", self.may_be_named)
        buttons = QHBoxLayout()
        self.meaning = what_does_this_mean("consent")
        buttons.addWidget(self.meaning, 0, Qt.AlignmentFlag.AlignTop)
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.save, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow(buttons)
        self._form = form
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.editor)
        self.status.currentIndexChanged.connect(self._status_changed)
        self.save.clicked.connect(self._save)
        self._status_changed()

    @property
    def channel_key(self) -> str | None:
        row = self.table.currentRow()
        return self.lines[row].channel if 0 <= row < len(self.lines) else None

    def show_lines(self, lines: list[ChannelConsent]) -> None:
        """Show a person's consent; the same channel stays selected, and the editor is filled afresh."""
        keep = self.channel_key
        self.lines = lines
        everywhere = any(line.channel == ALL_CHANNELS and line.record for line in lines)
        self.table.blockSignals(True)
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            record = line.record
            today = "" if line.decision is None else "Shown" if line.decision.visible else "Blurred"
            own = record.status.value.capitalize() if record else AS_ALL_CHANNELS if everywhere else NO_RECORD
            cells = (channel_label(self.channels, line.channel), own, day(record.expires_on) if record else "",
                     ("Yes" if record.may_be_named else "No") if record else "", today)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(line_tip(line))
                if line.decision is not None and column in (CONSENT_COLUMN, TODAY_COLUMN):
                    item.setForeground(SHOWN_COLOUR if line.decision.visible else BLURRED_COLOUR)
                self.table.setItem(row, column, item)
        rows = [line.channel for line in lines]
        self.table.setCurrentCell(rows.index(keep) if keep in rows else 0, 0)
        self.table.blockSignals(False)
        self._line_chosen(self.table.currentRow())

    def choose_channel(self, key: str) -> None:
        self.table.setCurrentCell([line.channel for line in self.lines].index(key), 0)

    def show_error(self, text: str) -> None:
        self.error.setText(text)

    def _line_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.lines):
            return
        line = self.lines[row]
        record = line.record
        self.effect.setText(f"Today: {today_text(line)}.")
        self.effect.setStyleSheet("" if line.decision is None else
                                  f"color: {(SHOWN_COLOUR if line.decision.visible else BLURRED_COLOUR).name()};")
        self.editor.setTitle(f"Change consent: {channel_label(self.channels, line.channel)}")
        status = record.status if record else ConsentStatus.GRANTED
        self.status.setCurrentIndex(self.status.findData(status.value))
        self.given_on.setText(field_text(record.given_on if record else self.today()))
        self.expires_on.setText(field_text(record.expires_on) if record else "")
        self.given_by.setText(record.given_by if record else "")
        self.may_be_named.setChecked(bool(record and record.may_be_named))
        self.error.setText("")

    def _status_changed(self) -> None:
        status = ConsentStatus(self.status.currentData())
        granted = status is ConsentStatus.GRANTED
        self._form.labelForField(self.given_on).setText(DATE_LABELS[status])
        self._form.labelForField(self.given_by).setText(WHO_LABELS[status])
        for widget in (self.expires_on, self.may_be_named):
            widget.setEnabled(granted)
            widget.setToolTip("" if granted else f"A {'refusal' if status is ConsentStatus.REFUSED else 'withdrawal'} "
                              "does not expire and cannot go with permission to name")

    def _save(self) -> None:
        if self.channel_key is None:
            return
        status = ConsentStatus(self.status.currentData())
        granted = status is ConsentStatus.GRANTED
        try:
            given_on = read_day(self.given_on.text(), DATE_LABELS[status].rstrip(":"))
            expires_on = read_day(self.expires_on.text(), "Expires") if granted else None
        except DateError as error:
            self.error.setText(str(error))
            return
        self.error.setText("")
        self.save_requested.emit(ConsentDraft(self.channel_key, status, given_on, expires_on, self.given_by.text(),
                                              granted and self.may_be_named.isChecked()))
