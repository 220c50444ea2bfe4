"""The vetting workspace's state and decisions, without Qt: which photos and clips are checked, what
each event of a batch changes, what a correction or an export asks and says. The widgets only draw it.
Photos are checked first, in the core's worker processes; then the clips, one at a time (clip_work).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from ...core.clips.review import ClipReviewError
from ...core.clips.service import split_clips
from ...core.faces.geometry import Box
from ...core.faces.redaction import Shape
from ...core.kernel.channels import ChannelCatalogue
from ...core.kernel.permissions import NotAllowed
from ...core.vetting.analysis import collect_photos
from ...core.vetting.events import (BatchFinished, BatchStarted, PhotoAnalysed, PhotoFailed, PhotoStarted,
                                    VettingEvent)
from ...core.vetting.review import ReviewError
from ...core.vetting.review_service import ReviewService
from ...core.vetting.service import VettingService
from ..questions import Questions
from .batch import BatchItem, Status, VettingBatch
from .clip_work import ClipChecked, ClipDesk, ClipStarted, ClipStep, clip_status

LOADING_MODELS = "Loading the face models…"


@dataclass(frozen=True)
class BatchWork:
    """A batch to check, as plain work for a background job: `run(should_stop)` yields its events."""

    total: int
    loading_models: bool
    run: Callable[[Callable[[], bool], Callable[[object], None]], Iterator[VettingEvent]]  # (should_stop, report)
    unit: str = "photos checked"  # what the progress bar counts


class VettingPresenter:
    def __init__(self, vetting: VettingService, review: ReviewService, channels: ChannelCatalogue, questions: Questions,
                 clips: ClipDesk | None = None):
        self.vetting, self.review, self.channels, self.questions = vetting, review, channels, questions
        self.clips = clips
        self.selection: list[BatchItem] = []  # the items selected in the list (the Post panel reads them)
        self.batch = VettingBatch()
        self.names: dict[int, str] = {}
        self.channel_key: str | None = None
        self.current: BatchItem | None = None
        self.selected_face = -1
        self.checking = False  # a batch is being checked
        self.exporting = False
        self.status_text = ""  # beside the progress bar: models loading, time left, cancelling
        self._in_flight: list[BatchItem] = []
        self._started_at = 0.0
        self.done = 0
        self.total = 0
        self.unit = "photos checked"
        self.problem: str | None = None

    # Adding and checking

    def add(self, paths: list[Path]) -> tuple[list[BatchItem], str]:
        """Adds the photos and clips found (folders opened); returns the new items and what to say."""
        others, clips = split_clips(p for p in paths if p.exists())
        found = collect_photos(others) + (clips if self.clips is not None else [])
        missing = [p for p in paths if not p.exists()]
        added = self.batch.add(found)
        note = f" ({len(missing)} not found)" if missing else ""
        added_clips = sum(item.is_clip for item in added)
        photos = len(added) - added_clips
        words = f"{photos} photo{'s' if photos != 1 else ''}"
        if added_clips:
            words += f" and {added_clips} clip{'s' if added_clips != 1 else ''}"
        return added, f"Added {words}{note}."

    def next_batch(self, today: date | None = None) -> BatchWork | None:
        """The photos waiting (or, when none, the clips), as work to run, or None (already checking, nothing
        waiting, or refused: explained)."""
        waiting = self.batch.waiting()
        clips = self.batch.waiting_clips() if self.clips is not None else []
        if self.checking or not (waiting or clips):
            return None
        today, channel_key = today or date.today(), self.channel_key
        try:
            register = self.review.register_snapshot(channel_key, today)
            loading = not self.vetting.workers_ready(channel_key)
        except NotAllowed as exc:
            self.questions.explain("Not allowed", str(exc))
            return None
        except Exception as exc:
            self.questions.explain("The register could not be read", storage_problem(exc))
            return None
        self.names = {person.id: person.name for person in register.people.values()}
        if not waiting:
            return self._clip_work(clips, register, today)
        self._in_flight, self.checking, self.done, self.problem = waiting, True, 0, None
        self.total, self.unit = len(waiting), "photos checked"
        self._started_at = time.monotonic()
        self.status_text = LOADING_MODELS if loading else "Checking…"
        block_hidden, vetting, sources = self.batch.block_hidden, self.vetting, [item.path for item in waiting]

        def run(should_stop: Callable[[], bool], _report=None) -> Iterator[VettingEvent]:
            vetting.keep_workers(channel_key, start_now=False)  # in worker processes, whatever their number
            return vetting.vet_batch(sources, channel_key, today, block_hidden, should_stop, register)

        return BatchWork(len(waiting), loading, run)

    def _clip_work(self, clips: list[BatchItem], register, today: date) -> BatchWork:
        """The clips waiting, checked one after another; the progress bar counts the current clip's frames."""
        self._in_flight, self.checking, self.done, self.problem = clips, True, 0, None
        self.total, self.unit = 1, f"frames of {clips[0].path.name}"
        self.status_text = "Checking clips…"
        desk, channel = self.clips, self.channels.get(self.channel_key)
        block_hidden, sources = self.batch.block_hidden, [item.path for item in clips]

        def run(should_stop: Callable[[], bool], report: Callable[[object], None]) -> Iterator:
            desk.check(sources, channel, register, today, block_hidden, should_stop, report)
            return iter(())

        return BatchWork(len(clips), False, run, unit="clip frames")

    def apply(self, event: VettingEvent) -> list[BatchItem]:
        """What an event changes; returns the items to redraw."""
        if isinstance(event, BatchStarted) and event.loading_models:
            self.status_text = LOADING_MODELS
        elif isinstance(event, PhotoStarted):
            item = self._in_flight[event.index]
            item.checking = True
            return [item]
        elif isinstance(event, (PhotoAnalysed, PhotoFailed)):
            item = self._in_flight[event.index]
            self.batch.analysed(item, event.result)
            if isinstance(event, PhotoAnalysed) and event.safe_copy is not None:
                self.review.safe_copies.put(item.review.state(), event.safe_copy)  # the preview and export reuse it
            self.done += 1
            self.status_text = time_left(time.monotonic() - self._started_at, self.done, len(self._in_flight))
            return [item]
        elif isinstance(event, BatchFinished):
            self.problem = event.problem
        elif isinstance(event, ClipStarted):
            item = self._in_flight[event.index]
            item.checking, self.done, self.total = True, 0, 1
            self.unit, self.status_text = f"frames of {item.path.name}", f"{item.path.name}: opening…"
            return [item]
        elif isinstance(event, ClipStep):
            step, item = event.progress, self._in_flight[event.index]
            self.done, self.total = step.frame, max(1, step.frame_count)
            self.status_text = clip_status(step, item.path.name)
        elif isinstance(event, ClipChecked):
            item = self._in_flight[event.index]
            item.checking, item.clip = False, event.review
            return [item]
        return []

    def batch_ended(self, cancelled: bool, failure: Exception | None = None) -> tuple[str, bool]:
        """After the batch's job returned: what to say, and whether to check what was added meanwhile.
        A batch that stopped on a problem is explained once and nothing starts again on its own."""
        for item in self._in_flight:
            item.checking = False
        self.unit = "photos checked"
        self._in_flight, self.checking = [], False
        problem = self.problem or (str(failure) if failure else None)
        if problem:
            self.questions.explain("Checking stopped", problem)
        counts = self.batch.counts()
        summary = ", ".join(f"{n} {status.value}" for status, n in counts.items() if n and status is not Status.WAITING)
        waiting = counts[Status.WAITING]
        if cancelled or problem:
            word = "Cancelled" if cancelled else "Stopped"
            return f"{word}: {summary or 'nothing checked'}; {waiting} waiting.", False
        return f"Checked: {summary}.", True

    def channel_changed(self, channel_key: str) -> bool:
        """Whether to check the batch again for the newly chosen channel (asking first if corrections would go)."""
        self.channel_key = channel_key
        if not self.batch.unrecorded() and not self.batch.waiting() and not self.checking:
            return False
        corrected = self.batch.corrected()
        return not corrected or self.questions.confirm(
            "Check again for the new channel?",
            f"{corrected} photo{' has' if corrected == 1 else 's have'} corrections. Checking them for another channel starts them afresh "
            "(the corrections stay in the audit log). Go on?")

    # One photo

    def select(self, item: BatchItem | None) -> None:
        self.current, self.selected_face = item, -1

    def selected_results(self) -> list:
        """What is selected in the list and checked, as it stands now: a PhotoResult for a photo and a
        ClipResult for a clip (corrections applied), for the Post panel. With nothing selected, the current item."""
        chosen = self.selection or ([self.current] if self.current else [])
        results = []
        for item in chosen:
            review = item.clip or item.review
            if review is not None:
                results.append(review.current_result())
        return results

    def can_undo(self) -> bool:
        review = self.current.outcome if self.current else None
        return bool(review and review.editable and review.corrections)

    def blur_selected_face(self) -> str | None:
        face = self.selected_face
        reason = self.questions.ask_reason("Blur face", f"Why should face {face + 1} be blurred?")
        if reason is None:
            return None
        return self._correct(lambda review: self.review.blur_face(review, self.channel_key, face, reason),
                             f"Face {face + 1} blurred")

    def show_selected_face(self) -> str | None:
        face, channel_key = self.selected_face, self.channel_key
        shown = self.current.review.shown_person_ids() if self.current and self.current.review else set()
        answer = self.questions.ask_person(self.channels.get(channel_key).name,
                                           lambda text: self.review.candidates(channel_key, text), shown)
        if answer is None:
            return None
        person_id, reason = answer
        return self._correct(lambda review: self.review.show_face(review, channel_key, face, person_id, reason),
                             f"Face {face + 1} shown as {self.names.get(person_id, f'person #{person_id}')}")

    def blur_area(self, box: Box, shape: Shape, image_size: tuple[int, int]) -> str | None:
        reason = self.questions.ask_reason("Blur area", "Why should this area be blurred? (for example: a face the check missed)")
        if reason is None:
            return None
        return self._correct(lambda review: self.review.blur_area(review, self.channel_key, box, shape, image_size, reason),
                             f"{shape.value.capitalize()} blurred")

    def undo(self) -> str | None:
        if self.current is not None and self.current.clip is not None:
            return self._undo_clip()
        return self._correct(lambda review: self.review.undo(review, self.channel_key), "Undone")

    def _undo_clip(self) -> str | None:
        try:
            self.clips.service.undo(self.current.clip, self.channel_key)
        except (ClipReviewError, NotAllowed) as exc:
            self.questions.explain("That correction cannot be undone", str(exc))
            return None
        except Exception as exc:
            self.questions.explain("The undo was not saved", storage_problem(exc))
            return None
        return "Undone; recorded in the audit log."

    def _correct(self, change: Callable, done_message: str) -> str | None:
        """Makes the change to the current photo; returns what to say, or None when it was refused (explained)."""
        if self.current is None or self.current.review is None:
            return None
        try:
            change(self.current.review)
        except (ReviewError, NotAllowed) as exc:
            self.questions.explain("That correction cannot be made", str(exc))
            return None
        except Exception as exc:
            self.questions.explain("The correction was not saved", storage_problem(exc))
            return None
        return f"{done_message}; recorded in the audit log."

    # Export

    def export_folder_checked(self, folder: Path | None) -> bool:
        """Whether export may go ahead to `folder` (a refusal is explained)."""
        if folder is None:
            return False
        why_not = self.export_refusal(folder)
        if why_not:
            self.questions.explain("Choose another folder", why_not)
        return why_not is None

    def export_refusal(self, folder: Path) -> str | None:
        """Folders safe copies must never go to, whoever asks: the originals' own, or straight into the home folder."""
        sources = [review.source for review in self.batch.unrecorded()] + [c.result.source for c in self.batch.unrecorded_clips()]
        if any(folder.resolve() == source.parent.resolve() for source in sources):
            return ("That folder holds the original photos. Safe copies beside the originals are easily "
                    "mistaken for them, so please export to a folder of their own.")
        if folder.resolve() == Path.home().resolve():
            return ("That is your home folder, where safe copies would be lost among everything else. "
                    "Please export to a folder of their own (the one proposed is made for them).")
        return None

    def export_folder_problem(self, folder: Path) -> str | None:
        """Why `folder` will not do, in the export dialog before anything is written (None when it will): a refused
        folder, a file where the folder should be, or a place this computer does not let the user write to."""
        refusal = self.export_refusal(folder)
        if refusal:
            return refusal
        if folder.exists() and not folder.is_dir():
            return f"There is a file called “{folder.name}” there, not a folder. Choose or type another name."
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not os.access(existing, os.W_OK | os.X_OK):
            return f"This computer does not let you write to {existing}. Choose a folder of your own."
        return None

    def export_to_write(self) -> int:
        """How many safe copies an export would write now (blocked photos and clips are only recorded)."""
        reviews = [*self.batch.unrecorded(), *self.batch.unrecorded_clips()]
        return sum(1 for review in reviews if review.decision()[0].value in ("approved", "redacted"))

    def export_report(self, outcomes: list, finished: dict[Path, str] | None = None) -> tuple[str, str]:
        """What the export did, as a headline ("3 safe copies written") and the rest; `outcomes`: photos'
        ExportOutcomes and clips' ClipExportOutcomes alike; `finished`: the safe copies an interrupted export had
        left half-done and this one put in place, each with the service's sentence."""
        written = sum(1 for o in outcomes if o.written)
        blocked = sum(1 for o in outcomes if o.written is None and o.review.recorded_seq is not None)
        problems = sum(1 for o in outcomes if o.problem and o.review.recorded_seq is None)
        headline = f"{written or 'No'} safe cop{'y' if written == 1 else 'ies'} written"
        details = []
        if blocked:
            details.append(f"{blocked} blocked photo{'s or clips were' if blocked > 1 else ' or clip was'} recorded in "
                           "the audit log and not exported.")
        if problems:
            details.append(f"{problems} could not be exported this time; they stay in the list to export again.")
        report = " ".join(details)
        if finished:
            report = "\n\n".join(filter(None, (report, interrupted_export_note(finished))))
        return headline, report

    def export_summary(self, outcomes: list, folder: Path, finished: dict[Path, str] | None = None) -> str:
        """`outcomes`: photos' ExportOutcomes and clips' ClipExportOutcomes alike; `finished` as for export_report."""
        written = sum(1 for o in outcomes if o.written)
        blocked = sum(1 for o in outcomes if o.written is None and o.review.recorded_seq is not None)
        problems = [o for o in outcomes if o.problem and o.review.recorded_seq is None]
        summary = f"Exported {written} safe cop{'y' if written == 1 else 'ies'} to {folder}."
        if blocked:
            summary += f" {blocked} blocked photo{'s or clips were' if blocked > 1 else ' or clip was'} recorded, not exported."
        if finished:
            summary += (f" {len(finished)} safe cop{'y' if len(finished) == 1 else 'ies'} left unfinished by an "
                        f"interrupted export {'was' if len(finished) == 1 else 'were'} saved.")
        if problems:
            summary += f" {len(problems)} could not be exported."
            self.questions.explain("Some photos were not exported",
                                   "\n".join(f"{_source(o.review).name}: {o.problem}" for o in problems))
        return summary

    def has_unsaved_work(self) -> bool:
        return any(review.decision()[0].value in ("approved", "redacted")
                   for review in [*self.batch.unrecorded(), *self.batch.unrecorded_clips()])


