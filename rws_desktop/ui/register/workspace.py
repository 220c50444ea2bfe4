"""Consent register: the people table with search and filters, the per-person panel, and the office's
bulk jobs (MIS import, year end, leavers, expiring consent, withdrawal impact).

The view arranges widgets and forwards requests: the core's services check and audit every change,
reads and writes run off the UI thread as Jobs (writes one at a time, in order), and anything
that asks the person something goes through the window's Questions.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from html import escape
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from ...app import App
from ...core.kernel.consent import ALL_CHANNELS, BiometricConsent, ConsentStatus, biometric_verdict
from ...core.register.expiry import ExpiringConsent
from ...core.register.impact import write_impact_csv
from ...core.register.mis_csv import CsvTable, read_csv
from ...core.register.mis_import import ImportPreview
from ...core.register.people_query import PeopleSnapshot
from ...core.kernel.ports import NewPerson
from ...core.register.year_end import YearEndAction
from ..questions import Questions
from ..tasks import Jobs
from .consent_editor import ConsentDraft
from .expiring_dialog import ExpiringDialog
from .filters import FilterBar
from .impact_dialog import ImpactDialog, ImpactLine
from .import_dialog import ImportDialog
from .leavers_dialog import LeaversDialog
from .people_model import COLUMNS, LEAVING_COLUMN, PERSON_ID_ROLE, PeopleTableModel
from .person_panel import PersonPanel
from .wording import PLAIN_PROBLEMS, channel_label, channel_phrase, day, n_people, problem_text
from .year_end_dialog import YearEndDialog

CSV_FILTER = "CSV files (*.csv *.CSV);;All files (*)"
PHOTO_FILTER = "Photos (*.jpg *.jpeg *.png *.webp *.heic *.JPG *.JPEG *.PNG *.WEBP *.HEIC)"


class RegisterWorkspace(QWidget):
    settled = Signal()  # every read and write started has finished and its result is on screen

    def __init__(self, app: App, settings: QSettings, jobs: Jobs, questions: Questions, parent=None):
        super().__init__(parent)
        self.app, self.settings, self.jobs, self.questions = app, settings, jobs, questions
        self.today: Callable[[], date] = date.today
        self.snapshot: PeopleSnapshot | None = None
        self.expiring: list[ExpiringConsent] = []
        self.dialogs: dict[str, QWidget] = {}  # the open dialog of each kind
        self._pending = 0
        self._people_generation = self._details_generation = 0
        self._details_for: int | None = None
        self._marking = False
        self._build()
        self.filters.choose_channel(self.settings.value("register/channel", ALL_CHANNELS))
        self.filters.changed.connect(self._filters_changed)
        # The register is read when the tab is first shown: someone without the office role never opens it.

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
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([790, 560])
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
        self.import_button.clicked.connect(self.import_from_mis)
        self.year_end_button.clicked.connect(self.open_year_end)
        self.leavers_button.clicked.connect(lambda: self.open_leavers())
        self.expiring_button.clicked.connect(self.open_expiring)
        self.panel.consent.save_requested.connect(self.save_consent)
        self.panel.biometric.save_requested.connect(self.save_biometric)
        self.panel.faces.add_requested.connect(self.add_reference_faces)
        self.panel.faces.remove_requested.connect(self.remove_reference_face)
        self.panel.details_save_requested.connect(self.save_details)
        self.panel.add_requested.connect(self.add_person)
        self.panel.impact_requested.connect(
            lambda: self.show_impact([self.panel.person_id], ALL_CHANNELS, "", quiet=False))

    def showEvent(self, event) -> None:
        """Showing the tab reads the register afresh: another PC or the rws command may have changed it."""
        super().showEvent(event)
        if not self.busy:
            self.reload()

    # Questions to the person

    def ask_mis_file(self) -> Path | None:
        return self.questions.open_file("Import from the MIS", self.settings.value("register/folder", ""), CSV_FILTER)

    def ask_reference_photos(self) -> list[Path]:
        return self.questions.open_files("Reference photos: this person alone, face clearly visible",
                                         self.settings.value("register/photo_folder", ""), PHOTO_FILTER)

    def ask_csv_destination(self, suggested: str) -> Path | None:
        folder = Path(self.settings.value("register/folder", str(Path.home())))
        return self.questions.save_file("Save the list", folder / suggested, CSV_FILTER)

    # Running work off the UI thread

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None],
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

    # The people table

    def reload(self, select: int | None = None) -> None:
        """Read the register afresh (after any change), keeping or choosing the selected person."""
        queries, today = self.app.queries, self.today()  # checked against the signed-in person's roles
        self._people_generation += 1
        generation = self._people_generation

        def loaded(result) -> None:
            if generation != self._people_generation:
                return
            self.snapshot, self.expiring = result
            self.expiring_button.setText(f"Expiring soon ({len(self.expiring)})")
            self.refresh_rows()
            if select is not None:
                self.select_person(select, load=False)

        self._run(lambda: (queries.people(today), queries.expiring(today)), loaded)

    def refresh_rows(self) -> None:
        """Filter and sort the snapshot in memory (a few milliseconds for 2,000 people) on each keystroke."""
        if self.snapshot is None:
            return
        wanted = self.filters.people_filter(self.search.text(), self.model.sort_key, self.model.descending)
        rows = self.snapshot.query(wanted)
        self.model.set_rows(rows, channel_label(self.app.channels, self.filters.channel_key))
        self.table.setColumnHidden(LEAVING_COLUMN, wanted.leavers is False)  # empty while only current people show
        total = len(self.snapshot.people)
        self.count.setText(f"{len(rows)} of {total} {'person' if total == 1 else 'people'}")
        self._mark_current(self._details_for)

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
            if person_id != self._details_for or self.panel.adding:
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
        if load or person_id != self._details_for:
            self._load_details(person_id)

    def _load_details(self, person_id: int, after_save: bool = False) -> None:
        self._details_for = person_id
        self._details_generation += 1
        generation, today, register = self._details_generation, self.today(), self.app.register

        def loaded(details) -> None:
            if generation == self._details_generation:
                (self.panel.show_saved_details if after_save else self.panel.show_person)(details)

        self._run(lambda: register.person_details(person_id, today), loaded)

    def _changed(self, person_id: int, after_save: bool = False) -> None:
        """After a change to someone: the table and their panel show the register as it is now."""
        self.reload()
        self._load_details(person_id, after_save)

    # One person

    def new_person(self) -> None:
        self._details_for = None
        self.table.clearSelection()
        self.panel.show_new()

    def add_person(self, draft: NewPerson) -> None:
        register, today = self.app.register, self.today()

        def added(person) -> None:
            self.say(f"{person.name} added to the register (id {person.id}); recorded in the audit log. "
                     "Record their photo consent next.")
            self._details_for = person.id
            self.reload(select=person.id)
            self._load_details(person.id, after_save=True)
            self.panel.tabs.setCurrentIndex(0)

        self._run(lambda: register.add_person(draft, today), added,
                  self._shown_by(self.panel.details_error.setText), write=True)

    def save_details(self, draft: NewPerson) -> None:
        details = self.panel.details
        person, faces = details.person, len(details.reference_faces)
        leaving_now = draft.leaving_date is not None and person.leaving_date is None
        if leaving_now and faces and not self.questions.confirm(
                "Mark as leaving?",
                f"Setting a leaving date deletes {person.name}'s {faces} reference face(s) at once; from then on they "
                "cannot be recognised and are always blurred. Go on?"):
            return
        register, today = self.app.register, self.today()

        def saved(updated) -> None:
            self.say(f"Details of {updated.name} saved; recorded in the audit log.")
            self._changed(person.id, after_save=True)
            if leaving_now:
                self.show_impact([person.id], ALL_CHANNELS, f"{updated.name} is marked as leaving on "
                                 f"{day(updated.leaving_date)}.")

        self._run(lambda: register.update_person(person.id, draft, today), saved,
                  self._shown_by(self.panel.details_error.setText), write=True)

    def save_consent(self, draft: ConsentDraft) -> None:
        person = self.panel.details.person
        register = self.app.register
        where = channel_phrase(self.app.channels, draft.channel)

        def saved(consent) -> None:
            self.say(f"Photo consent of {person.name} for {where}: {consent.status.value}; recorded in the audit log.")
            self._changed(person.id)
            if consent.status is not ConsentStatus.GRANTED:
                self.show_impact([person.id], draft.channel,
                                 f"{person.name}'s photo consent for {where} was {consent.status.value}.")

        self._run(lambda: register.set_photo_consent(person.id, draft.channel, draft.status, draft.given_on,
                                                     draft.expires_on, draft.given_by, draft.may_be_named),
                  saved, self._shown_by(self.panel.consent.show_error), write=True)

    def save_biometric(self, answers: dict[str, bool]) -> None:
        details = self.panel.details
        person, faces, today = details.person, len(details.reference_faces), self.today()
        after = biometric_verdict(person, replace(details.biometric or BiometricConsent(person.id), **answers), today)
        if faces and not after.allowed and not self.questions.confirm(
                "Delete their reference faces?",
                f"With these answers {person.name} cannot be recognised ({after.reason}), so their {faces} reference "
                "face(s) are deleted at once and they will always be blurred. Save anyway?"):
            return
        register = self.app.register

        def saved(result) -> None:
            _consent, valid, deleted = result
            outcome = "can be recognised" if valid else "cannot be recognised: will always be blurred"
            gone = f"; {deleted} reference face(s) deleted" if deleted else ""
            self.say(f"Biometric consent of {person.name} saved: {outcome}{gone}. Recorded in the audit log.")
            self._changed(person.id)

        self._run(lambda: register.set_biometric_consent(person.id, today, **answers), saved,
                  self._shown_by(self.panel.biometric.error.setText), write=True)

    def add_reference_faces(self) -> None:
        person = self.panel.details.person
        photos = self.ask_reference_photos()
        if not photos:
            return
        self.settings.setValue("register/photo_folder", str(photos[0].parent))
        self.panel.faces.set_busy(f"Finding the face in {len(photos)} photo{'s' if len(photos) != 1 else ''}…")
        app, today = self.app, self.today()

        def enrolled(results) -> None:
            added = sum(result.added for result in results)
            refused = [result for result in results if not result.added]
            self.panel.faces.status.setText("\n".join(f"{r.photo.name}: {r.reason}" for r in results))
            self.say(f"{added} reference face{'s' if added != 1 else ''} added for {person.name}"
                     f"{'; recorded in the audit log' if added else ''}.")
            self._changed(person.id)  # before the message box, so the panel behind it is up to date
            if refused:
                self.questions.explain("Some photos were not added", "\n".join(f"{r.photo.name}: {r.reason}." for r in refused)
                             + "\n\nNothing was added from these. Use photos that show this person alone, "
                             "with the face clear and facing the camera.")

        def failed(error: Exception) -> None:
            self.panel.faces.status.setText("")
            self._changed(person.id)
            self.questions.explain("No reference faces were added", problem_text(error))

        # dlib runs in-process (a second or so a photo); the writes pool keeps the window responsive.
        self._run(lambda: app.register.enrol(person.id, photos, app.detector, app.encoder, today), enrolled,
                  failed, write=True)

    def remove_reference_face(self, reference_id: int) -> None:
        person = self.panel.details.person
        if not self.questions.confirm("Remove this reference face?",
                            f"Delete this reference face from {person.name}'s record for good? Do so if it shows "
                            "someone else. The removal is recorded in the audit log."):
            return
        register = self.app.register

        def removed(_person_id) -> None:
            self.say(f"A reference face of {person.name} removed; recorded in the audit log.")
            self._changed(person.id)

        self._run(lambda: register.remove_reference_face(reference_id), removed, write=True)

    # Withdrawal impact

    def show_impact(self, person_ids: list[int], channel: str, why: str, quiet: bool = True) -> None:
        """List every exported photo showing these people (for `channel`, or every channel), to take down."""
        queries, register = self.app.queries, self.app.register
        where = "" if channel == ALL_CHANNELS else f" for {channel_label(self.app.channels, channel)}"

        def work():
            names = {person_id: register.person(person_id).name for person_id in person_ids}
            return names, [(pid, photo) for pid in person_ids for photo in queries.impact(pid, channel)]

        def found(result) -> None:
            names, photos = result
            who = ", ".join(names.values()) if len(names) <= 3 else f"{len(names)} people"
            if not photos:
                note = f"No photo exported{where} shows {who}: nothing to take down."
                self.say(f"{self.message.text()} {note}" if quiet else note)
                if quiet:
                    return
            count = len({photo.audit_seq for _pid, photo in photos})
            who = escape(who, quote=False)
            heading = (f"{escape(why, quote=False)} " if why else "") + (
                f"<b>{count} photo{'s' if count != 1 else ''} exported{where} show{'s' if count == 1 else ''} {who}.</b> "
                "Take them down from the channel." if photos else f"No photo exported{where} shows {who}.")
            dialog = ImpactDialog(heading, [ImpactLine(names[pid], photo) for pid, photo in photos], self.app.channels, self)
            dialog.save_requested.connect(lambda: self._save_impact(dialog))
            self._open("impact", dialog)

        self._run(work, found)

    def _save_impact(self, dialog: ImpactDialog) -> None:
        path = self.ask_csv_destination(f"photos-to-take-down-{self.today():%Y-%m-%d}.csv")
        if path is None:
            return
        try:
            with open(path, "w", encoding="utf-8-sig", newline="") as handle:  # Excel reads UTF-8 with a BOM
                write_impact_csv(dialog.photos(), handle)
        except OSError as error:
            self.questions.explain("The list was not saved", problem_text(error))
            return
        self.settings.setValue("register/folder", str(path.parent))
        self.say(f"The list of {len(dialog.photos())} photo(s) to take down was saved to {path}.")

    # Bulk jobs

    def _open(self, kind: str, dialog: QWidget) -> None:
        """Show a dialog beside the window, replacing any open one of the same kind."""
        old = self.dialogs.get(kind)
        if old is not None:
            old.close()
            old.deleteLater()
        self.dialogs[kind] = dialog
        dialog.show()

    def import_from_mis(self) -> None:
        path = self.ask_mis_file()
        if path is None:
            return
        self.settings.setValue("register/folder", str(path.parent))

        def opened(table: CsvTable) -> None:
            dialog = ImportDialog(path.name, table, self)
            dialog.preview_requested.connect(lambda mapping: self._preview_import(dialog, table, mapping))
            dialog.import_requested.connect(lambda mapping: self._import(dialog, table, mapping))
            dialog.leavers_requested.connect(lambda preview: self.open_leavers(preview))
            self._open("import", dialog)
            dialog.request_preview()

        self._run(lambda: read_csv(path.read_bytes()), opened,
                  lambda error: self.questions.explain("That file cannot be imported", f"{problem_text(error)} Nothing was changed."))

    def _preview_import(self, dialog: ImportDialog, table: CsvTable, mapping: dict) -> None:
        service, today = self.app.mis_import, self.today()
        self._run(lambda: service.preview(table, mapping, today), dialog.show_preview,
                  lambda error: dialog.show_mapping(problem_text(error)))

    def _import(self, dialog: ImportDialog, table: CsvTable, mapping: dict) -> None:
        service, today = self.app.mis_import, self.today()

        def imported(result) -> None:
            dialog.show_imported(result)
            self.say(f"MIS import: {result.created} added, {result.updated} updated; recorded in the audit log.")
            self.reload()
            if self._details_for is not None:
                self._load_details(self._details_for)

        self._run(lambda: service.import_table(table, mapping, today), imported,
                  lambda error: dialog.show_import_failed(problem_text(error)), write=True)

    def open_year_end(self) -> None:
        dialog = YearEndDialog(self.app.channels, self.today(), self)
        dialog.preview_requested.connect(lambda year_end: self._plan_year_end(dialog, year_end))
        dialog.apply_requested.connect(lambda year_end, renew: self._apply_year_end(dialog, year_end, renew))
        self._open("year_end", dialog)
        self._plan_year_end(dialog, dialog.year_end.currentData())

    def _plan_year_end(self, dialog: YearEndDialog, year_end: date) -> None:
        service = self.app.year_end
        self._run(lambda: service.preview_year_end(year_end), dialog.show_plan)

    def _apply_year_end(self, dialog: YearEndDialog, year_end: date, renew: list[int]) -> None:
        expire = len(dialog.people) - len(renew)
        if not self.questions.confirm("Apply the year end?",
                            f"Renew the photo consent of {n_people(len(renew))} to {day(dialog.plan.next_year_end)}, and "
                            f"let that of {n_people(expire)} expire on {day(year_end)}? Each change is recorded in the "
                            "audit log."):
            return
        service = self.app.year_end

        def applied(plan) -> None:
            dialog.show_plan(plan, applied=True)
            renewed, expired = len(plan.people(YearEndAction.RENEW)), len(plan.people(YearEndAction.EXPIRE))
            self.say(f"Year end {day(year_end)}: {n_people(renewed)} renewed, {n_people(expired)} expire; "
                     "recorded in the audit log.")
            self.reload()
            if self._details_for is not None:
                self._load_details(self._details_for)

        self._run(lambda: service.apply_year_end(year_end, renew), applied, write=True)

    def open_leavers(self, absent_from: ImportPreview | None = None) -> None:
        dialog = LeaversDialog(self.today(), self)
        dialog.candidates_requested.connect(lambda year: self._list_leavers(dialog, year, None))
        dialog.apply_requested.connect(lambda ids, leaving: self._mark_leavers(dialog, ids, leaving))
        self._open("leavers", dialog)
        if absent_from is not None:
            self._list_leavers(dialog, None, absent_from)

    def _list_leavers(self, dialog: LeaversDialog, year: int | None, absent_from: ImportPreview | None) -> None:
        service = self.app.year_end
        source = f"Everyone in Year {year}:" if year else "Current pupils missing from the MIS export:"
        # A whole year group leaves together; pupils missing from a file are only suspects, so each is ticked by hand.
        self._run(lambda: service.preview_leavers(year, absent_from),
                  lambda found: dialog.show_candidates(found, source, ticked=absent_from is None))

    def _mark_leavers(self, dialog: LeaversDialog, person_ids: list[int], leaving: date) -> None:
        if not self.questions.confirm("Mark as leavers?",
                            f"Mark {n_people(len(person_ids))} as leaving on {day(leaving)}? Their reference faces are "
                            "deleted at once, so they will always be blurred. This is recorded in the audit log."):
            return
        service = self.app.year_end

        def marked(deleted: dict[int, int]) -> None:
            dialog.show_done(len(deleted), sum(deleted.values()))
            self.say(f"{len(deleted)} marked as leavers; {sum(deleted.values())} reference face(s) deleted. "
                     "Recorded in the audit log.")
            self.reload()
            if self._details_for is not None:
                self._load_details(self._details_for)
            self.show_impact(list(deleted), ALL_CHANNELS, f"{len(deleted)} people were marked as leavers.")

        self._run(lambda: service.mark_leavers(person_ids, leaving), marked, write=True)

    def open_expiring(self) -> None:
        dialog = ExpiringDialog(self.expiring, self.app.channels, self)
        dialog.person_chosen.connect(self.select_person)
        self._open("expiring", dialog)
