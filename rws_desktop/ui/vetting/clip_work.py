"""Clips in the vetting workspace, without Qt: checking them in the background, their export, and
what either says.

A clip is checked in the window's background job, one after another, without writing anything
(`analyse_clip(write=False)`): the review keeps the tracks found, and the safe clip is written
only on export, with the corrections applied, under a `.part` name renamed once its audit entry
is recorded. So a cancel, or a clip that cannot be decoded, leaves nothing behind.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from ...core.clips.pipeline import ClipAnalyser, ClipCancelled, ClipProgress
from ...core.clips.results import ClipResult
from ...core.clips.review import ClipReview, ClipReviewError, ClipReviewService
from ...core.clips.service import analyse_clip
from ...core.kernel.channels import Channel
from ...core.kernel.decisions import Decision


@dataclass(frozen=True)
class ClipStarted:
    index: int  # into the clips being checked


@dataclass(frozen=True)
class ClipStep:
    index: int
    progress: ClipProgress


@dataclass(frozen=True)
class ClipChecked:
    index: int
    review: ClipReview


@dataclass(frozen=True)
class ClipExportOutcome:
    """As a photo's ExportOutcome: the review, the file written (None when blocked or not written) and any problem."""

    review: ClipReview
    written: Path | None = None
    problem: str | None = None


class ClipDesk:
    """The clip services the workspace needs, built when first used (the analyser loads the face models)."""

    def __init__(self, service: Callable[[], ClipReviewService], analyser: Callable[[], ClipAnalyser]):
        self._make_service, self._make_analyser = service, analyser
        self._service: ClipReviewService | None = None
        self._analyser: ClipAnalyser | None = None

    @property
    def service(self) -> ClipReviewService:
        if self._service is None:
            self._service = self._make_service()
        return self._service

    @property
    def analyser(self) -> ClipAnalyser:
        if self._analyser is None:
            self._analyser = self._make_analyser()
        return self._analyser

    def check(self, sources: list[Path], channel: Channel, register, today: date, block_hidden: bool,
              should_stop: Callable[[], bool], report: Callable[[object], None]) -> None:
        """Checks each clip in turn, reporting ClipStarted, ClipStep and ClipChecked; a clip that cannot
        be read is checked as an error and the next one goes on; a cancel stops at once."""
        analyser = self.analyser
        for index, source in enumerate(sources):
            if should_stop():
                return
            report(ClipStarted(index))
            try:
                analysis = analyse_clip(source, source, channel, register, today, analyser, block_hidden,
                                        lambda step, index=index: report(ClipStep(index, step)), should_stop, write=False)
            except ClipCancelled:
                return
            except Exception as exc:  # a clip the decoder chokes on is this clip's error, not the batch's
                analysis = None
                result = ClipResult(source, Decision.ERROR, f"The clip could not be checked ({exc}).")
            else:
                result = analysis.result
            report(ClipChecked(index, ClipReview(result, analysis.scan if analysis else None, block_hidden)))

    def export(self, reviews: list[ClipReview], channel_key: str, folder: Path, should_stop: Callable[[], bool],
               report: Callable[[object], None]) -> list[ClipExportOutcome]:
        """Writes each clip's safe copy (blocked ones are recorded, not written); a clip that fails is
        its own problem and the next goes on; a cancel removes the clip in progress's partial file."""
        outcomes = []
        for index, review in enumerate(reviews):
            if should_stop():
                break
            try:
                result = self.service.export(review, channel_key, folder, self.analyser,
                                             lambda step, index=index: report(ClipStep(index, step)), should_stop)
            except ClipCancelled:
                break
            except (ClipReviewError, OSError, ValueError) as exc:
                outcomes.append(ClipExportOutcome(review, None, str(exc)))
                continue
            outcomes.append(ClipExportOutcome(review, result.output))
        return outcomes


def clip_status(step: ClipProgress, name: str) -> str:
    """Beside the progress bar: which clip, what is happening and the time left."""
    left = "" if step.seconds_left is None else f", {seconds_left(step.seconds_left)}"
    return f"{name}: {step.stage}{left}"


def seconds_left(seconds: float) -> str:
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"
