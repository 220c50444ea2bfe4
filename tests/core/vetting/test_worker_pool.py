"""The one vetting road in worker processes: events in order, a warm pool serving several batches, a worker
that dies ending the batch with its photos marked as errors, and workers that die with their parent."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from unittest.mock import MagicMock

import pytest
from PIL import Image

from rws_desktop.core.faces.matching import Gallery
from rws_desktop.core.kernel.channels import ChannelCatalogue
from rws_desktop.core.kernel.decisions import Decision
from rws_desktop.core.vetting.analysis import RegisterSnapshot
from rws_desktop.core.vetting.batch import (BATCH_STOPPED, WORKER_DIED, WORKERS_DID_NOT_START, AnalysisSettings,
                                            BatchContext, WorkerPool)
from rws_desktop.core.vetting.events import BatchFinished, BatchStarted, PhotoAnalysed, PhotoFailed, PhotoStarted
from rws_desktop.core.vetting.service import VettingService
from rws_desktop.paths import channels_file

from rws_cli import ensure_staff
from sessions import TEST_PASSWORD
from worker_doubles import DYING_SIDE, LOAD_GATE_VARIABLE, faceless_analyser, gated_analyser, refusing_to_start

EMPTY_REGISTER = RegisterSnapshot(people={}, consents={}, gallery=Gallery({}))


def photos(folder: Path, names: list[str]) -> list[Path]:
    """Synthetic photos; a name starting with "dies" makes one the test analyser's worker dies on."""
    folder.mkdir(exist_ok=True)
    paths = []
    for name in names:
        side = DYING_SIDE if name.startswith("dies") else 64
        Image.new("RGB", (side, side), "white").save(folder / name)
        paths.append(folder / name)
    return paths


@pytest.fixture(scope="module")
def channels():
    return ChannelCatalogue.from_toml(channels_file())


@pytest.fixture(scope="module")
def warm_pool():
    """Two workers started once for the tests that need no fresh pool (starting one takes seconds)."""
    pool = WorkerPool(2, AnalysisSettings(build_analyser=faceless_analyser))
    pool.start()
    yield pool
    pool.close()


def service(channels, workers: int, build=faceless_analyser, pool: WorkerPool | None = None) -> VettingService:
    """A VettingService whose session may do anything, always in worker processes (the window's way), built by
    `build`, or those of `pool`."""
    vetting = VettingService(MagicMock(), channels, MagicMock(), MagicMock(), workers, AnalysisSettings(build_analyser=build))
    vetting.workers = pool or vetting.workers
    vetting.keep_workers("instagram", start_now=False)
    return vetting


def run(vetting: VettingService, sources: list[Path], **options) -> list:
    return list(vetting.vet_batch(sources, "instagram", date.today(), register=EMPTY_REGISTER, **options))


def test_a_batch_reports_started_analysed_and_finished_in_order(channels, warm_pool, tmp_path):
    """Events: the batch started (models already loaded), each photo started before its result, results in the
    order given with their safe copies, then finished with every photo done."""
    sources = photos(tmp_path, [f"p{n}.png" for n in range(5)])
    events = run(service(channels, 2, pool=warm_pool), sources)
    assert events[0] == BatchStarted(5, loading_models=False)
    assert events[-1] == BatchFinished(5, 5)
    results = [e for e in events if isinstance(e, PhotoAnalysed)]
    assert [e.index for e in results] == [0, 1, 2, 3, 4]
    assert [e.result.source for e in results] == sources
    assert all(e.result.decision is Decision.APPROVED and e.safe_copy.verified for e in results)
    for result in results:
        started = events.index(PhotoStarted(result.index))
        assert started < events.index(result)


