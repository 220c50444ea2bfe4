"""Audit log: every entry newest first, filters, the full entry, chain status, exports. Read-only:
nothing here can change the log; it only reads through the core's AuditLogService."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QSplitter, QTableView, QTextBrowser,
                               QVBoxLayout, QWidget)

from ...app import App
from ...core.audit.log_service import AuditFilter
from ...core.audit.status import ChainStatus
from ...core.kernel.permissions import NotAllowed
from ..folders import AUDIT_REPORTS, remember_folder, start_folder
from ..people_picker import people_source
from ..questions import Questions
from ..tasks import Job, Jobs
from .checkpoint_action import checkpoint_button
from .detail import entry_html
from .log_model import AuditLogModel

ANY = ""
NO_DATE = QDate(2000, 1, 1)  # the date edits' minimum, shown as "Any"


class AuditWorkspace(QWidget):
    message = Signal(str)
    chain_checked = Signal(object)  # ChainStatus
    export_done = Signal(str)  # the file written

    def __init__(self, app: App, settings: QSettings, jobs: Jobs, questions: Questions, parent=None):
        super().__init__(parent)
        self.app, self.settings, self.jobs, self.questions = app, settings, jobs, questions
        self.service = app.audit
        self.model = AuditLogModel(self.service, self)
        self.person_id: int | None = None
        self.verify_job: Job | None = None
        self.chain: ChainStatus | None = None
        self._loaded = False
        self._build()

    def _build(self) -> None:
        self.chain_label = QLabel("Chain not checked yet.")
        self.chain_label.setWordWrap(True)
        self.chain_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verify_button = QPushButton("Verify")
        self.verify_button.setToolTip("Check every entry's seal and the chain between them")
        self.verify_progress = QProgressBar()
        self.verify_progress.setVisible(False)
        self.verify_progress.setMaximumWidth(200)
        chain = QHBoxLayout()
        chain.addWidget(self.chain_label, 1)
        chain.addWidget(self.verify_progress)
        chain.addWidget(self.verify_button)

        self.date_from, self.date_to = _date_edit("From"), _date_edit("To")
        self.channel, self.user, self.decision, self.kind = (_choice(name) for name in ("Channel", "By", "Decision", "Entry"))
        self.person = QLineEdit()
        self.person.setPlaceholderText("Person: id or MIS id")
        self.person.setClearButtonEnabled(True)
        self.person.setAccessibleName("Person")
        self.find_button = QPushButton("Find…")
        self.find_button.setToolTip("Find someone by name, MIS id or id")
        self.refresh_button = QPushButton("Refresh")
        filters = QHBoxLayout()
        for widget in (self.date_from, self.date_to, self.channel, self.user, self.decision, self.kind, self.person,
                       self.find_button):
            filters.addWidget(widget)
        filters.addWidget(self.refresh_button)

        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab moves on to the next control; arrows move within
        self.table.setAccessibleName("Audit entries")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in (0, 1, 3, 4, 5):  # short values: as wide as they need, so the summary gets the rest
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        self.detail = QTextBrowser()
        self.detail.setAccessibleName("Entry")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setSizes([820, 480])

        self.count_label = QLabel("")
        self.csv_button = QPushButton("Export CSV…")
        self.pdf_button = QPushButton("Governors' PDF…")
        self.person_button = QPushButton("Person report…")
        self.person_button.setToolTip("For a subject access request: one person's consent history and every entry about them")
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        self.checkpoint_button = checkpoint_button(self)
        for button in (self.csv_button, self.pdf_button, self.person_button, self.checkpoint_button):
            bottom.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(chain)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)

        for combo in (self.channel, self.user, self.decision, self.kind):
            combo.currentIndexChanged.connect(self.reload)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.reload)
        self.person.editingFinished.connect(self._person_changed)
        self.find_button.clicked.connect(self.find_person)
        self.refresh_button.clicked.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self._show_entry(current.row()))
        self.csv_button.clicked.connect(self.export_csv)
        self.pdf_button.clicked.connect(self.export_pdf)
        self.person_button.clicked.connect(self.export_person_report)

    # Questions to the person (tests replace these)

    def ask_save_path(self, title: str, suggested: str, file_filter: str) -> Path | None:
        return self.questions.save_file(title, start_folder(self.settings, AUDIT_REPORTS) / suggested, file_filter)

    # Loading

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded and self.isEnabled():  # a tab disabled for this account reads nothing
            self._loaded = True
            self.refresh()

    def refresh(self) -> None:
        """Re-reads the filter choices and the log, and re-checks the chain."""
        self._fill_choices()
        self.reload()
        self.verify()

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            date_from=_day(self.date_from), date_to=_day(self.date_to),
            channel=self.channel.currentData() or None, user=self.user.currentData() or None,
            decision=self.decision.currentData() or None, kind=self.kind.currentData() or None,
            person_id=self.person_id,
        )

    def reload(self) -> None:
        filter = self.current_filter()
        try:
            self.model.load(filter)
            count = self.service.count(filter)
        except Exception as exc:
            self.questions.explain("The log could not be read", str(exc))
            return
        self.count_label.setText(f"{count:,} entr{'y' if count == 1 else 'ies'} match")
        self.detail.setHtml("<p>Select an entry to see all of it.</p>" if self.model.rows else "<p>No entries match.</p>")

    def _fill_choices(self) -> None:
        try:
            choices = self.service.filter_choices()
        except Exception as exc:
            self.questions.explain("The log could not be read", str(exc))
            return
        _refill(self.channel, [(key, key) for key in choices.channels])
        _refill(self.user, [(user, user) for user in choices.users])
        _refill(self.decision, [(d, d) for d in choices.decisions])
        _refill(self.kind, list(choices.kinds))

    def _person_changed(self) -> None:
        text = self.person.text().strip()
        try:
            person_id = self.service.resolve_person(text) if text else None
        except Exception as exc:
            self.questions.explain("No such person", str(exc))
            return
        if person_id != self.person_id:
            self.person_id = person_id
            self.reload()

    def find_person(self) -> bool:
        """Choose the person filter by name; True when someone was chosen."""
        try:
            people = people_source(self.app)
        except NotAllowed as exc:
            self.questions.explain("Finding people is not allowed", str(exc))
            return False
        chosen = self.questions.find_person("Whose entries?", people)
        if chosen is None:
            return False
        self.person.setText(f"id:{chosen.id}")
        self.person.setToolTip(chosen.describe())
        self._person_changed()
        return True

    def _show_entry(self, row: int) -> None:
        seq = self.model.seq_at(row)
        if seq is None:
            return
        detail = self.service.entry(seq)
        self.detail.setHtml(entry_html(detail) if detail else f"<p>Entry #{seq} could not be read.</p>")

    # Chain status

    def verify(self) -> None:
        if self.verify_job is not None:
            return
        self.verify_button.setEnabled(False)
        self.verify_progress.setVisible(True)
        self.verify_progress.setRange(0, 0)
        self.chain_label.setText("Checking the chain…")
        service = self.service
        self.verify_job = Job(lambda job: service.chain_status(lambda *args: job.report(args)))
        self.verify_job.progressed.connect(self._verify_progress)
        self.verify_job.failed.connect(lambda error: self._verified(None, error))
        self.verify_job.finished.connect(self._verified)
        self.jobs.start(self.verify_job, self.jobs.long)

    def _verify_progress(self, args: tuple) -> None:
        done, total = args
        self.verify_progress.setRange(0, max(total, 1))
        self.verify_progress.setValue(done)

    def _verified(self, status: ChainStatus | None, error: Exception | None = None) -> None:
        self.verify_job = None
        if error is not None:
            self.questions.explain("The chain could not be checked", str(error))
        self.verify_button.setEnabled(True)
        self.verify_progress.setVisible(False)
        if status is None:
            self.chain_label.setText("The chain could not be checked.")
            return
        self.chain = status
        line = status.line()
        colour = "#1e8e3e" if status.ok else "#c5221f"
        checked = f" <span style='color:palette(mid)'>(checked at {datetime.now():%H:%M:%S})</span>"
        self.chain_label.setText(f"<span style='color:{colour}'><b>{'✓' if status.ok else '✕'} {line.text}</b></span>{checked}")
        self.chain_checked.emit(status)

    # Exports (the files are written on the one-thread write pool)

    def export_csv(self) -> None:
        path = self.ask_save_path("Export the entries shown as CSV", "audit-log.csv", "CSV files (*.csv)")
        if path:
            filter = self.current_filter()
            self._export(lambda: self.service.export_csv(filter, path), path)

    def export_pdf(self) -> None:
        path = self.ask_save_path("Report for governors", "audit-report.pdf", "PDF files (*.pdf)")
        if path:
            filter, user = self.current_filter(), self.app.user
            self._export(lambda: self.service.export_pdf(filter, path, user), path)

    def export_person_report(self) -> None:
        if self.person_id is None and not self.find_person():
            return
        path = self.ask_save_path("Person report", f"person-{self.person_id}.pdf", "PDF files (*.pdf);;CSV files (*.csv)")
        if path:
            person_id, user = self.person_id, self.app.user
            self._export(lambda: self.service.person_report(person_id, path, user), path)

    def _export(self, work, path: Path) -> None:
        remember_folder(self.settings, AUDIT_REPORTS, path.parent)
        self.message.emit(f"Writing {path.name}…")

        def done(count: int) -> None:
            self.message.emit(f"Wrote {count:,} entr{'y' if count == 1 else 'ies'} to {path}.")
            self.export_done.emit(str(path))

        def failed(exc: Exception) -> None:
            self.questions.explain("The export was not written", f"{exc}\n\nIf the file is open in another program, close it and try again.")
            self.message.emit(f"{path.name} was not written.")

        self.jobs.run(work, done, failed, pool=self.jobs.writes)


class AnyDateEdit(QDateEdit):
    """A date filter that may say "any". Qt's date edit keeps the focus on Tab while it shows that text (it has no
    day, month or year to step to), so someone using the keyboard was stuck on "From: any"; here Tab moves on."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 (Qt's name)
        if self.specialValueText() and self.date() == self.minimumDate():
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


def _date_edit(name: str) -> QDateEdit:
    edit = AnyDateEdit()
    edit.setAccessibleName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(f"{name}: any")
    edit.setDate(NO_DATE)
    return edit


def _day(edit: QDateEdit) -> date | None:
    return None if edit.date() == NO_DATE else edit.date().toPython()


def _choice(name: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    combo.addItem(f"{name}: any", ANY)
    return combo


def _refill(combo: QComboBox, items: list[tuple[str, str]]) -> None:
    """Replaces the choices, keeping the current one when it is still there."""
    current = combo.currentData()
    combo.blockSignals(True)
    while combo.count() > 1:
        combo.removeItem(1)
    for value, label in items:
        combo.addItem(label, value)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    combo.blockSignals(False)
