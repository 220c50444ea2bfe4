"""Running work off the UI thread and bringing the result back to it.

Tasks take plain data and return plain results; they never touch widgets. The result (or the
exception) is delivered by a queued signal, so callbacks always run on the UI thread.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot


class _Relay(QObject):
    """Lives on the UI thread, so the worker's emit is queued and `deliver` runs there."""

    finished = Signal(object, object)  # result, exception

    def __init__(self, done: Callable[[Any], None], failed: Callable[[Exception], None], forget: Callable[["_Relay"], None]):
        super().__init__()
        self.done, self.failed, self.forget = done, failed, forget
        self.finished.connect(self.deliver)

    @Slot(object, object)
    def deliver(self, result, error) -> None:
        self.forget(self)
        if error is None:
            self.done(result)
        else:
            self.failed(error)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.work = work
        self.relay = relay

    def run(self) -> None:
        try:
            result, error = self.work(), None
        except Exception as exc:  # delivered to the UI thread, which explains it
            result, error = None, exc
        self.relay.finished.emit(result, error)


class TaskRunner(QObject):
    """Runs tasks on a thread pool; `writes` is a one-thread pool so writes happen in order."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.reads = QThreadPool(self)
        self.writes = QThreadPool(self)
        self.writes.setMaxThreadCount(1)
        self._relays: set[_Relay] = set()

    def run(self, work: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[Exception], None],
            pool: QThreadPool | None = None) -> None:
        relay = _Relay(done, failed, self._relays.discard)
        self._relays.add(relay)  # kept alive until the result is delivered
        (pool or self.reads).start(_Task(work, relay))

    def wait(self, msecs: int = -1) -> bool:
        return self.reads.waitForDone(msecs) and self.writes.waitForDone(msecs)


class StopFlag:
    """A cancel request shared with a worker thread."""

    def __init__(self):
        self._event = threading.Event()

    def stop(self) -> None:
        self._event.set()

    def __call__(self) -> bool:
        return self._event.is_set()


class ProgressThread(QThread):
    """Long work with progress and cancel: `work(report, should_stop)` runs on this thread; each
    `report(...)` arrives on the UI thread as `progressed`; the return value is left in `result`."""

    progressed = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable[[Callable[..., None], StopFlag], Any], parent: QObject | None = None):
        super().__init__(parent)
        self.work = work
        self.stop_requested = StopFlag()
        self.result: Any = None

    def run(self) -> None:
        try:
            self.result = self.work(lambda *args: self.progressed.emit(args), self.stop_requested)
        except Exception as exc:  # explained by the view, which keeps everything already done
            self.failed.emit(str(exc))
