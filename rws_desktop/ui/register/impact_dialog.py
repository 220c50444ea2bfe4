"""Withdrawal impact: every photo already exported showing someone, so staff can take them down."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout

from ...core.kernel.channels import ChannelCatalogue, UnknownChannelError
from ...core.register.impact import ExportedPhoto
from .tables import fill, text_table
from .wording import channel_label, day, hint_label

COLUMNS = [("Exported", 165), ("Channel", 165), ("Safe copy", 150), ("Original", 140), ("Shows", 140),
           ("How", 130), ("Audit entry", 70)]


@dataclass(frozen=True)
class ImpactLine:
    shows: str  # the person's name, shown on screen only (the CSV names nobody)
    photo: ExportedPhoto


def exported_at(photo: ExportedPhoto) -> str:
    try:
        return f"{day(date.fromisoformat(photo.at[:10]))} {photo.at[11:16]} UTC"
    except ValueError:
        return photo.at


def channel_name(channels: ChannelCatalogue, key: str | None) -> str:
    if not key:
        return "(not recorded)"
    try:
        return channel_label(channels, key)
    except UnknownChannelError:  # a channel since removed from the policy
        return key


class ImpactDialog(QDialog):
    save_requested = Signal()

    def __init__(self, heading: str, lines: list[ImpactLine], channels: ChannelCatalogue, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Exported photos to take down")
        self.resize(1000, 420)
        self.lines = lines
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        self.table = text_table(COLUMNS, "Exported photos")
        fill(self.table, [[exported_at(l.photo), channel_name(channels, l.photo.channel), l.photo.output_name,
                           l.photo.source_name or "", l.shows, l.photo.how, str(l.photo.audit_seq)] for l in lines])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        self.save = QPushButton("Save list as CSV…")
        self.save.setEnabled(bool(lines))
        buttons.addButton(self.save, QDialogButtonBox.ButtonRole.ActionRole)
        self.save.clicked.connect(self.save_requested)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint_label("Read from the audit log, which records every photo exported and who it showed. "
                                    "The CSV lists file names, fingerprints and audit entries only, no names."))
        layout.addWidget(buttons)

    def photos(self) -> list[ExportedPhoto]:
        """Each photo once (one showing two leavers is listed for both), oldest first."""
        unique = {line.photo.audit_seq: line.photo for line in self.lines}
        return [unique[seq] for seq in sorted(unique)]
