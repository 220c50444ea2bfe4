"""The filter row above the people table: each choice becomes part of the core's PeopleFilter."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from ...core.kernel.channels import ChannelCatalogue
from ...core.kernel.consent import ALL_CHANNELS, YEAR_GROUPS, FaceConsent, PersonKind
from ...core.register.people_query import PeopleFilter, SortKey
from .wording import ALL_CHANNELS_LABEL

NOT_SHOWN = frozenset(FaceConsent) - {FaceConsent.GRANTED}
CONSENT_CHOICES = (
    ("Any consent", frozenset()),
    ("Granted", frozenset({FaceConsent.GRANTED})),
    ("Not shown (any reason)", NOT_SHOWN),
    ("Expired", frozenset({FaceConsent.EXPIRED})),
    ("No consent", frozenset({FaceConsent.NO_CONSENT})),
    ("Refused", frozenset({FaceConsent.REFUSED})),
    ("Withdrawn", frozenset({FaceConsent.WITHDRAWN})),
    ("Not yet valid", frozenset({FaceConsent.NOT_YET_VALID})),
)


def _combo(name: str, choices) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for text, value in choices:
        combo.addItem(text, value)
    return combo


class FilterBar(QWidget):
    changed = Signal()

    def __init__(self, channels: ChannelCatalogue, parent=None):
        super().__init__(parent)
        self.kind = _combo("Pupils or staff", [("Pupils and staff", None), ("Pupils", PersonKind.PUPIL),
                                                ("Staff", PersonKind.STAFF)])
        self.year = _combo("Year group", [("Any year", None)] + [(f"Year {y}", y) for y in YEAR_GROUPS])
        self.enrolled = _combo("Enrolled", [("Enrolled or not", None), ("Enrolled", True), ("Not enrolled", False)])
        self.channel = _combo("Consent for", [(ALL_CHANNELS_LABEL, ALL_CHANNELS)] + [(c.name, c.key) for c in channels])
        self.channel.setToolTip("Whose photo consent the table reports: all channels, or one channel")
        self.consent = _combo("Consent state", CONSENT_CHOICES)
        self.leavers = _combo("Leavers", [("Current people", False), ("Leavers only", True), ("Current and leavers", None)])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.kind, self.year, self.enrolled):
            layout.addWidget(widget)
        layout.addSpacing(12)
        layout.addWidget(QLabel("Consent for:"))
        layout.addWidget(self.channel)
        layout.addWidget(self.consent)
        layout.addSpacing(12)
        layout.addWidget(self.leavers)
        layout.addStretch(1)
        for combo in self.combos():
            combo.currentIndexChanged.connect(self.changed)

    def combos(self) -> tuple[QComboBox, ...]:
        return self.kind, self.year, self.enrolled, self.channel, self.consent, self.leavers

    @property
    def channel_key(self) -> str:
        return self.channel.currentData()

    def choose_channel(self, key: str) -> None:
        self.channel.setCurrentIndex(max(0, self.channel.findData(key)))

    def people_filter(self, text: str, sort: SortKey, descending: bool) -> PeopleFilter:
        kind = self.kind.currentData()  # Qt hands str enums back as plain str
        return PeopleFilter(
            text=text, kind=PersonKind(kind) if kind else None, year_group=self.year.currentData(),
            enrolled=self.enrolled.currentData(), channel=self.channel_key, consent=self.consent.currentData(),
            leavers=self.leavers.currentData(), sort=sort, descending=descending,
        )

    def reset(self) -> None:
        """Everyone, leavers included (the channel stays as chosen)."""
        self.blockSignals(True)
        for combo in (self.kind, self.year, self.enrolled, self.consent):
            combo.setCurrentIndex(0)
        self.leavers.setCurrentIndex(self.leavers.findData(None))
        self.blockSignals(False)
