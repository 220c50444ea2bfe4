"""Analysing a batch on every core.

dlib holds the GIL while it works, so threads would queue behind each other; worker
processes each load the detector and encoder once and analyse whole photos. Results come
back in the order the photos were given, and only a few photos are in flight at a time, so
memory stays bounded however long the batch. Workers are started with "spawn", which is
safe beside Qt and the same on Windows, macOS and Linux. Reference encodings reach workers
through the pool's pipe, never a file.

A pool can serve many batches (the window keeps one warm for the session), so each batch's
register, channel and date travel with its photos, pickled once per batch. A worker that dies
ends the batch: the photos in flight become errors with a plain reason, the pool is dropped,
and nothing starts again until someone asks. Workers exit when the process that started them
dies, so a killed `rws vet` or window leaves no worker holding half a gigabyte.
"""
from __future__ import annotations

import itertools
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import threading
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
from .analysis import ANALYSIS_FAILED, Decision, PhotoAnalyser, PhotoAnalysis, PhotoResult, RegisterSnapshot, analyse_photo
from .events import PhotoAnalysed, PhotoFailed, PhotoStarted
from .worker_start import MAX_DEFAULT_WORKERS, default_workers, start_worker  # noqa: F401  (sizes kept importable here)

log = logging.getLogger(__name__)

IN_FLIGHT_PER_WORKER = 2
# Network runs a worker makes at once on a batch's first photo, which goes to it alone (see
# WorkerPool.analyse), so it has the machine to itself: two runs bring a 12 MP photo's result in about 0.6
# of the time on two cores. The photos after it share the machine, one worker a core, so each worker makes
# its runs one at a time on them: more threads than cores only fight (a window's UI thread among them).
# Each run holds a tile's working memory (centerface.MAX_TILE_PIXELS).
NETWORK_RUNS_PER_WORKER = 2

WORKER_DIED = ("The worker process checking this photo stopped unexpectedly (it may have run out of memory), "
               "so it was not vetted.")
BATCH_STOPPED = ("A worker process stopped unexpectedly, so checking stopped. Photos it was checking are marked as "
                 "errors; photos not reached were not checked.")
WORKERS_DID_NOT_START = "The worker processes could not load the face models, so nothing was checked."


@dataclass(frozen=True)
class AnalysisSettings:
    """What a worker process needs to build its own analyser."""

    detector: DetectorSettings = DetectorSettings()
    policy: MatchPolicy = MatchPolicy()
    # Builds each worker's analyser; None builds the real one. Tests inject another (such as a worker that
    # dies); it must be a module-level function, so it can be pickled to the workers.
    build_analyser: Callable[["AnalysisSettings"], PhotoAnalyser] | None = None


@dataclass(frozen=True)
class BatchContext:
    """What every photo of one batch is analysed against."""

    channel: Channel
    register: RegisterSnapshot
    today: date
    block_hidden: bool


class WorkersStopped(Exception):
    """The worker processes stopped (one died, or they could not start); the batch ends here."""


def analysis_event(index: int, analysis: PhotoAnalysis) -> PhotoAnalysed | PhotoFailed:
    if analysis.result.decision is Decision.ERROR:
        return PhotoFailed(index, analysis.result)
    return PhotoAnalysed(index, analysis.result, analysis.safe_copy)


def analyse_in_process(sources: list[Path], context: BatchContext, analyser: PhotoAnalyser,
                       should_stop: Callable[[], bool] = lambda: False) -> Iterator[PhotoStarted | PhotoAnalysed | PhotoFailed]:
    """One photo after another in this process: quickest for one photo, or one core, from the command line."""
    for index, source in enumerate(sources):
        if should_stop():
            return
        yield PhotoStarted(index)
        yield analysis_event(index, analyse_photo(source, context.channel, context.register, context.today,
                                                  context.block_hidden, analyser))


