"""Year end: every photo consent grant still running expires on 31 August unless staff tick Renew for
its person, which runs it on to the next 31 August. A preview shows who is affected before anything changes."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from ...core.kernel.channels import ChannelCatalogue
from ...core.kernel.consent import Person, academic_year_end, format_day
from ...core.register.year_end import YearEndAction, YearEndPreview
from .checklist import Checklist
from .wording import channel_label, hint_label, n_people

COLUMNS = [("Name", 180), ("Year", 45), ("Form", 55), ("Grants running", 230), ("After the year end", 200)]


class YearEndDialog(QDialog):
    preview_requested = Signal(object)  # date: the 31 August ending the year
    apply_requested = Signal(object, object)  # date, list of person ids to renew

    def __init__(self, channels: ChannelCatalogue, today: date, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Year end: renew or expire photo consent")
        self.resize(900, 560)
        self.channels = channels
        self.plan: YearEndPreview | None = None
        self.applied = False
        self.people: list[Person] = []
        this_end = academic_year_end(today)
        last_end = academic_year_end(this_end - timedelta(days=365))
        self.year_end = QComboBox()
        self.year_end.setAccessibleName("Year ending")
        self.year_end.addItem(f"{format_day(this_end)} (this school year)", this_end)
        self.year_end.addItem(f"{format_day(last_end)} (last school year)", last_end)
        self.year_end.currentIndexChanged.connect(lambda: self.preview_requested.emit(self.year_end.currentData()))
        self.explanation = QLabel("")
        self.explanation.setWordWrap(True)
        self.list = Checklist("Renew", COLUMNS, "People with consent running")
        self.list.item_changed.connect(lambda _item: self._update())
        self.tick_all = QPushButton("Renew everyone")
        self.tick_none = QPushButton("Renew nobody")
        self.tick_all.clicked.connect(lambda: self.list.set_all(True))
        self.tick_none.clicked.connect(lambda: self.list.set_all(False))
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.apply = QPushButton("Apply…")
        self.apply.setEnabled(False)
        self.apply.clicked.connect(lambda: self.apply_requested.emit(self.year_end.currentData(), self.list.ticked()))
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        top = QHBoxLayout()
        top.addWidget(QLabel("School year ending:"))
        top.addWidget(self.year_end)
        top.addStretch(1)
        top.addWidget(self.tick_all)
        top.addWidget(self.tick_none)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.apply)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.explanation)
        layout.addWidget(self.list.table, 1)
        layout.addWidget(hint_label("Refusals and withdrawals never expire and are not touched. Grants starting after "
                                    "the year end (next year's forms, entered early) are left alone. Each change is "
                                    "recorded in the audit log."))
        layout.addLayout(buttons)

    def show_plan(self, plan: YearEndPreview, applied: bool = False) -> None:
        """Everyone whose grants run at the year end; ticked when the plan renews them. Once applied, read only."""
        self.plan, self.applied = plan, applied
        self.explanation.setText(
            f"Grants still running on {format_day(plan.year_end)} expire then, unless you tick <b>Renew</b> for the "
            f"person (a fresh form came back, or the form runs until they leave): theirs run on to "
            f"{format_day(plan.next_year_end)}.")
        channels: dict[int, list[str]] = {}
        people: dict[int, Person] = {}
        for change in plan.changes:
            people.setdefault(change.person.id, change.person)
            channels.setdefault(change.person.id, []).append(channel_label(self.channels, change.consent.channel))
        renewed = {p.id for p in plan.people(YearEndAction.RENEW)}
        self.people = sorted(people.values(), key=lambda p: (p.name.casefold(), p.id))
        self.list.fill([(p.id, p.leaving_date is None and not applied, p.id in renewed,
                         [p.name, str(p.year_group or ""), p.form or "", "; ".join(channels[p.id]), ""],
                         "Has left: consent is not renewed" if p.leaving_date else "") for p in self.people])
        for button in (self.tick_all, self.tick_none):
            button.setEnabled(not applied)
        self._update()

    def _update(self) -> None:
        if self.plan is None:
            return
        self.list.table.blockSignals(True)
        for row in range(len(self.people)):
            renewed = self.list.is_ticked(row)
            text = (f"renewed to {format_day(self.plan.next_year_end)}" if renewed
                    else f"expires {format_day(self.plan.year_end)}")
            self.list.table.item(row, len(COLUMNS)).setText(text)
        self.list.table.blockSignals(False)
        renew = len(self.list.ticked())
        expire = len(self.people) - renew
        if self.applied:
            self.summary.setText(f"<b>Done:</b> {n_people(renew)} renewed to {format_day(self.plan.next_year_end)}, "
                                 f"{expire} expire on {format_day(self.plan.year_end)}; recorded in the audit log.")
        else:
            self.summary.setText(f"{n_people(len(self.people))} with consent running: {renew} renewed, {expire} expire.")
        self.apply.setEnabled(bool(self.people) and not self.applied)