def test_the_first_photo_goes_alone_and_then_every_worker_takes_photos_before_its_result_is_handed_on(
        channels, warm_pool, tmp_path, monkeypatch):
    """A batch's first photo is handed out alone, marked so (its worker makes its network runs in parallel, having
    every core): the second photo goes out only once the first one's analysis is done. Then the pool fills every
    worker's places (two each) before it hands the first result on, so no worker waits while the caller saves it.
    Only the last photo is marked alone besides (the other workers run dry while it is checked); those between
    share the machine and are not."""
    sources = photos(tmp_path, [f"p{n}.png" for n in range(8)])
    handed_out = []  # for each photo handed out: which of those before it were done at that moment
    submit = warm_pool._pool.submit

    def recording_submit(work, batch, source, alone):
        handed_out.append((source, [future.done() for _source, future in handed_out_futures]))
        marked_alone.append(alone)
        future = submit(work, batch, source, alone)
        handed_out_futures.append((source, future))
        return future
    handed_out_futures: list = []
    marked_alone: list[bool] = []
    monkeypatch.setattr(warm_pool._pool, "submit", recording_submit)
    context = BatchContext(channels.get("instagram"), EMPTY_REGISTER, date.today(), False)
    events = list(warm_pool.analyse(sources, context))
    assert [source for source, _done in handed_out] == sources
    assert handed_out[0][1] == [] and handed_out[1][1] == [True]  # the second went out after the first was done
    assert marked_alone == [True] + [False] * 6 + [True]
    first_result = next(i for i, e in enumerate(events) if isinstance(e, PhotoAnalysed))
    started_before = {e.index for e in events[:first_result] if isinstance(e, PhotoStarted)}
    assert started_before == set(range(1 + 2 * warm_pool.workers))  # the first, then two places a worker


def test_a_worker_that_dies_marks_its_photos_as_errors_and_nothing_restarts(channels, tmp_path):
    """The worker dies on the third photo: the two before it keep their verdicts, the photos in flight become
    errors with a plain reason, the batch finishes saying why, photos not reached get no event, and the
    worker processes are not started again."""
    sources = photos(tmp_path, ["a.png", "b.png", "dies.png", "c.png"] + [f"later{n}.png" for n in range(6)])
    vetting = service(channels, 1)
    events = run(vetting, sources)
    assert events[0] == BatchStarted(len(sources), loading_models=True)
    analysed = [e.result.source.name for e in events if isinstance(e, PhotoAnalysed)]
    failed = [e for e in events if isinstance(e, PhotoFailed)]
    assert analysed == ["a.png", "b.png"]
    assert failed and failed[0].result.source.name == "dies.png"
    assert all(e.result.decision is Decision.ERROR and e.result.reason == WORKER_DIED for e in failed)
    assert "stopped unexpectedly" in WORKER_DIED and "not vetted" in WORKER_DIED
    finished = events[-1]
    assert isinstance(finished, BatchFinished) and finished.problem == BATCH_STOPPED
    assert finished.done == len(analysed) + len(failed) < len(sources)
    reported = {e.index for e in events if isinstance(e, (PhotoAnalysed, PhotoFailed))}
    assert "later5.png" not in {sources[i].name for i in reported}
    assert not vetting.workers.started  # nothing restarted on its own
    vetting.workers.close()


def test_workers_that_cannot_load_the_models_end_the_batch_once_with_a_reason(channels, tmp_path):
    """If every worker fails while loading (a bundle missing a file), the batch ends at once, saying so;
    no photo is marked, and nothing retries."""
    vetting = service(channels, 2, build=refusing_to_start)
    events = run(vetting, photos(tmp_path, ["a.png", "b.png"]))
    assert [type(e) for e in events] == [BatchStarted, BatchFinished]
    assert events[-1].problem == WORKERS_DID_NOT_START and events[-1].done == 0
    assert not vetting.workers.started


def test_warming_up_returns_while_the_models_load_and_the_first_batch_waits_for_them(channels, tmp_path, monkeypatch):
    """`warm_up` (the window at sign-in, `rws vet` before reading the register) spawns the workers and returns while
    they are still loading their models; `started` says so. A batch then waits for the same workers, finds them
    loaded, and starts no others."""
    gate = tmp_path / "models loaded"
    monkeypatch.setenv(LOAD_GATE_VARIABLE, str(gate))
    pool = WorkerPool(1, AnalysisSettings(build_analyser=gated_analyser))
    try:
        pool.warm_up()
        assert pool.warming and not pool.started  # returned although the worker cannot have loaded yet
        workers = set(pool._pool._processes)
        assert len(workers) == 1  # spawned now, not at the first photo
        gate.touch()
        pool.start()
        assert pool.started
        events = run(service(channels, 1, pool=pool), photos(tmp_path, ["a.png", "b.png"]))
        assert events[0] == BatchStarted(2, loading_models=False)
        assert [e.result.decision for e in events if isinstance(e, PhotoAnalysed)] == [Decision.APPROVED] * 2
        assert set(pool._pool._processes) == workers
    finally:
        pool.close()
    assert not pool.warming and not pool.started