class WorkerPool:
    """Worker processes that each load the face models once, for one batch or for a whole session."""

    def __init__(self, workers: int, settings: AnalysisSettings = AnalysisSettings()):
        self.workers = max(1, workers)
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None
        self._warming: list[Future] = []  # one small task per worker, done once the workers have loaded the models
        self._lock = threading.Lock()  # the window warms the pool on one thread and vets on another
        self._batch_ids = itertools.count(1)

    @property
    def started(self) -> bool:
        """Whether the workers are running and have loaded their models."""
        with self._lock:
            return self._pool is not None and all(_succeeded(future) for future in self._warming)

    @property
    def warming(self) -> bool:
        """Whether the workers have been started (by `warm_up` or `start`), loaded or not."""
        return self._pool is not None

    def warm_up(self) -> None:
        """Start the workers loading their models and return at once; `start` (or the first batch) waits for them.
        Call it from the main thread where possible: on Linux, workers it spawns end with the process at once."""
        with self._lock:
            self._spawn()

    def start(self) -> None:
        """Start the workers (unless `warm_up` has) and wait until each has loaded its models."""
        with self._lock:
            pool = self._spawn()
            warming = list(self._warming)
        try:
            for future in warming:
                future.result()
        except BrokenProcessPool as exc:
            with self._lock:
                if self._pool is pool:
                    self._pool, self._warming = None, []
            pool.shutdown(wait=False, cancel_futures=True)
            log.error("Worker processes did not start: %s", exc)
            raise WorkersStopped(WORKERS_DID_NOT_START) from exc

    def _spawn(self) -> ProcessPoolExecutor:
        """The running pool, or a new one whose workers are loading their models (caller holds the lock)."""
        if self._pool is None:
            # Workers are spawned here, by this thread; Linux can end them with it only if it is the main thread.
            pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=start_worker,
                                       initargs=(pickle.dumps(self.settings),
                                                 threading.current_thread() is threading.main_thread()))
            # A worker loads its models before its first task, so one small task each waits for them; submitting
            # them spawns every worker now, on this thread.
            self._warming = [pool.submit(os.getpid) for _ in range(self.workers)]
            self._pool = pool
        return self._pool

    def analyse(self, sources: list[Path], context: BatchContext, should_stop: Callable[[], bool] = lambda: False,
                ) -> Iterator[PhotoStarted | PhotoAnalysed | PhotoFailed]:
        """Events for each photo, results in input order; stops handing out photos (and yielding) once
        `should_stop()` is true. Raises WorkersStopped after marking the photos in flight as errors if a
        worker dies."""
        self.start()
        pool = self._pool
        batch = (next(self._batch_ids), pickle.dumps(context))
        waiting: deque[tuple[int, Path, Future]] = deque()
        queue = iter(enumerate(sources))
        last = len(sources) - 1

        def hand_out(room: int) -> Iterator[PhotoStarted]:
            while len(waiting) < room and not should_stop():
                index, source = next(queue, (None, None))
                if source is None:
                    return
                # The first photo goes out alone (below); the last is marked alone too: nothing is left to hand
                # out after it, so the other workers run dry while it is checked, and its parallel runs take up
                # the cores they leave.
                alone = index == 0 or (index == last and self.workers > 1)
                try:
                    waiting.append((index, source, pool.submit(_analyse_in_worker, batch, source, alone)))
                except BrokenProcessPool:
                    waiting.append((index, source, _broken()))
                yield PhotoStarted(index)

        try:
            # The first photo goes alone: its worker's network runs then have every core, and the person waiting
            # sees a result sooner. Once it is back, every worker takes photos.
            yield from hand_out(1)
            while waiting and not should_stop():
                index, source, future = waiting.popleft()
                try:
                    analysis = _outcome(source, future)
                except BrokenProcessPool:
                    yield from self._stopped([(index, source)] + [(i, s) for i, s, _f in waiting])
                    waiting.clear()
                    raise WorkersStopped(BATCH_STOPPED) from None
                # More photos go out before this result is handed on, so no worker waits while the caller
                # saves it.
                yield from hand_out(self.workers * IN_FLIGHT_PER_WORKER)
                yield analysis_event(index, analysis)
        finally:
            for _index, _source, future in waiting:
                future.cancel()

    def _stopped(self, lost: list[tuple[int, Path]]) -> Iterator[PhotoFailed]:
        log.error("A worker process died; %d photo(s) in flight were not vetted", len(lost))
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool, self._warming = None, []
        for index, source in lost:
            yield PhotoFailed(index, PhotoResult(source, Decision.ERROR, WORKER_DIED))

    def close(self) -> None:
        with self._lock:
            pool, warming, self._pool, self._warming = self._pool, self._warming, None, []
        if pool is None:
            return
        if not all(future.done() for future in warming):
            # Still loading the models (`rws vet` ended before its batch, after a wrong password, say):
            # there is nothing to finish, so stop them now rather than wait seconds for the loads to end.
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


