"""Consents that expire in the next 30 days, so the office can send forms home in time."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from ...core.kernel.channels import ChannelCatalogue
from ...core.register.expiry import EXPIRING_WITHIN_DAYS, ExpiringConsent
from .tables import fill, text_table
from .wording import channel_label, day, hint_label

COLUMNS = [("Expires", 100), ("Days left", 70), ("Name", 180), ("Year", 50), ("Form", 60), ("Consent for", 160)]


class ExpiringDialog(QDialog):
    person_chosen = Signal(int)

    def __init__(self, found: list[ExpiringConsent], channels: ChannelCatalogue, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Consent expiring soon")
        self.resize(680, 420)
        self.found = found
        count = len(found)
        heading = QLabel(f"{count} consent{'s' if count != 1 else ''} expire in the next {EXPIRING_WITHIN_DAYS} days."
                         if found else f"No consent expires in the next {EXPIRING_WITHIN_DAYS} days.")
        self.table = text_table(COLUMNS, "Consent expiring soon")
        fill(self.table, [[day(e.consent.expires_on), str(e.days_left), e.person.name, str(e.person.year_group or ""),
                           e.person.form or "", channel_label(channels, e.consent.channel)] for e in found])
        self.table.cellDoubleClicked.connect(lambda row, _column: self.person_chosen.emit(self.found[row].person.id))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint_label("Soonest first; leavers and anyone who refused or withdrew are left out. "
                                    "Double-click someone to open them in the register."))
        layout.addWidget(buttons)