def interrupted_export_note(finished: dict[Path, str]) -> str:
    """In plain words, the safe copies an earlier export was killed before saving (their checks were already in the
    audit log), which this export saved, one line each with the service's sentence."""
    count = len(finished)
    what = "one safe copy was" if count == 1 else f"{count} safe copies were"
    intro = (f"An earlier export into this folder was interrupted: {what} recorded in the audit log but not yet "
             f"saved. {'It is' if count == 1 else 'They are'} saved now:")
    return "\n".join([intro, *(f"• {path.name}: {note}" for path, note in sorted(finished.items()))])


def _source(review) -> Path:
    return review.result.source if hasattr(review, "scan") else review.source


def time_left(elapsed: float, done: int, total: int) -> str:
    """The time left, from the pace so far; nothing before the first result or once every photo is done (it said
    "5 of 5 photos checked — about 1 s left")."""
    if not done or done >= total:
        return ""
    seconds = elapsed / done * (total - done)
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"


def storage_problem(exc: Exception) -> str:
    return (f"The database could not be reached ({exc}). Check the network or the database location, "
            "then try again; nothing already checked is lost.")


def export_problem(error: Exception, folder: Path) -> str:
    return f"Nothing more was exported to {folder}: {error}. Choose another folder or fix the problem, then export again."
