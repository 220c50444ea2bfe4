"""Export from the vetting workspace: the safe photos, then the safe clips beside them, in one
background job with progress (photos counted, then each clip's frames) and Cancel.
A mixin of VettingWorkspace, whose widgets and presenter it uses."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtGui import QDesktopServices

from ...core.kernel.safe_names import EXPORTS_FOLDER, export_folder_name
from ...core.vetting.review_service import ExportOutcome
from ..folders import EXPORTS_PARENT, pictures_folder, remember_folder
from ..tasks import Job
from .clip_work import ClipStep
from .export_dialogs import ExportDoneDialog
from .presenter import export_problem


class ExportFlow:
    open_url = staticmethod(QDesktopServices.openUrl)  # "Open folder" after export; tests put their own here
    export_done: ExportDoneDialog | None = None

    def proposed_export_folder(self, today: date | None = None) -> Path:
        """A new folder of their own for today's safe copies for this channel: `<date> <channel>` in the folder
        that held the last one, else in Pictures/RWS safe copies. Made when the copies are written."""
        parent = self.settings.value(EXPORTS_PARENT, "")
        parent = Path(parent) if isinstance(parent, str) and parent and Path(parent).is_dir() else pictures_folder() / EXPORTS_FOLDER
        return parent / export_folder_name(today or date.today(), self.app.channels.get(self.channel_key).name)

    def export(self) -> None:
        if self.analysis is not None:
            self.questions.explain("Still checking", "Wait for the check to finish, or cancel it, before exporting.")
            return
        reviews, clips = self.batch.unrecorded(), self.batch.unrecorded_clips()
        if not (reviews or clips) or self.export_job is not None:
            return
        folder = self.questions.export_folder(self.proposed_export_folder(), self.presenter.export_to_write(),
                                              self.presenter.export_folder_problem)
        if not self.presenter.export_folder_checked(folder):
            return
        remember_folder(self.settings, EXPORTS_PARENT, folder.parent)
        service, desk, channel_key = self.app.review, self.presenter.clips, self.channel_key

        def work(job: Job) -> tuple[list, dict[Path, str]]:
            outcomes = service.export(reviews, channel_key, folder, progress=lambda *args: job.report(args),
                                      should_stop=lambda: job.cancelled) if reviews else []
            # What the export finished for an earlier one killed mid-write, read here in the job's own thread.
            finished = dict(service.finished) if reviews else {}
            return outcomes + desk.export(clips, channel_key, folder, lambda: job.cancelled, job.report), finished

        self.export_job = Job(work)
        self.export_job.progressed.connect(lambda args: self._clip_exporting(clips, args) if isinstance(args, ClipStep)
                                           else self._photo_exported(*args))
        # Stopped by an error: what it had already finished for an interrupted export is still said.
        self.export_job.failed.connect(lambda error: self._export_finished(folder, [], dict(service.finished), error))
        self.export_job.finished.connect(lambda result: self._export_finished(folder, *result))
        self.progress.setFormat("%v of %m photos exported")
        self.progress.setRange(0, max(1, len(reviews)))
        self.progress.setValue(0)
        self._set_running(True)
        self.export_button.setEnabled(False)
        self.jobs.start(self.export_job, self.jobs.long)

    def _photo_exported(self, done: int, total: int, outcome: ExportOutcome) -> None:
        self.progress.setValue(done)
        for item in self.batch.items:
            if item.review is outcome.review:
                self.model.refresh(item)

    def _clip_exporting(self, clips: list, step: ClipStep) -> None:
        self.progress.setFormat(f"%v of %m frames of {clips[step.index].result.source.name} written")
        self.progress.setRange(0, max(1, step.progress.frame_count))
        self.progress.setValue(step.progress.frame)

    def _export_finished(self, folder: Path, outcomes: list[ExportOutcome], finished: dict[Path, str] | None = None,
                         error: Exception | None = None) -> None:
        """`finished`: safe copies an earlier export, killed between its audit entry and the file's rename, had left
        as `.part` files, put in place by this one, each with the service's sentence."""
        self.export_job = None
        self.progress.setFormat("%v of %m photos checked")
        self._set_running(False)
        for item in self.batch.items:
            if item.is_clip:
                self.model.refresh(item)
        self.clip_stage.refresh()
        self._refresh_panels()
        if error is not None:
            self.questions.explain("Export stopped", export_problem(error, folder))
        self.message.emit(self.presenter.export_summary(outcomes, folder, finished or {}))
        self._say_where(outcomes, folder, finished or {})
        self.export_finished.emit(outcomes)

    def _say_where(self, outcomes: list, folder: Path, finished: dict[Path, str]) -> None:
        """A window (not only a status-bar line) with how many were written and where, what was finished for an
        interrupted export, and "Open folder"."""
        headline, details = self.presenter.export_report(outcomes, finished)
        if self.export_done is not None:
            self.export_done.close()
        self.export_done = ExportDoneDialog(headline, details, folder, self.open_url, self)
        self.export_done.show()
