"""The window's one Job base: progress, result and failure arrive on the UI thread, cancel reaches the work,
and a failure's traceback is logged."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
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


# dlib imported by one job on the writes thread, then made to raise (numpy reading a dlib.vector past its end, as
# the face encoder does) by later jobs on the same thread. The first job keeps some memory, so the later jobs' Python
# thread states land at new addresses, as they do in the window between one enrolment and the next.
DLIB_ON_ONE_THREAD = textwrap.dedent("""
    import ctypes
    from PySide6.QtCore import QCoreApplication
    from rws_desktop.ui.tasks import Job, Jobs

    app, jobs, kept, results = QCoreApplication([]), Jobs(), [], []

    def first(job):
        import dlib
        kept.extend(ctypes.create_string_buffer(4000) for _ in range(50))
        return len(dlib.vector([1.0, 2.0]))

    def later(job):
        import numpy as np, dlib
        return float(np.array(dlib.vector([1.0, 2.0, 3.0])).sum())

    for work in (first, later, later):
        job = jobs.start(Job(lambda job, work=work: results.append(work(job))), jobs.writes)
        while not job.wait(0.05):
            app.processEvents()
    print(results, flush=True)
""")


def test_jobs_on_one_thread_can_use_dlib_after_an_earlier_job_imported_it():
    """The office's second enrolment froze or crashed the window in dlib's face encoder: dlib, imported by one job
    on a Qt pool thread, kept that job's Python thread state, which PySide frees when the job returns, and used it
    again in the next job on the same thread. Jobs now run on Python threads, which keep one thread state: the
    later jobs finish (in a separate process, which hung on the old pool)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    try:
        run = subprocess.run([sys.executable, "-X", "faulthandler", "-c", DLIB_ON_ONE_THREAD], capture_output=True,
                             text=True, timeout=60, env=env, cwd=Path(__file__).resolve().parents[2])
    except subprocess.TimeoutExpired:
        pytest.fail("the later jobs hung in dlib (they take about a second)")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[2, 6.0, 6.0]"


def test_one_writes_job_after_another_runs_with_the_same_python_thread_state(qtbot):
    """Two jobs on the writes pool run on one thread with one Python thread state (what dlib relies on)."""
    import ctypes

    ctypes.pythonapi.PyThreadState_Get.restype = ctypes.c_void_p
    jobs = Jobs()
    seen = []
    for count in (1, 2):
        jobs.run(lambda: (threading.get_ident(), ctypes.pythonapi.PyThreadState_Get()), seen.append, seen.append,
                 jobs.writes)
        qtbot.waitUntil(lambda: len(seen) == count, timeout=10_000)
        ctypes.create_string_buffer(4000)  # noqa: B018 (memory churn between the jobs)
    assert len(seen) == 2 and seen[0] == seen[1]
