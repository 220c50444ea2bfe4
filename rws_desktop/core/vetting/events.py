"""What vetting a batch reports as it goes, for the command line to print and the window to show.

Plain data: the window's job forwards each event to the UI thread as it is, and `rws vet` prints it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .analysis import PhotoResult
from .safe_copy import SafeCopy


@dataclass(frozen=True)
class BatchStarted:
    total: int
    loading_models: bool  # the worker processes are still loading the face models (a few seconds)


@dataclass(frozen=True)
class PhotoStarted:
    """The photo at `index` (in the order given) has gone to a worker."""

    index: int


@dataclass(frozen=True)
class PhotoAnalysed:
    index: int
    result: PhotoResult
    safe_copy: SafeCopy | None  # None when the photo may not be published (blocked)


@dataclass(frozen=True)
class PhotoFailed:
    """The photo could not be vetted (an unreadable file, a worker that died); `result` says why."""

    index: int
    result: PhotoResult


@dataclass(frozen=True)
class BatchFinished:
    done: int  # photos analysed or failed
    total: int
    cancelled: bool = False
    problem: str | None = None  # why the batch stopped early, in plain words; nothing restarts on its own


VettingEvent = Union[BatchStarted, PhotoStarted, PhotoAnalysed, PhotoFailed, BatchFinished]
