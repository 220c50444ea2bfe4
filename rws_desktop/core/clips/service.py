"""Vetting clips end to end: the hook the vet command (and later the window) calls.

`analyse_clip` takes a path, a channel, a register snapshot and a target, writes the safe copy
under a `.part` name and returns the result; `publish_clip` records the audit entry and only
then renames the copy into place, so no safe clip exists without its record, and a cancel or a
failure leaves nothing behind. `ClipVettingService.vet` does both for a list of clips, with the
same permissions as vetting photos.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from ..faces.detection import FaceDetector
from ..faces.photo_checks import PhotoCheckError, check_regular_file
from ..kernel.disk_errors import unreadable_reason
from ..faces.recognition import FaceEncoder
from ..kernel.channels import Channel, ChannelCatalogue
from ..kernel.decisions import Decision, overall_decision
from ..kernel.permissions import Action, requires
from ..kernel.ports import Store
from ..kernel.safe_names import safe_copy_path
from ..kernel.session import Session
from ..kernel.media_paths import folder_contents, is_folder
from .media import ClipLoadError, is_clip, probe
from .pipeline import (
    CLIP_DETECTOR_SETTINGS, ClipAnalyser, ClipCancelled, ClipProgress, ClipSettings, Scan, UnverifiedBlur, _Progress,
)
from .results import ClipResult, clip_entry, file_sha256
from .verdicts import RegisterView, decide_tracks


log = logging.getLogger(__name__)
# What staff read when the face finder, the tracker or the encoder fails on a clip; what failed goes to the log.
CLIP_FAILED = ("The clip could not be vetted: the face finder or the video encoder stopped with an error on it, so no "
               "safe copy was made. Export it again and vet that copy; the details are in the app's log file.")


@dataclass
class ClipAnalysis:
    """A clip's result, and its safe copy's `.part` file while it awaits its audit entry."""

    result: ClipResult
    pending: Path | None = None
    scan: Scan | None = None  # the tracks as found, for a review's corrections (in memory only)


def split_clips(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """The paths that are not clips (as given, folders included, for core/vetting/inputs.collect_photos),
    and the clips: those given, and those inside folders, found by the walk photos use
    (core/kernel/media_paths.py: recursively in name order, links to folders not followed, system files
    left out). Whatever has a clip's suffix is a clip here, a FIFO or a dangling link included:
    analyse_clip says why it cannot be vetted."""
    others, clips = [], []
    for path in paths:
        if is_folder(path):
            clips += [inside for inside in folder_contents(path) if is_clip(inside)]
            others.append(path)
        elif is_clip(path):
            clips.append(path)
        else:
            others.append(path)
    return others, clips


def clip_output_path(source: Path, out_dir: Path, taken: set[str]) -> Path:
    """`<stem> (safe).mp4` in `out_dir`, numbered when taken (see kernel.safe_names: one rule for every safe copy)."""
    return safe_copy_path(source, out_dir, ".mp4", taken)


def analyse_clip(source: Path, target: Path, channel: Channel, register: RegisterView, today: date, analyser: ClipAnalyser,
                 block_hidden: bool = False, progress: Callable[[ClipProgress], None] | None = None,
                 should_stop: Callable[[], bool] = lambda: False, write: bool = True) -> ClipAnalysis:
    """Vet one clip, writing its safe copy to `target`.part (unless not `write`: a review that
    writes on export). A clip that cannot be read is an error result, not an exception;
    ClipCancelled is raised after removing anything written."""
    pending = target.with_name(target.name + ".part")
    try:  # a FIFO, a folder or a dangling link with a clip's name is said to be one, never opened
        check_regular_file(source)
    except PhotoCheckError as exc:
        return ClipAnalysis(ClipResult(source, Decision.ERROR, str(exc)))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        source_sha256 = file_sha256(source)
    except OSError as exc:
        log.info("clip refused: it could not be read: %s", exc.strerror or type(exc).__name__)
        return ClipAnalysis(ClipResult(source, Decision.ERROR, unreadable_reason(exc)))
    try:
        info = probe(source)
    except ClipLoadError as exc:
        return ClipAnalysis(ClipResult(source, Decision.ERROR, str(exc), source_sha256=source_sha256))
    result = ClipResult(source, Decision.ERROR, "", info=info, source_sha256=source_sha256)
    refusal = channel.refusal_reason()
    if refusal:
        result.decision, result.reason = Decision.BLOCKED, refusal
        return ClipAnalysis(result)
    tracker = _Progress(info.frame_count, progress, should_stop)
    try:
        scan = analyser.scan(source, info, channel, register, today, tracker)
        result.frames = scan.frames
        result.tracks = decide_tracks(scan.tracks, channel, register, today, analyser.settings.rules)
        result.decision, result.reason = overall_decision(result.tracks, block_hidden)
        if result.decision is Decision.BLOCKED or not write:
            return ClipAnalysis(result, scan=scan)
        tracker.writing(scan.frames)
        analyser.render(source, pending, info, scan, result.tracks, tracker)
        result.output_sha256 = file_sha256(pending)
    except ClipCancelled:
        pending.unlink(missing_ok=True)
        raise
    except UnverifiedBlur as exc:
        pending.unlink(missing_ok=True)
        result.decision, result.reason = Decision.BLOCKED, str(exc)
        return ClipAnalysis(result)
    except ClipLoadError as exc:
        pending.unlink(missing_ok=True)
        result.decision, result.reason = Decision.ERROR, str(exc)
        return ClipAnalysis(result)
    except Exception as exc:  # a library failure on one odd clip must not stop the batch
        pending.unlink(missing_ok=True)
        log.error("A clip could not be vetted.", exc_info=exc)  # the detail, for IT support; never the file's name
        result.decision, result.reason = Decision.ERROR, CLIP_FAILED
        return ClipAnalysis(result)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    result.output = target
    return ClipAnalysis(result, pending, scan)


def publish_clip(store: Store, analysis: ClipAnalysis, channel: Channel, user: str, corrections: Iterable[dict] = ()) -> ClipResult:
    """Record the clip's audit entry, then (only then) put its safe copy in place."""
    result = analysis.result
    entry = clip_entry(result, channel, user, corrections)
    try:
        with store.transaction() as tx:
            result.audit_seq = tx.audit.append(entry.to_payload()).seq
    except BaseException:
        if analysis.pending is not None:
            analysis.pending.unlink(missing_ok=True)
        raise
    if analysis.pending is not None and result.output is not None:
        os.replace(analysis.pending, result.output)
    return result


