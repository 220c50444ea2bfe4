"""The office's bulk jobs in the register workspace: MIS import, year end, leavers, expiring consent, and
the withdrawal impact list that follows any change taking consent away.

Each opens a dialog beside the window (one of each kind at a time); reads and writes go through the
workspace's job runner, so they run off the UI thread and writes stay in order."""
from __future__ import annotations

from datetime import date
from html import escape
from typing import Any, Callable, Protocol

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from ...app import App
from ...core.kernel.consent import ALL_CHANNELS
from ...core.kernel.wording import counted
from ...core.register.impact import write_impact_csv
from ...core.register.mis_csv import CsvTable, read_csv_file
from ...core.register.mis_import import ImportPreview
from ...core.register.year_end import YearEndAction
from ..folders import MIS_EXPORTS, SAVED_LISTS, remember_folder, start_folder
from ..questions import Questions
from .expiring_dialog import ExpiringDialog
from .impact_dialog import ImpactDialog, ImpactLine
from .import_dialog import ImportDialog
from .leavers_dialog import LeaversDialog
from .presenter import RECORDED
from .wording import channel_label, day, n_people, problem_text
from .year_end_dialog import YearEndDialog

CSV_FILTER = "CSV files (*.csv *.CSV);;All files (*)"


class Host(Protocol):
    """What the jobs need from the workspace that runs them."""
    app: App
    settings: QSettings
    questions: Questions
    today: Callable[[], date]

    def run(self, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[Exception], None] | None = None, write: bool = False) -> None: ...
    def say(self, text: str) -> None: ...
    def said(self) -> str: ...
    def register_changed(self) -> None: ...
    def select_person(self, person_id: int, load: bool = True) -> None: ...


