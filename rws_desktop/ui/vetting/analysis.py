"""Analysing a batch from a thread of its own, with results posted back to the UI thread.

The thread only drives the worker processes (which do the work) and forwards each result;
it takes plain data in and sends plain results out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QThread, Signal

from ...core.vetting.batch import AnalysisSettings, analyse_in_processes
from ...core.kernel.channels import Channel
from ...core.vetting.analysis import RegisterSnapshot
from ..tasks import StopFlag


@dataclass(frozen=True)
class AnalysisJob:
    sources: list[Path]
    channel: Channel
    register: RegisterSnapshot
    today: date
    block_hidden: bool
    settings: AnalysisSettings
    workers: int


class AnalysisThread(QThread):
    photo_analysed = Signal(int, object)  # position in job.sources, PhotoResult
    failed = Signal(str)

    def __init__(self, job: AnalysisJob, parent=None):
        super().__init__(parent)
        self.job = job
        self.stop_requested = StopFlag()

    def cancel(self) -> None:
        self.stop_requested.stop()

    @property
    def cancelled(self) -> bool:
        return self.stop_requested()

    def run(self) -> None:
        job = self.job
        try:
            analyses = analyse_in_processes(job.sources, job.channel, job.register, job.today, job.block_hidden,
                                            job.settings, job.workers, self.stop_requested, safe_copies=False)
            for index, analysis in enumerate(analyses):
                if self.stop_requested():
                    analyses.close()  # stops the workers; photos not reached stay waiting
                    break
                self.photo_analysed.emit(index, analysis.result)
        except Exception as exc:  # a broken worker pool; the window says so and keeps what was done
            self.failed.emit(str(exc))
