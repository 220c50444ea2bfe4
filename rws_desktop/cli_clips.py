"""`rws vet` for clips: the clips among the paths given are vetted after the photos, each into
`<stem>.mp4` beside the safe photos, with its own audit entry. Kept apart from cli.py so the vet
command's rewrite can call it as it is."""
from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a clip is vetted: the clip tools load PyAV
    from .core.clips.pipeline import ClipProgress
    from .core.clips.results import ClipResult

__all__ = ["split_clips", "vet_clips"]


def split_clips(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """The photos (and folders) and the clips among `paths`: core.clips.service.split_clips."""
    from .core.clips.service import split_clips as split

    return split(paths)


def vet_clips(app, clips: list[Path], channel_key: str, out_dir: Path, block_hidden: bool = False) -> list[ClipResult]:
    """Vet `clips` for the channel as the signed-in user, printing progress to stderr."""
    if not clips:
        return []
    from .core.clips.service import ClipVettingService, clip_analyser
    from .core.vetting.analysis import RegisterSnapshot

    today = date.today()
    service = ClipVettingService(app.database, app.channels, clip_analyser(app.encoder), app.signed_in())
    register = RegisterSnapshot.load(app.database, today)
    shown = {"at": 0.0}

    def progress(step: ClipProgress) -> None:
        now = time.monotonic()
        if now - shown["at"] < 5 and step.frame < step.frame_count:
            return
        shown["at"] = now
        left = "" if step.seconds_left is None else f", about {_duration(step.seconds_left)} left"
        print(f"  {step.stage}: frame {step.frame} of {step.frame_count}{left}", file=sys.stderr)

    def done(index: int, total: int, result: ClipResult) -> None:
        print(f"[clip {index}/{total}] {result.decision.value:<8} {result.source.name}: {result.reason}", file=sys.stderr)

    return service.vet(clips, channel_key, out_dir, register, today, block_hidden, progress, done)


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"
