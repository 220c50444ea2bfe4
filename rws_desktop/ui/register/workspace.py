"""Consent register: the people table with search and filters, the per-person panel, and the office's
bulk jobs (MIS import, year end, leavers, expiring consent, withdrawal impact; see office_jobs.py).

The view arranges widgets and forwards requests: the core's services check and audit every change,
reads and writes run off the UI thread as Jobs (writes one at a time, in order), anything that asks
the person something goes through the window's Questions, and what to ask and say comes from the
Qt-free RegisterPresenter.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter, QStyle, QTableView, QVBoxLayout, QWidget)

from ...app import App
from ...core.kernel.consent import ALL_CHANNELS
from ...core.kernel.ports import NewPerson
from ..folders import REFERENCE_PHOTOS, remember_folder, start_folder
from ..questions import Questions
from ..tasks import Jobs
from .consent_editor import ConsentDraft
from .filters import FilterBar
from .office_jobs import OfficeJobs
from .people_model import COLUMNS, LEAVING_COLUMN, PERSON_ID_ROLE, PeopleTableModel
from .person_panel import PersonPanel
from .presenter import Question, RegisterPresenter, leaving_now
from .wording import PLAIN_PROBLEMS, channel_label, problem_text

PHOTO_FILTER = "Photos (*.jpg *.jpeg *.png *.webp *.heic *.JPG *.JPEG *.PNG *.WEBP *.HEIC)"


class RegisterWorkspace(QWidget):
    settled = Signal()  # every read and write started has finished and its result is on screen

    def __init__(self, app: App, settings: QSettings, jobs: Jobs, questions: Questions, parent=None):
        super().__init__(parent)
        self.app, self.settings, self.jobs, self.questions = app, settings, jobs, questions
        self.today: Callable[[], date] = date.today
        self.presenter = RegisterPresenter(app.channels, lambda: self.today())
        self.office = OfficeJobs(self, self)
        self._pending = 0
        self._marking = False
        self._build()
        self.filters.choose_channel(self.settings.value("register/channel", ALL_CHANNELS))
        self.filters.changed.connect(self._filters_changed)
        # The register is read when the tab is first shown: someone without the office role never opens it.

    @property
    def dialogs(self) -> dict[str, QWidget]:
        return self.office.dialogs

    # Layout

    def _build(self) -> None:
        self.search = QLineEdit()
        self.search.setAccessibleName("Search")
        self.search.setPlaceholderText("Search by name, MIS id or form, as you type")
        self.search.setClearButtonEnabled(True)
        self.add_button = QPushButton("Add person…")
        self.import_button = QPushButton("Import from MIS…")
        self.import_button.setToolTip("Add and update pupils from a CSV export of Arbor, SIMS or Bromcom")
        self.year_end_button = QPushButton("Year end…")
        self.year_end_button.setToolTip("Renew or expire photo consent for the next school year")
        self.leavers_button = QPushButton("Leavers…")
        self.expiring_button = QPushButton("Expiring soon")
        self.expiring_button.setToolTip("Consent that expires in the next 30 days")
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        for button in (self.add_button, self.import_button, self.year_end_button, self.leavers_button,
                       self.expiring_button):
            top.addWidget(button)
        self.filters = FilterBar(self.app.channels)
        self.count = QLabel("")
        filters = QHBoxLayout()
        filters.addWidget(self.filters, 1)
        filters.addWidget(self.count)

        self.model = PeopleTableModel(self)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab moves on to the next control; arrows move within
        self.table.setAccessibleName("People")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        vertical = self.table.verticalHeader()
        vertical.hide()
        # Fixed row heights: the view never measures 2,000 rows, so loading and scrolling stay quick.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(24)
        for column, spec in enumerate(COLUMNS):
            self.table.setColumnWidth(column, spec.width)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.panel = PersonPanel(self.app.channels, lambda: self.today())
        self.panel.setMinimumWidth(480)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.panel)
        # The people table keeps the width its columns need; the person's panel gets the rest of the screen.
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([self.people_table_width(), 1000])
        self.message = QLabel("")
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message)

        self.search.textChanged.connect(lambda _text: self.refresh_rows())
        self.model.sort_changed.connect(self.refresh_rows)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self._row_chosen(current.row()))
        self.add_button.clicked.connect(self.new_person)
        self.import_button.clicked.connect(self.office.import_from_mis)
        self.year_end_button.clicked.connect(self.office.open_year_end)
        self.leavers_button.clicked.connect(lambda: self.office.open_leavers())
        self.expiring_button.clicked.connect(lambda: self.office.open_expiring(self.presenter.expiring))
        self.panel.consent.save_requested.connect(self.save_consent)
        self.panel.biometric.save_requested.connect(self.save_biometric)
        self.panel.faces.add_requested.connect(self.add_reference_faces)
        self.panel.faces.remove_requested.connect(self.remove_reference_face)
        self.panel.details_save_requested.connect(self.save_details)
        self.panel.add_requested.connect(self.add_person)
        self.panel.impact_requested.connect(
            lambda: self.office.show_impact([self.panel.person_id], ALL_CHANNELS, "", quiet=False))

    def people_table_width(self) -> int:
        """What the people table needs to show every column shown whole, with its frame and vertical scroll bar."""
        columns = sum(self.table.columnWidth(c) for c in range(self.model.columnCount()) if not self.table.isColumnHidden(c))
        scroll_bar = self.table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return columns + 2 * self.table.frameWidth() + scroll_bar + 2

    def _fit_table(self) -> None:
        """After a column is shown or hidden: the table takes what it now needs, the panel the rest."""
        total, need = sum(self.splitter.sizes()), self.people_table_width()
        if total > 0:
            self.splitter.setSizes([min(need, total), max(total - need, 0)])

    def showEvent(self, event) -> None:
        """Showing the tab reads the register afresh: another PC or the rws command may have changed it."""
        super().showEvent(event)
        if not self.busy and self.isEnabled():  # a tab disabled for this account reads nothing
            self.reload()

    def ask(self, question: Question | None) -> bool:
        """True when there is nothing to ask, or the person says yes."""
        return question is None or self.questions.confirm(question.title, question.text)

    # Running work off the UI thread

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(self, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[Exception], None] | None = None, write: bool = False) -> None:
        self._pending += 1

        def finish(callback, value) -> None:
            try:
                callback(value)
            finally:
                self._pending -= 1
                if not self._pending:
                    self.settled.emit()

        self.jobs.run(work, lambda result: finish(done, result), lambda error: finish(failed or self._unexpected, error),
                      pool=self.jobs.writes if write else None)

    def _unexpected(self, error: Exception) -> None:
        self.questions.explain("That did not work", problem_text(error))

    def _shown_by(self, show: Callable[[str], None]) -> Callable[[Exception], None]:
        """A failure handler: a problem the person can fix goes beside what they typed, anything else in a message."""
        def failed(error: Exception) -> None:
            if isinstance(error, PLAIN_PROBLEMS):
                show(str(error))
            else:
                self.questions.explain("Nothing was saved", problem_text(error))
        return failed

    def say(self, text: str) -> None:
        self.message.setText(text)

    def said(self) -> str:
        return self.message.text()

    # The people table

    def reload(self, select: int | None = None) -> None:
        """Read the register afresh (after any change), keeping or choosing the selected person."""
        queries, today = self.app.queries, self.today()  # checked against the signed-in person's roles
        read = self.presenter.start_people_read()

        def loaded(result) -> None:
            if not self.presenter.people_read_is_current(read):
                return
            self.expiring_button.setText(self.presenter.people_loaded(*result))
            self.refresh_rows()
            if select is not None:
                self.select_person(select, load=False)

        self.run(lambda: (queries.people(today), queries.expiring(today)), loaded)

    def register_changed(self) -> None:
        """After a bulk change: the table, and the open person's panel, show the register as it is now."""
        self.reload()
        if self.presenter.details_for is not None:
            self._load_details(self.presenter.details_for)

    def refresh_rows(self) -> None:
        """Filter and sort the snapshot in memory (a few milliseconds for 2,000 people) on each keystroke."""
        snapshot = self.presenter.snapshot
        if snapshot is None:
            return
        wanted = self.filters.people_filter(self.search.text(), self.model.sort_key, self.model.descending)
        rows = snapshot.query(wanted)
        self.model.set_rows(rows, channel_label(self.app.channels, self.filters.channel_key))
        hide_leaving = wanted.leavers is False  # empty while only current people show
        if self.table.isColumnHidden(LEAVING_COLUMN) != hide_leaving:
            self.table.setColumnHidden(LEAVING_COLUMN, hide_leaving)
            self._fit_table()
        total = len(snapshot.people)
        self.count.setText(f"{len(rows)} of {total} {'person' if total == 1 else 'people'}")
        self._mark_current(self.presenter.details_for)

    def _mark_current(self, person_id: int | None) -> bool:
        row = self.model.row_of(person_id) if person_id is not None else -1
        if row < 0:
            return False
        self._marking = True  # the view still hears of it (to repaint); _row_chosen ignores it
        try:
            self.table.selectRow(row)
        finally:
            self._marking = False
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _filters_changed(self) -> None:
        self.settings.setValue("register/channel", self.filters.channel_key)
        self.refresh_rows()

    def _row_chosen(self, row: int) -> None:
        if not self._marking and 0 <= row < self.model.rowCount():
            person_id = self.model.index(row, 0).data(PERSON_ID_ROLE)
            if person_id != self.presenter.details_for or self.panel.adding:
                self._load_details(person_id)

    def select_person(self, person_id: int, load: bool = True) -> None:
        """Show someone in the table and the panel, clearing the search and filters if they hide them."""
        if not self._mark_current(person_id):
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.filters.reset()
            self.refresh_rows()
            self._mark_current(person_id)
        if load or person_id != self.presenter.details_for:
            self._load_details(person_id)

    def _load_details(self, person_id: int, after_save: bool = False) -> None:
        read, today, register = self.presenter.start_details_read(person_id), self.today(), self.app.register

        def loaded(details) -> None:
            if self.presenter.details_read_is_current(read):
                (self.panel.show_saved_details if after_save else self.panel.show_person)(details)

        self.run(lambda: register.person_details(person_id, today), loaded)

    def _changed(self, person_id: int, after_save: bool = False) -> None:
        """After a change to someone: the table and their panel show the register as it is now."""
        self.reload()
        self._load_details(person_id, after_save)

    # One person

    def new_person(self) -> None:
        self.presenter.details_for = None
        self.table.clearSelection()
        self.panel.show_new()

    def add_person(self, draft: NewPerson) -> None:
        register, today = self.app.register, self.today()

        def added(person) -> None:
            self.say(self.presenter.added(person))
            self.presenter.details_for = person.id
            self.reload(select=person.id)
            self._load_details(person.id, after_save=True)
            self.panel.tabs.setCurrentIndex(0)

        self.run(lambda: register.add_person(draft, today), added,
                 self._shown_by(self.panel.details_error.setText), write=True)

    def save_details(self, draft: NewPerson) -> None:
        details = self.panel.details
        person = details.person
        if not self.ask(self.presenter.leaving_question(person, draft, len(details.reference_faces))):
            return
        leaving = leaving_now(person, draft)
        register, today = self.app.register, self.today()

        def saved(updated) -> None:
            self.say(self.presenter.details_saved(updated))
            self._changed(person.id, after_save=True)
            if leaving:
                self.office.show_impact([person.id], ALL_CHANNELS, self.presenter.leaving_reason(updated))

        self.run(lambda: register.update_person(person.id, draft, today), saved,
                 self._shown_by(self.panel.details_error.setText), write=True)

    def save_consent(self, draft: ConsentDraft) -> None:
        person = self.panel.details.person
        register = self.app.register

        def saved(consent) -> None:
            self.say(self.presenter.consent_saved(person, draft.channel, consent.status))
            self._changed(person.id)
            lost = self.presenter.consent_lost(person, draft.channel, consent.status)
            if lost:
                self.office.show_impact([person.id], draft.channel, lost)

        self.run(lambda: register.set_photo_consent(person.id, draft.channel, draft.status, draft.given_on,
                                                    draft.expires_on, draft.given_by, draft.may_be_named),
                 saved, self._shown_by(self.panel.consent.show_error), write=True)

    def save_biometric(self, answers: dict[str, bool]) -> None:
        details = self.panel.details
        person, today = details.person, self.today()
        if not self.ask(self.presenter.biometric_question(person, details.biometric, answers,
                                                          len(details.reference_faces))):
            return
        register = self.app.register

        def saved(result) -> None:
            _consent, valid, deleted = result
            self.say(self.presenter.biometric_saved(person, valid, deleted))
            self._changed(person.id)

        self.run(lambda: register.set_biometric_consent(person.id, today, **answers), saved,
                 self._shown_by(self.panel.biometric.error.setText), write=True)

    def add_reference_faces(self) -> None:
        person = self.panel.details.person
        photos = self.questions.open_files("Reference photos: this person alone, face clearly visible",
                                           str(start_folder(self.settings, REFERENCE_PHOTOS)), PHOTO_FILTER)
        if not photos:
            return
        remember_folder(self.settings, REFERENCE_PHOTOS, photos[0].parent)
        self.panel.faces.set_busy(f"Finding the face in {len(photos)} photo{'s' if len(photos) != 1 else ''}…")
        app, today = self.app, self.today()

        def enrolled(results) -> None:
            refused = [result for result in results if not result.added]
            self.panel.faces.status.setText("\n".join(f"{r.photo.name}: {r.reason}" for r in results))
            self.say(self.presenter.faces_added(person, sum(result.added for result in results)))
            self._changed(person.id)  # before the message box, so the panel behind it is up to date
            if refused:
                self.questions.explain("Some photos were not added", self.presenter.faces_refused(refused))

        def failed(error: Exception) -> None:
            self.panel.faces.status.setText("")
            self._changed(person.id)
            self.questions.explain("No reference faces were added", problem_text(error))

        # dlib runs in-process (a second or so a photo); the writes pool keeps the window responsive.
        self.run(lambda: app.register.enrol(person.id, photos, app.detector, app.encoder, today), enrolled,
                 failed, write=True)

    def remove_reference_face(self, reference_id: int) -> None:
        person = self.panel.details.person
        if not self.ask(self.presenter.remove_face_question(person)):
            return
        register = self.app.register

        def removed(_person_id) -> None:
            self.say(self.presenter.face_removed(person))
            self._changed(person.id)

        self.run(lambda: register.remove_reference_face(reference_id), removed, write=True)
