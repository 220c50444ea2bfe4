"""Vetting a post's photos and clips for `rws post`, so the log never names a file that was not kept.

Each photo and clip is analysed first, its safe copy held back (a photo's in memory, a clip's as a
`.part` file) without an audit entry. Only once the post's decision is known is each one recorded:
- ready: with its safe copy, which goes into the posting pack under the name its entry gives;
- blocked: with no output (`output_name` null) and an `origin` saying the post was blocked, so no
  entry names a file that was then deleted.
Every file is still recorded either way (what was found in it and what was decided), as `rws vet`
records it. If writing the pack fails after the entries with outputs were recorded, a `post_not_written`
entry says which of them were discarded (best effort: the failure may be the database itself).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from ..clips.pipeline import ClipAnalyser, ClipProgress
from ..clips.results import ClipResult, clip_entry
from ..clips.service import analyse_clip, clip_output_path
from ..kernel.audit_entries import PhotoVetted, audit_entry
from ..kernel.channels import Channel
from ..kernel.ports import Store
from ..vetting.analysis import PhotoResult, RegisterSnapshot
from ..vetting.events import PhotoAnalysed, PhotoFailed, VettingEvent
from ..vetting.publishing import output_path, publish, record, vetted_entry
from ..vetting.service import VettingService
from .media import PostMedia

BLOCKED_ORIGIN = "rws post: the post was blocked, so no safe copy was kept"
NOT_WRITTEN = "post_not_written"


@dataclass
class HeldBack:
    """One photo or clip analysed for a post, its safe copy not yet recorded or kept."""

    result: PostMedia
    jpeg: bytes | None = None  # a photo's safe copy
    clip_part: Path | None = None  # a clip's safe copy, written as `<name>.part`
    target: Path | None = None  # where the safe copy goes once recorded (in the staging folder)


def analyse_media(vetting: VettingService, clip_analyser: ClipAnalyser | None, photos: list[Path], clips: list[Path],
                  channel: Channel, staging: Path, today: date, progress: Callable[[VettingEvent], None] | None = None,
                  clip_progress: Callable[[ClipProgress], None] | None = None) -> list[HeldBack]:
    """Analyse every photo, then every clip, against one register snapshot; record nothing."""
    register = RegisterSnapshot.load(vetting.store, today)
    held: list[HeldBack] = []
    taken: set[str] = set()
    if photos:
        for event in vetting.vet_batch(photos, channel.key, today, register=register):
            if isinstance(event, PhotoAnalysed):
                result = event.result
                if event.safe_copy is not None:
                    result.output_sha256 = event.safe_copy.sha256
                    held.append(HeldBack(result, event.safe_copy.jpeg, target=output_path(result.source, staging, taken)))
                else:
                    held.append(HeldBack(result))
            elif isinstance(event, PhotoFailed):
                held.append(HeldBack(event.result))
            if progress:
                progress(event)
    if clips and clip_analyser is None:
        raise ValueError("clips need a clip analyser")
    for source in clips:
        target = clip_output_path(source, staging, taken)
        analysis = analyse_clip(source, target, channel, register, today, clip_analyser, progress=clip_progress)
        result = analysis.result
        result.output = None  # not kept until recorded
        held.append(HeldBack(result, clip_part=analysis.pending, target=target if analysis.pending else None))
    return held


def record_kept(store: Store, held: list[HeldBack], channel: Channel, user: str, pack_name: str) -> None:
    """A ready post: record each file with its safe copy, then put the copy in place for the pack."""
    origin = f"rws post: in the posting pack {pack_name}"
    for item in held:
        result = item.result
        if isinstance(result, ClipResult):
            result.output = item.target if item.clip_part is not None else None
            result.audit_seq = record(store, clip_entry(result, channel, user, origin=origin))
            if item.clip_part is not None:
                os.replace(item.clip_part, item.target)
        elif item.jpeg is not None:
            result.output = item.target
            result.audit_seq = publish(store, item.jpeg, item.target,
                                       vetted_entry(result, channel, user, result.decision, result.reason, result.faces,
                                                    origin=origin))
        else:
            result.audit_seq = record(store, _photo_entry(result, channel, user, origin))


def record_blocked(store: Store, held: list[HeldBack], channel: Channel, user: str) -> None:
    """A blocked post: record each file's decision with no output, and drop its safe copy."""
    for item in held:
        result = item.result
        if item.clip_part is not None:
            item.clip_part.unlink(missing_ok=True)
        result.output = None
        result.output_sha256 = None
        if isinstance(result, ClipResult):
            result.audit_seq = record(store, clip_entry(result, channel, user, origin=BLOCKED_ORIGIN))
        else:
            result.audit_seq = record(store, _photo_entry(result, channel, user, BLOCKED_ORIGIN))


def record_not_written(store: Store, media: list[PostMedia], channel: Channel, user: str, pack_name: str, why: str) -> None:
    """After a failure between recording the files (with their copies) and naming the pack: say which
    recorded copies were discarded. Best effort: a failure here is swallowed so the first one is what the
    person sees. Also used by the window, whose export records each copy before the pack is written."""
    discarded = [{"audit_seq": result.audit_seq, "output_name": result.output.name}
                 for result in media if result.audit_seq is not None and result.output is not None]
    if not discarded:
        return
    try:
        record(store, audit_entry(NOT_WRITTEN, user, channel=channel.key, pack=pack_name, discarded=discarded,
                                  reason=why))
    except Exception:  # noqa: BLE001 - the original failure is the one to report
        pass


def discard(held: list[HeldBack]) -> None:
    for item in held:
        if item.clip_part is not None:
            item.clip_part.unlink(missing_ok=True)


def _photo_entry(result: PhotoResult, channel: Channel, user: str, origin: str) -> PhotoVetted:
    return vetted_entry(result, channel, user, result.decision, result.reason, result.faces, origin=origin)
