"""Analysing a batch on every core.

dlib holds the GIL while it works, so threads would queue behind each other; worker
processes each load the detector and encoder once and analyse whole photos. Results come
back in the order the photos were given, and only a few photos are in flight at a time, so
memory stays bounded however long the batch. Workers are started with "spawn", which is
safe beside Qt and the same on Windows, macOS and Linux. Reference encodings reach workers
through the pool's pipe, never a file.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from ..kernel.channels import Channel
from ..faces.detection import DetectorSettings
from ..faces.matching import MatchPolicy
from .analysis import Decision, PhotoAnalyser, PhotoAnalysis, PhotoResult, RegisterSnapshot, analyse_photo

IN_FLIGHT_PER_WORKER = 2
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalysisSettings:
    """What a worker process needs to build its own analyser."""

    detector: DetectorSettings = DetectorSettings()
    policy: MatchPolicy = MatchPolicy()


# A worker peaks at about 550 MB on 12 MP photos (bench/batch_speed.py); three of them and the
# window stay under the 2 GB a school laptop can spare, whatever the number of cores.
MAX_DEFAULT_WORKERS = 3


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def analyse_batch(
    sources: list[Path], channel: Channel, register: RegisterSnapshot, today: date, block_hidden: bool,
    analyser: PhotoAnalyser, workers: int, should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[PhotoAnalysis]:
    """Analyses in input order; stops early (yielding nothing more) once `should_stop()` is true."""
    if workers <= 1 or len(sources) <= 1:
        for source in sources:
            if should_stop():
                return
            yield analyse_photo(source, channel, register, today, block_hidden, analyser)
        return
    settings = AnalysisSettings(analyser.detector.settings, analyser.policy)
    yield from analyse_in_processes(sources, channel, register, today, block_hidden, settings, workers, should_stop)


def analyse_in_processes(
    sources: list[Path], channel: Channel, register: RegisterSnapshot, today: date, block_hidden: bool,
    settings: AnalysisSettings, workers: int, should_stop: Callable[[], bool] = lambda: False,
    safe_copies: bool = True,
) -> Iterator[PhotoAnalysis]:
    """As analyse_batch, always in worker processes (even one). The window uses this: dlib holds
    the GIL, so analysing in the window's own process would freeze it whatever thread did the work.
    Without `safe_copies` the workers skip encoding the safe copies (the window redacts again on export)."""
    context = multiprocessing.get_context("spawn")
    initargs = (settings.detector, settings.policy, register, channel, today, block_hidden, safe_copies)
    with ProcessPoolExecutor(max(1, min(workers, len(sources))), mp_context=context,
                             initializer=_start_worker, initargs=initargs) as pool:
        waiting: deque[tuple[Path, Future]] = deque()
        queue = iter(sources)
        try:
            while True:
                while len(waiting) < workers * IN_FLIGHT_PER_WORKER and not should_stop():
                    source = next(queue, None)
                    if source is None:
                        break
                    waiting.append((source, pool.submit(_analyse_in_worker, source)))
                if not waiting:
                    return
                source, future = waiting.popleft()
                yield _outcome(source, future)
        finally:
            for _, future in waiting:
                future.cancel()


def _outcome(source: Path, future: Future) -> PhotoAnalysis:
    try:
        return future.result()
    except BrokenProcessPool:
        log.error("A worker process analysing photos stopped unexpectedly.", exc_info=True)
        raise RuntimeError("A worker analysing photos stopped unexpectedly; the rest of the batch was not vetted.") from None
    except Exception as exc:
        log.error("A photo could not be analysed in a worker process.", exc_info=exc)  # the worker's traceback too
        return PhotoAnalysis(PhotoResult(source, Decision.ERROR, f"The photo could not be analysed ({exc})."))


# One per worker process, set by _start_worker.
_worker: dict = {}


def _start_worker(detector_settings, policy, register, channel, today, block_hidden, safe_copies) -> None:
    from ..faces.centerface import limit_threads
    from ..faces.detection import FaceDetector
    from ..faces.recognition import FaceEncoder

    limit_threads(1)  # one worker per core already; more threads would only fight over them
    _worker.update(
        analyser=PhotoAnalyser(FaceDetector(detector_settings), FaceEncoder(), policy),
        register=register, channel=channel, today=today, block_hidden=block_hidden, safe_copies=safe_copies,
    )


def _analyse_in_worker(source: Path) -> PhotoAnalysis:
    w = _worker
    return analyse_photo(source, w["channel"], w["register"], w["today"], w["block_hidden"], w["analyser"], w["safe_copies"])