def analyse_batch(
    sources: list[Path], channel: Channel, register: RegisterSnapshot, today: date, block_hidden: bool,
    analyser: PhotoAnalyser, workers: int, should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[PhotoAnalysis]:
    """Analyses in input order, on `workers` processes (in this one for a single worker or photo);
    stops early (yielding nothing more) once `should_stop()` is true. For benches and tests."""
    context = BatchContext(channel, register, today, block_hidden)
    if workers <= 1 or len(sources) <= 1:
        events = analyse_in_process(sources, context, analyser, should_stop)
    else:
        pool = WorkerPool(workers, AnalysisSettings(analyser.detector.settings, analyser.policy))
        events = _closing(pool, pool.analyse(sources, context, should_stop))
    for event in events:
        if isinstance(event, (PhotoAnalysed, PhotoFailed)):
            yield PhotoAnalysis(event.result, getattr(event, "safe_copy", None))


def _closing(pool: WorkerPool, events: Iterator) -> Iterator:
    try:
        yield from events
    finally:
        pool.close()


def _outcome(source: Path, future: Future) -> PhotoAnalysis:
    """The worker's analysis, or an error result for a photo the worker raised on (an odd pickling problem,
    say), logged with the worker's own traceback. A dead worker (BrokenProcessPool) is the caller's to handle."""
    try:
        return future.result()
    except BrokenProcessPool:
        raise
    except Exception as exc:
        log.error("A photo could not be analysed in a worker process.", exc_info=exc)
        return PhotoAnalysis(PhotoResult(source, Decision.ERROR, ANALYSIS_FAILED))


def _succeeded(future: Future) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _broken() -> Future:
    future: Future = Future()
    future.set_exception(BrokenProcessPool("the worker processes have stopped"))
    return future


# One per worker process, set by set_up_worker.
_worker: dict = {}


def set_up_worker(settings: AnalysisSettings) -> None:
    """A worker's models, loaded once (worker_start.start_worker calls this after its exit request)."""
    from ..faces.centerface import limit_threads

    limit_threads(1)  # each network run on one thread; a worker makes its runs in parallel only on a photo alone
    analyser = (settings.build_analyser or _build_analyser)(settings)
    in_turn = (PhotoAnalyser(analyser.detector.one_run_at_a_time(), analyser.encoder, analyser.policy)
               if isinstance(analyser, PhotoAnalyser) else analyser)
    _worker.update(alone=analyser, in_turn=in_turn, batch=None)


def _build_analyser(settings: AnalysisSettings) -> PhotoAnalyser:
    from ..faces.detection import FaceDetector
    from ..faces.recognition import FaceEncoder

    return PhotoAnalyser(FaceDetector(settings.detector, parallel_runs=NETWORK_RUNS_PER_WORKER), FaceEncoder(), settings.policy)


def _analyse_in_worker(batch: tuple[int, bytes], source: Path, alone: bool = False) -> PhotoAnalysis:
    batch_id, pickled = batch
    if _worker["batch"] is None or _worker["batch"][0] != batch_id:
        _worker["batch"] = (batch_id, pickle.loads(pickled))
    context: BatchContext = _worker["batch"][1]
    analyser = _worker["alone" if alone else "in_turn"]
    return analyse_photo(source, context.channel, context.register, context.today, context.block_hidden, analyser)
