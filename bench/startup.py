"""Start-up: how long `rws` takes to answer, and where the time to the first photo's result goes.

    uv run python bench/startup.py [--runs 3] [--bytecode cached|none] [--tree PATH] [--photos 12]
    uv run python bench/startup.py --quick --runs 7 --pupils 1500 --with-faces 400 [--compare /tmp/before]

Every figure is the wall time of a fresh process, as a person typing the command waits for it, in a
throwaway data folder with one account, with its CPU time beside it where that is measured (on a shared
machine the CPU time varies less than the wall time):
  rws --version, rws --help, rws channels     (commands that touch no faces: the target is 1 s)
  rws vet PHOTO                               (one 12 MP photo: start-up, sign-in, models and the photo)
  rws vet --photos 12 MP photos               (the first result line, then the whole batch)
then, in one process, the phases of `rws vet` in its own order (starting the workers, which load their
models meanwhile; imports; opening the database; signing in; reading the register; waiting for the workers;
the first photo) and, in a fresh worker-like process, what a worker spends before its first photo.

--bytecode cached (the default) runs with compiled bytecode kept in a temporary folder, as an installed
app has it (the bundle ships it; Python writes it on the first run); --bytecode none compiles every
module from source on every run, as happens where PYTHONDONTWRITEBYTECODE is set and nothing was
compiled ahead (`uv sync` does not compile unless asked). --tree runs another checkout of the app (say
`git archive main | tar -x -C /tmp/before`) with this environment, for before-and-after figures; --compare
PATH times that checkout's commands that touch no faces too, in its own data folder, the two taking turns
run by run, so that on a busy machine both meet the same moments.

--pupils N puts N made-up pupils in the register first, --with-faces M of them with biometric consent and one
reference face each (a random encoding, stored and sealed as enrolment stores it), so the start-up's
housekeeping (lapsed reference faces) has a school-sized register to look through; --quick times only the
commands that touch no faces (no vetting, no phases).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "bench"))

from batch_speed import TESTDATA, build_batch  # noqa: E402

PASSWORD = "a long bench password 123"
# The `rws` console script itself where installed: a worker process (spawned) imports the script's module
# again, so what the script imports costs every worker too.
SCRIPT = Path(sys.executable).with_name("rws.exe" if os.name == "nt" else "rws")
RWS = ([str(SCRIPT)] if SCRIPT.is_file() else
       [sys.executable, "-c", "import sys; from rws_desktop.cli import main; sys.exit(main(sys.argv[1:]))"])
# The phases of `rws vet` in one process, each printed as "phase seconds" (run by `phases`), in the order
# `rws vet` runs them: where the App takes a pool already started (App.open(worker_pool=...)), the workers are
# started first and load their models while the database is opened and the person signs in, and "wait for the
# workers" is what is left of their loading when the register has been read. The last line is the total.
PHASES = r"""
import inspect, os, sys, time
from datetime import date
from pathlib import Path
began = first = time.perf_counter()
cpu = time.process_time()
def mark(name):
    global began, cpu
    now, used = time.perf_counter(), time.process_time()
    print(f"{name}\t{now - began:.3f}\t{used - cpu:.3f}", flush=True)
    began, cpu = now, used
from rws_desktop.cli import build_parser
mark("import the command line (rws_desktop.cli)")
from rws_desktop.app import App
workers = int(sys.argv[2]) or None
early = "worker_pool" in inspect.signature(App.open).parameters
pool = None
if early:
    from rws_desktop.core.vetting.batch import WorkerPool
    from rws_desktop.core.vetting.worker_start import default_workers
    pool = WorkerPool(workers or default_workers())
    pool.warm_up()
    mark(f"start {pool.workers} worker(s) loading their models (they load from here on, in parallel)")
    app = App.open(workers=workers, worker_pool=pool)
else:
    app = App.open(workers=workers)
