"""Work off the UI thread: one Job base for everything the window runs in the background.

A job takes plain data and returns a plain result; it never touches widgets. Whatever its work
reports arrives as `progressed`, its result as `finished` and an exception as `failed` (with the
traceback logged), always on the UI thread. `cancel()` asks the work to stop: it sees `cancelled`
become true, and stops where it is safe to.

Jobs run on Python threads, not Qt's pool threads. A Qt pool thread gets a new Python thread state for each job
(PySide makes one when the job starts and frees it when the job returns), but dlib's Python binding keeps, per
thread, the thread state it was imported with (pybind11's internals), and uses it again when an exception crosses
it: a later job on the same thread then hands Python a freed thread state, and the window hangs or crashes in the
face encoder (the office enrolling a second person's reference faces). A Python thread keeps one thread state for
its whole life, so what any extension remembers of it stays valid.
"""
from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


class Job(QObject):
    """Subclass and override `run`, or pass `work(job)`; `report(value)` from the work becomes `progressed`."""

    progressed = Signal(object)
    finished = Signal(object)  # the result
    failed = Signal(object)  # the exception, explained by the view

    _reported = Signal(object)  # emitted on the worker thread; queued to this object's (the UI) thread
    _ended = Signal(object, object)

    def __init__(self, work: Callable[["Job"], Any] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._work = work
        self._cancel = threading.Event()
        self._done = threading.Event()
        self.result: Any = None
        self._reported.connect(self.progressed)
        self._ended.connect(self._deliver)

    def run(self) -> Any:
        return self._work(self)

    def report(self, value: Any) -> None:
        self._reported.emit(value)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, seconds: float | None = None) -> bool:
        """Wait (off or on the UI thread) for the work to return; its signals still arrive through the event loop."""
        return self._done.wait(seconds)

    def execute(self) -> None:
        """Runs on a worker thread."""
        try:
            result, error = self.run(), None
        except Exception as exc:  # delivered to the UI thread, which explains it
            log.error("%s failed", type(self).__name__, exc_info=exc)
            result, error = None, exc
        self._ended.emit(result, error)
        self._done.set()

    @Slot(object, object)
    def _deliver(self, result: Any, error: Exception | None) -> None:
        self.result = result
        if error is None:
            self.finished.emit(result)
        else:
            self.failed.emit(error)


class WorkerThreads:
    """At most `threads` Python threads that run jobs in the order they are started (one thread: one at a time).
    The threads stay for the life of the pool, each with its own Python thread state throughout."""

    def __init__(self, threads: int, name: str):
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._running: set[Future] = set()

    def start(self, job: Job) -> None:
        future = self._threads.submit(job.execute)
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._running.discard(future)

    def wait(self, msecs: int = -1) -> bool:
        """Whether every job started has returned (within `msecs`, or however long it takes when negative)."""
        with self._lock:
            running = list(self._running)
        _done, not_done = wait_for(running, None if msecs < 0 else msecs / 1000)
        return not not_done

    def shutdown(self) -> None:
        """No more jobs; the threads end once the jobs already started have returned."""
        self._threads.shutdown(wait=False)


class Jobs(QObject):
    """Where jobs run: `reads` in parallel, `writes` one at a time and in order, `long` for work that
    takes minutes (a batch, an export, the chain check) so quick reads never wait behind it."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.reads = WorkerThreads(max(2, os.cpu_count() or 2), "reads")
        self.writes = WorkerThreads(1, "writes")
        self.long = WorkerThreads(8, "long")
        self._running: set[Job] = set()  # kept alive until their result is delivered
        pools = (self.reads, self.writes, self.long)
        self.destroyed.connect(lambda *_: [pool.shutdown() for pool in pools])

    def start(self, job: Job, pool: WorkerThreads | None = None) -> Job:
        self._running.add(job)
        job.finished.connect(lambda _result: self._running.discard(job))
        job.failed.connect(lambda _error: self._running.discard(job))
        (pool or self.reads).start(job)
        return job

    def run(self, work: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[Exception], None],
            pool: WorkerThreads | None = None) -> Job:
        """One piece of work with no progress: `done(result)` or `failed(exception)` on the UI thread."""
        job = Job(lambda _job: work())
        job.finished.connect(done)
        job.failed.connect(failed)
        return self.start(job, pool)

    def cancel_all(self) -> None:
        for job in list(self._running):
            job.cancel()

    def wait(self, msecs: int = -1) -> bool:
        return all(pool.wait(msecs) for pool in (self.reads, self.writes, self.long))