def clip_analyser(encoder: FaceEncoder, settings: ClipSettings = ClipSettings()) -> ClipAnalyser:
    """An analyser with the detector tuned for frames (see CLIP_DETECTOR_SETTINGS)."""
    return ClipAnalyser(FaceDetector(CLIP_DETECTOR_SETTINGS, threads=1 if settings.parallel_rounds > 1 else None), encoder, settings)


ClipDoneCallback = Callable[[int, int, ClipResult], None]


class ClipVettingService:
    """Vets clips for a channel and records each one; the permissions are those for vetting photos."""

    def __init__(self, store: Store, channels: ChannelCatalogue, analyser: ClipAnalyser, session: Session):
        self.store = store
        self.channels = channels
        self.analyser = analyser
        self.session = session

    @requires(Action.VET, channel_arg="channel_key")
    @requires(Action.EXPORT, channel_arg="channel_key")
    def vet(self, clips: Iterable[Path], channel_key: str, out_dir: Path, register: RegisterView, today: date | None = None,
            block_hidden: bool = False, progress: Callable[[ClipProgress], None] | None = None,
            done: ClipDoneCallback | None = None, should_stop: Callable[[], bool] = lambda: False) -> list[ClipResult]:
        """Vet each clip in turn; a cancel stops after removing the clip in progress's partial copy."""
        channel = self.channels.get(channel_key)
        today = today or date.today()
        sources = list(clips)
        out_dir.mkdir(parents=True, exist_ok=True)
        results: list[ClipResult] = []
        taken: set[str] = set()
        for index, source in enumerate(sources, start=1):
            if should_stop():
                break
            target = clip_output_path(source, out_dir, taken)
            try:
                analysis = analyse_clip(source, target, channel, register, today, self.analyser, block_hidden, progress, should_stop)
            except ClipCancelled:
                break
            results.append(publish_clip(self.store, analysis, channel, self.session.initials))
            if done:
                done(index, len(sources), analysis.result)
        return results