mark("open the database (imports, migration check, keys, housekeeping)")
app.sign_in("BEN", os.environ["RWS_PASSWORD"])
mark("sign in (password check, audit entry)")
from rws_desktop.core.vetting.analysis import RegisterSnapshot
from rws_desktop.core.vetting.batch import BatchContext, WorkerPool
register = RegisterSnapshot.load(app.database, date.today())
context = BatchContext(app.channels.get("instagram"), register, date.today(), False)
mark("read the register (vetting imports, reference faces)")
pool = pool or getattr(app, "worker_pool", None) or WorkerPool(app.workers)  # (an App from before it kept one)
pool.start()
mark(f"wait for the {pool.workers} worker(s) to finish loading their models" if early else
     f"start {pool.workers} worker(s) and load their models")
events = pool.analyse([Path(sys.argv[1])], context)
for event in events:
    if type(event).__name__ in ("PhotoAnalysed", "PhotoFailed"):
        mark("analyse the first photo in a warm worker (decode, detect, encode, blur, safe copy)")
print(f"total: the first photo's result (CPU: this process only)\t{time.perf_counter() - first:.3f}\t{time.process_time():.3f}", flush=True)
pool.close()
app.close()
"""
# What a worker spends before its first photo, in a fresh process with one thread, as a worker runs
# (core/vetting/batch.py set_up_worker; older trees built the analyser through face_recognition).
WORKER = r"""
import time
began = time.perf_counter()
cpu = time.process_time()
def mark(name):
    global began, cpu
    now, used = time.perf_counter(), time.process_time()
    print(f"{name}\t{now - began:.3f}\t{used - cpu:.3f}", flush=True)
    began, cpu = now, used
import rws_desktop.cli
mark("worker: import rws_desktop.cli again (spawn re-runs the rws script's imports)")
import rws_desktop.core.vetting.batch as batch
mark("worker: import the vetting pipeline (numpy, Pillow)")
from rws_desktop.core.faces.centerface import limit_threads
limit_threads(1)
import onnxruntime
mark("worker: import ONNX Runtime")
from rws_desktop.core.faces.detection import FaceDetector
detector = FaceDetector(batch.AnalysisSettings().detector)
mark("worker: the CenterFace network (ONNX session, one thread)")
import dlib
mark("worker: import dlib")
from rws_desktop.core.faces.recognition import FaceEncoder
encoder = FaceEncoder()
mark("worker: dlib's 5-point landmark model and face encoder")
"""

# A register of made-up pupils (argv: pupils, with faces), written through the repositories in one transaction
# with the audit entries the register's services write for the same changes; every pupil is 11 to 16, so no
# biometric consent lapses and each start's housekeeping reads everything and deletes nothing.
REGISTER = r"""
import os, sys, hashlib
from datetime import date
import numpy as np
from rws_desktop.app import App
from rws_desktop.core.kernel.audit_entries import audit_entry
from rws_desktop.core.kernel.consent import BiometricConsent
from rws_desktop.core.kernel.ports import NewPerson
pupils, with_faces = int(sys.argv[1]), int(sys.argv[2])
today = date.today()
rng = np.random.default_rng(7)
app = App.open()
with app.database.transaction() as tx:
    for number in range(pupils):
        year = 7 + number % 5
        born = date(today.year - year - 5, 1 + number % 12, 1 + number % 28)
        person = tx.register.add_person(NewPerson(f"Pupil {number + 1:04d}", mis_id=f"B{number + 1:05d}",
                                                  year_group=year, form=f"{year}A", date_of_birth=born))
        tx.audit.append(audit_entry("person_added", "BEN", person_id=person.id, person_kind=person.kind.value))
        if number < with_faces:
            tx.register.put_biometric_consent(BiometricConsent(person.id, parent_consent=True))
            tx.audit.append(audit_entry("biometric_consent_set", "BEN", person_id=person.id, valid=True,
                                        answers={"parent_consent": True}, reference_faces_deleted=0))
            sha = hashlib.sha256(f"bench {number}".encode()).hexdigest()
            face = tx.register.add_reference_face(person.id, rng.uniform(-0.2, 0.2, 128), sha, today)
            tx.audit.append(audit_entry("reference_face_added", "BEN", person_id=person.id, reference_id=face,
                                        source_sha256=sha))
    faces = tx.register.reference_face_counts()