def test_closing_a_pool_still_loading_its_models_stops_the_workers_without_waiting_for_the_load(tmp_path, monkeypatch):
    """`rws vet` starts the workers before sign-in; if the command ends first (a wrong password, a path not found),
    closing the pool stops workers that are still loading their models instead of waiting for the load (here a
    load that would last a minute: the gate is never opened)."""
    monkeypatch.setenv(LOAD_GATE_VARIABLE, str(tmp_path / "never opened"))
    pool = WorkerPool(2, AnalysisSettings(build_analyser=gated_analyser))
    pool.warm_up()
    workers = list(pool._pool._processes.values())
    assert len(workers) == 2 and not pool.started
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 30  # the gated load alone lasts 60 s
    assert not pool.warming
    assert all(not worker.is_alive() for worker in workers)


def test_a_warm_pool_serves_batches_for_different_channels_with_the_same_workers(channels, warm_pool, tmp_path):
    """Kept warm, the workers start once; each batch is analysed against its own channel (Instagram approves,
    a channel not live blocks), and the same processes answer every batch."""
    sources = photos(tmp_path, ["a.png", "b.png", "c.png"])
    first = set(warm_pool._pool._processes)
    live = BatchContext(channels.get("instagram"), EMPTY_REGISTER, date.today(), False)
    closed = BatchContext(channels.get("geography-instagram"), EMPTY_REGISTER, date.today(), False)
    for context, decision in ((live, Decision.APPROVED), (closed, Decision.BLOCKED), (live, Decision.APPROVED)):
        results = [e.result for e in warm_pool.analyse(sources, context) if isinstance(e, PhotoAnalysed)]
        assert [r.decision for r in results] == [decision] * 3
    assert set(warm_pool._pool._processes) == first


def test_cancelling_stops_handing_out_photos(channels, warm_pool, tmp_path):
    """Once asked to stop, no photo is started or reported any more, and the batch says it was cancelled."""
    sources = photos(tmp_path, [f"p{n}.png" for n in range(12)])
    stop = {"now": False}
    events = []
    for event in service(channels, 2, pool=warm_pool).vet_batch(sources, "instagram", date.today(), should_stop=lambda: stop["now"],
                                                register=EMPTY_REGISTER):
        events.append(event)
        if isinstance(event, PhotoAnalysed):
            stop["now"] = True
    finished = events[-1]
    assert isinstance(finished, BatchFinished) and finished.cancelled and finished.done < 12
    assert not any(isinstance(e, (PhotoAnalysed, PhotoStarted)) for e in events[events.index(next(
        e for e in events if isinstance(e, PhotoAnalysed))) + 1:])


def children(pid: int) -> set[int]:
    """Processes whose parent is `pid`, from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def worker_processes(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            if "spawn_main" in (Path("/proc") / str(pid) / "cmdline").read_bytes().decode(errors="replace"):
                alive.add(pid)
        except OSError:
            continue
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds worker processes through /proc (Linux)")
def test_workers_exit_when_rws_vet_is_killed(testdata, tmp_path):
    """kill -9 of `rws vet` in the middle of a batch: its worker processes are gone within a few seconds."""
    db = tmp_path / "rws.sqlite3"
    ensure_staff(db)
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in range(30):
        (folder / f"photo{n:02}.jpg").write_bytes((testdata / "photos/two_people.jpg").read_bytes())
    environment = {**os.environ, "RWS_PASSWORD": TEST_PASSWORD, "RWS_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-c", "import sys; from rws_desktop.cli import main; sys.exit(main(sys.argv[1:]))",
               "--db", f"sqlite:///{db}", "--user", "TST", "vet", str(folder), "--channel", "instagram",
               "--out", str(tmp_path / "out"), "--workers", "2"]
    vet = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in vet.stderr:  # the first result: the workers are up, with models loaded, in mid-batch
            if line.startswith("[1/"):
                break
        workers = worker_processes(children(vet.pid))
        assert len(workers) == 2, "rws vet did not run two worker processes"
        vet.send_signal(signal.SIGKILL)
        vet.wait()
        deadline = time.monotonic() + 5
        while worker_processes(workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker_processes(workers) == set(), "worker processes outlived rws vet"
    finally:
        if vet.poll() is None:
            vet.kill()


def test_a_worker_asks_to_end_with_its_parent_before_importing_the_engine():
    """The pool's initializer lives in a module of the standard library alone, so a spawned worker makes its
    exit-with-parent request before numpy, OpenCV or dlib load (seconds on a busy machine)."""
    import subprocess
    import sys

    code = ("import sys, rws_desktop.core.vetting.worker_start as w; "
            "print(sorted(m for m in ('numpy', 'cv2', 'dlib', 'face_recognition', 'PIL') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
