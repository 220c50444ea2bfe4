"""The one place the admin screens and the setup assistant start work off the UI thread.

It runs on ui/tasks.py's Jobs (writes in order on its one-thread pool), the one job pattern
the window uses; only this module knows it.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from ..tasks import Jobs


class Background(QObject):
    """Runs plain work (no widgets) in order, one piece at a time, and calls back on the UI thread."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._runner = Jobs(self)
        self._running = 0

    @property
    def busy(self) -> bool:
        return self._running > 0

    def run(self, work: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[Exception], None]) -> None:
        self._started()

        def finish(result: Any) -> None:
            self._finished()
            done(result)

        def fail(error: Exception) -> None:
            self._finished()
            failed(error)

        self._runner.run(work, finish, fail, self._runner.writes)

    def wait(self, msecs: int = -1) -> bool:
        return self._runner.wait(msecs)

    def _started(self) -> None:
        self._running += 1
        if self._running == 1:
            self.busy_changed.emit(True)

    def _finished(self) -> None:
        self._running -= 1
        if self._running == 0:
            self.busy_changed.emit(False)