app.close()
print(f"{pupils} pupils, {len(faces)} with reference faces")
"""

# The start-up's housekeeping (lapsed reference faces) alone, as App.open runs it in a fresh process: seconds.
HOUSEKEEPING = r"""
import time
from rws_desktop.core.register.service import RegisterService
purge = RegisterService.purge_lapsed_reference_faces
def timed_purge(self, today):
    started = time.perf_counter()
    try:
        return purge(self, today)
    finally:
        print(time.perf_counter() - started)
RegisterService.purge_lapsed_reference_faces = timed_purge
from rws_desktop.app import App
App.open().close()
"""


def environment(data: Path, bytecode: str, cache: Path, tree: Path | None) -> dict[str, str]:
    env = dict(os.environ, RWS_DATA_DIR=str(data), RWS_PASSWORD=PASSWORD, RWS_NEW_PASSWORD=PASSWORD, RWS_USER="BEN")
    env.pop("RWS_DB", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    if bytecode == "cached":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # and the cache folder stays empty: every module compiles from source
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), env.get("PYTHONPATH")]))
    return env


def rws(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([*RWS, *args], env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"rws {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def timed(envs: list[dict[str, str]], args: list[str], runs: int) -> list[tuple[list[float], list[float]]]:
    """For each environment, wall seconds of each run and CPU seconds (user and system), which a busy machine
    inflates less. The environments take turns run by run, so a busy spell slows each of them alike."""
    figures = [([], []) for _ in envs]
    for _ in range(runs):
        for env, (times, cpu) in zip(envs, figures):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            rws(env, *args)
            times.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return figures


def first_result(env: dict[str, str], args: list[str]) -> tuple[float, float]:
    """Seconds to the first "[1/N]" line `rws vet` prints, and to its end."""
    started = time.perf_counter()
    process = subprocess.Popen([*RWS, *args], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    first = None
    for line in process.stderr:
        if first is None and line.startswith("["):
            first = time.perf_counter() - started
    if process.wait() != 0:
        sys.exit(f"rws {' '.join(args)} failed")
    return (first if first is not None else float("nan")), time.perf_counter() - started


def phases(env: dict[str, str], script: str, *args: str, raw: bool = False) -> list[tuple[str, float]] | str:
    # Run from the data folder, not this checkout: `python -c` puts the working folder first on the path, and
    # from the repository it would import this checkout's app instead of --tree's.
    result = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True,
                            cwd=env["RWS_DATA_DIR"])
    if result.returncode != 0:
        sys.exit(f"The phase run failed:\n{result.stderr}")
    if raw:
        return result.stdout
    return [(name, float(wall), float(cpu)) for name, wall, cpu in (line.split("\t") for line in result.stdout.splitlines())]


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"


def prepared(folder: Path, args, tree: Path | None) -> dict[str, str]:
    """A data folder with one account (and the register asked for), and the environment that runs `tree` on it."""
    env = environment(folder / "data", args.bytecode, folder / "bytecode", tree)
    rws(env, "init", "--admin", "BEN", "--name", "Bench Person")
    rws(env, "user", "roles", "BEN", "--role", "admin", "--role", "comms")
    if args.pupils:
        print(phases(env, REGISTER, str(args.pupils), str(min(args.with_faces, args.pupils)), raw=True).strip())
    if args.bytecode == "cached":
        rws(env, "--help")  # writes the bytecode, as an installed app's first run does
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each quick command (the median and fastest are shown)")
    parser.add_argument("--bytecode", choices=["cached", "none"], default="cached")
    parser.add_argument("--tree", type=Path, default=None, help="another checkout of the app to time instead")
    parser.add_argument("--compare", type=Path, default=None,
                        help="another checkout whose quick commands are timed too, run for run in turn with these")
    parser.add_argument("--photos", type=int, default=12, help="photos in the batch (1: no batch)")
    parser.add_argument("--no-phases", action="store_true", help="skip the phase-by-phase breakdown")
    parser.add_argument("--workers", type=int, default=None, help="as rws vet --workers (default: rws's own)")
    parser.add_argument("--pupils", type=int, default=0, help="made-up pupils put in the register first")
    parser.add_argument("--with-faces", type=int, default=0, help="of them, how many hold a reference face")
    parser.add_argument("--quick", action="store_true", help="only the commands that touch no faces")
    args = parser.parse_args()
    # Absolute: the phase runs start in the data folder, where a relative path would name nothing.
    args.tree, args.compare = (path.resolve() if path else None for path in (args.tree, args.compare))
    if not args.quick and not (TESTDATA / "annotated").is_dir():
        sys.exit(f"The shared test photos are not at {TESTDATA} (set RWS_TESTDATA).")

    folder = Path(tempfile.mkdtemp(prefix="rws-startup-"))
    try:
        trees = [args.tree] + ([args.compare] if args.compare else [])
        names = ["", " [compared]"] if args.compare else [""]
        print(f"app: {args.tree or REPO_ROOT}" + (f"; compared with: {args.compare}" if args.compare else "")
              + f"; bytecode: {args.bytecode}; load average before: {load_average()}")
        envs = [prepared(folder / f"app{number}", args, tree) for number, tree in enumerate(trees)]

        print(f"{'command':<40}{'median s':>10}{'fastest s':>11}{'median CPU s':>14}")
        for label, command in (("rws --version", ["--version"]), ("rws --help", ["--help"]),
                               ("rws channels", ["channels"])):
            for name, (times, cpu) in zip(names, timed(envs, command, args.runs)):
                print(f"{label + name:<40}{statistics.median(times):>10.2f}{min(times):>11.2f}"
                      f"{statistics.median(cpu):>14.2f}")
        if args.pupils:
            seconds = [[float(phases(env, HOUSEKEEPING, raw=True)) for env in envs] for _ in range(args.runs)]
            for name, column in zip(names, zip(*seconds)):
                print(f"{'  of which the housekeeping' + name:<40}{statistics.median(column):>10.2f}{min(column):>11.2f}")
        if not args.quick:
            vet_figures(envs[0], args, folder)
        print(f"load average after: {load_average()} (other work on the machine slows every figure)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def vet_figures(env: dict[str, str], args, folder: Path) -> None:
    """`rws vet` of one photo and of the batch, then the phase-by-phase breakdown."""
    workers = ["--workers", str(args.workers)] if args.workers else []
    photos = build_batch(max(args.photos, 1), folder / "photos")
    out = folder / "out"
    first, total = first_result(env, ["vet", str(photos[0]), "--channel", "instagram", "--out", str(out / "one")])
    print(f"{'rws vet, one 12 MP photo':<40}{total:>10.2f}{'':>11}  (result line at {first:.2f} s)")
    if args.photos > 1:
        first, total = first_result(env, ["vet", *map(str, photos), "--channel", "instagram", *workers,
                                          "--out", str(out / "batch")])
        print(f"{f'rws vet, {len(photos)} photos of 12 MP':<40}{total:>10.2f}{'':>11}  (first result at {first:.2f} s)")

    if not args.no_phases:
        print("\nWhere the time to the first result goes (one process, phase by phase):")
        steps = phases(env, PHASES, str(photos[0]), str(args.workers or 0))
        steps += phases(env, WORKER)
        print("    wall s   CPU s")
        for name, seconds, cpu in steps:
            print(f"  {seconds:>8.2f}{cpu:>8.2f}  {name}")


if __name__ == "__main__":
    main()
