"""The window's one Job base: progress, result and failure arrive on the UI thread, cancel reaches the work,
and a failure's traceback is logged."""
from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QThread

from rws_desktop.ui.tasks import Job, Jobs


def test_progress_and_result_arrive_on_the_ui_thread(qtbot):
    """Everything the work reports, then its result, is delivered on the UI thread, in order, while the work
    itself ran on another thread."""
    jobs = Jobs()
    ui_thread = QThread.currentThread()
    seen, threads = [], []

    def work(job: Job) -> str:
        threads.append(threading.current_thread())
        for n in range(3):
            job.report(n)
        return "done"

    job = Job(work)
    job.progressed.connect(lambda value: seen.append((value, QThread.currentThread() is ui_thread)))
    with qtbot.waitSignal(job.finished, timeout=10_000) as finished:
        jobs.start(job)
    assert seen == [(0, True), (1, True), (2, True)]
    assert finished.args == ["done"] and job.result == "done"
    assert threads and threads[0] is not threading.main_thread()
    assert jobs.wait(10_000)


def test_a_failure_is_delivered_and_its_traceback_logged(qtbot, caplog):
    """An exception in the work arrives as `failed` with the exception itself, and the log has its traceback."""
    jobs = Jobs()

    def work(job: Job):
        raise ValueError("the disk is full")

    job = Job(work)
    with caplog.at_level(logging.ERROR, logger="rws_desktop.ui.tasks"):
        with qtbot.waitSignal(job.failed, timeout=10_000) as failed:
            jobs.start(job, jobs.writes)
    assert isinstance(failed.args[0], ValueError) and str(failed.args[0]) == "the disk is full"
    assert any(record.exc_info and "the disk is full" in str(record.exc_info[1]) for record in caplog.records)
    assert "Traceback" in caplog.text


def test_cancel_reaches_the_work_and_it_stops(qtbot):
    """cancel() is seen by the work as `cancelled`; the work stops where it is and returns what it did."""
    jobs = Jobs()
    started = threading.Event()

    def work(job: Job) -> int:
        started.set()
        steps = 0
        while not job.cancelled and steps < 10_000:
            steps += 1
            threading.Event().wait(0.001)
        return steps

    job = Job(work)
    with qtbot.waitSignal(job.finished, timeout=20_000) as finished:
        jobs.start(job, jobs.long)
        assert started.wait(10)
        jobs.cancel_all()
    assert job.cancelled and finished.args[0] < 10_000


def test_run_is_one_piece_of_work_with_a_callback(qtbot):
    """Jobs.run: plain work with done and failed callbacks, as the workspaces' reads and writes use it."""
    jobs = Jobs()
    results, errors = [], []
    job = jobs.run(lambda: 6 * 7, results.append, errors.append, jobs.writes)
    qtbot.waitUntil(lambda: results == [42], timeout=10_000)
    assert errors == [] and job.wait(1)