class OfficeJobs:
    def __init__(self, host: Host, parent: QWidget):
        self.host, self.parent = host, parent
        self.dialogs: dict[str, QWidget] = {}  # the open dialog of each kind

    @property
    def app(self) -> App:
        return self.host.app

    def _open(self, kind: str, dialog: QWidget) -> None:
        """Show a dialog beside the window, replacing any open one of the same kind."""
        old = self.dialogs.get(kind)
        if old is not None:
            old.close()
            old.deleteLater()
        self.dialogs[kind] = dialog
        dialog.show()

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
                self.host.say(f"{self.host.said()} {note}" if quiet else note)
                if quiet:
                    return
            count = len({photo.audit_seq for _pid, photo in photos})
            who = escape(who, quote=False)
            heading = (f"{escape(why, quote=False)} " if why else "") + (
                f"<b>{count} photo{'s' if count != 1 else ''} exported{where} show{'s' if count == 1 else ''} {who}.</b> "
                "Take them down from the channel." if photos else f"No photo exported{where} shows {who}.")
            dialog = ImpactDialog(heading, [ImpactLine(names[pid], photo) for pid, photo in photos], self.app.channels,
                                  self.parent)
            dialog.save_requested.connect(lambda: self._save_impact(dialog))
            self._open("impact", dialog)

        self.host.run(work, found)

    def _save_impact(self, dialog: ImpactDialog) -> None:
        suggested = start_folder(self.host.settings, SAVED_LISTS) / f"photos-to-take-down-{self.host.today():%Y-%m-%d}.csv"
        path = self.host.questions.save_file("Save the list", suggested, CSV_FILTER)
        if path is None:
            return
        try:
            with open(path, "w", encoding="utf-8-sig", newline="") as handle:  # Excel reads UTF-8 with a BOM
                write_impact_csv(dialog.photos(), handle)
        except OSError as error:
            self.host.questions.explain("The list was not saved", problem_text(error))
            return
        remember_folder(self.host.settings, SAVED_LISTS, path.parent)
        self.host.say(f"The list of {counted(len(dialog.photos()), 'photo')} to take down was saved to {path}.")

    # MIS import

    def import_from_mis(self) -> None:
        path = self.host.questions.open_file("Import from the MIS", str(start_folder(self.host.settings, MIS_EXPORTS)),
                                             CSV_FILTER)
        if path is None:
            return
        remember_folder(self.host.settings, MIS_EXPORTS, path.parent)

        def opened(table: CsvTable) -> None:
            dialog = ImportDialog(path.name, table, self.parent)
            dialog.preview_requested.connect(lambda mapping: self._preview_import(dialog, table, mapping))
            dialog.import_requested.connect(lambda mapping: self._import(dialog, table, mapping))
            dialog.leavers_requested.connect(lambda preview: self.open_leavers(preview))
            self._open("import", dialog)
            dialog.request_preview()

        self.host.run(lambda: read_csv_file(path), opened,  # refuses a file far too large before reading it
                      lambda error: self.host.questions.explain("That file cannot be imported",
                                                                f"{problem_text(error)} Nothing was changed."))

    def _preview_import(self, dialog: ImportDialog, table: CsvTable, mapping: dict) -> None:
        service, today = self.app.mis_import, self.host.today()
        self.host.run(lambda: service.preview(table, mapping, today), dialog.show_preview,
                      lambda error: dialog.show_mapping(problem_text(error)))

    def _import(self, dialog: ImportDialog, table: CsvTable, mapping: dict) -> None:
        service, today = self.app.mis_import, self.host.today()

        def imported(result) -> None:
            dialog.show_imported(result)
            self.host.say(f"MIS import: {result.created} added, {result.updated} updated; {RECORDED}.")
            self.host.register_changed()

        self.host.run(lambda: service.import_table(table, mapping, today), imported,
                      lambda error: dialog.show_import_failed(problem_text(error)), write=True)

    # Year end

    def open_year_end(self) -> None:
        dialog = YearEndDialog(self.app.channels, self.host.today(), self.parent)
        dialog.preview_requested.connect(lambda year_end: self._plan_year_end(dialog, year_end))
        dialog.apply_requested.connect(lambda year_end, renew: self._apply_year_end(dialog, year_end, renew))
        self._open("year_end", dialog)
        self._plan_year_end(dialog, dialog.year_end.currentData())

    def _plan_year_end(self, dialog: YearEndDialog, year_end: date) -> None:
        service = self.app.year_end
        self.host.run(lambda: service.preview_year_end(year_end), dialog.show_plan)

    def _apply_year_end(self, dialog: YearEndDialog, year_end: date, renew: list[int]) -> None:
        expire = len(dialog.people) - len(renew)
        if not self.host.questions.confirm(
                "Apply the year end?",
                f"Renew the photo consent of {n_people(len(renew))} to {day(dialog.plan.next_year_end)}, and let that "
                f"of {n_people(expire)} expire on {day(year_end)}? Each change is recorded in the audit log."):
            return
        service = self.app.year_end

        def applied(plan) -> None:
            dialog.show_plan(plan, applied=True)
            renewed, expired = len(plan.people(YearEndAction.RENEW)), len(plan.people(YearEndAction.EXPIRE))
            self.host.say(f"Year end {day(year_end)}: {n_people(renewed)} renewed, {n_people(expired)} expire; "
                          f"{RECORDED}.")
            self.host.register_changed()

        self.host.run(lambda: service.apply_year_end(year_end, renew), applied, write=True)

    # Leavers

    def open_leavers(self, absent_from: ImportPreview | None = None) -> None:
        dialog = LeaversDialog(self.host.today(), self.parent)
        dialog.candidates_requested.connect(lambda year: self._list_leavers(dialog, year, None))
        dialog.apply_requested.connect(lambda ids, leaving: self._mark_leavers(dialog, ids, leaving))
        self._open("leavers", dialog)
        if absent_from is not None:
            self._list_leavers(dialog, None, absent_from)

    def _list_leavers(self, dialog: LeaversDialog, year: int | None, absent_from: ImportPreview | None) -> None:
        service = self.app.year_end
        source = f"Everyone in Year {year}:" if year else "Current pupils missing from the MIS export:"
        # A whole year group leaves together; pupils missing from a file are only suspects, so each is ticked by hand.
        self.host.run(lambda: service.preview_leavers(year, absent_from),
                      lambda found: dialog.show_candidates(found, source, ticked=absent_from is None))

    def _mark_leavers(self, dialog: LeaversDialog, person_ids: list[int], leaving: date) -> None:
        if not self.host.questions.confirm(
                "Mark as leavers?",
                f"Mark {n_people(len(person_ids))} as leaving on {day(leaving)}? Their reference faces are deleted at "
                "once, so they will always be blurred. This is recorded in the audit log."):
            return
        service = self.app.year_end

        def marked(deleted: dict[int, int]) -> None:
            dialog.show_done(len(deleted), sum(deleted.values()))
            self.host.say(f"{counted(len(deleted), 'leaver')} marked; {counted(sum(deleted.values()), 'reference face')} "
                          "deleted. Recorded in the audit log.")
            self.host.register_changed()
            self.show_impact(list(deleted), ALL_CHANNELS, f"{len(deleted)} people were marked as leavers.")

        self.host.run(lambda: service.mark_leavers(person_ids, leaving), marked, write=True)

    # Expiring consent

    def open_expiring(self, expiring) -> None:
        dialog = ExpiringDialog(expiring, self.app.channels, self.parent)
        dialog.person_chosen.connect(self.host.select_person)
        self._open("expiring", dialog)
