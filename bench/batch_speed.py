"""Batch speed: the project's pipeline against the plain face_recognition pipeline on 12 MP photos.

    uv run python bench/batch_speed.py [--photos 50] [--workers 2] [--out bench/out/batch]

Builds a batch of 12-megapixel collages (4000x3000, four shared test photos enlarged into a 2x2
grid each), then runs, in the same process tree:
  plain  load_image_file, face_locations(number_of_times_to_upsample=1), face_encodings; one process
  ours   the app's pipeline (analyse_batch) with nobody consenting, on `--workers` processes
and prints photos per second for each, their ratio, faces found by each, how many of the plain
pipeline's faces ours also blurred, and the peak memory of each run (the process and its workers).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from PIL import Image  # noqa: E402

from rws_desktop.core.vetting.batch import analyse_batch, default_workers  # noqa: E402
from rws_desktop.core.kernel.channels import ChannelCatalogue  # noqa: E402
from rws_desktop.core.faces.detection import FaceDetector  # noqa: E402
from rws_desktop.core.faces.matching import Gallery  # noqa: E402
from rws_desktop.core.faces.recognition import FaceEncoder  # noqa: E402
from rws_desktop.core.vetting.analysis import Action, PhotoAnalyser, RegisterSnapshot  # noqa: E402
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


def run_plain(paths: list[Path]) -> tuple[float, list[list[tuple[int, int, int, int]]]]:
    import face_recognition

    started, found = time.perf_counter(), []
    for path in paths:
        image = face_recognition.load_image_file(path)
        locations = face_recognition.face_locations(image, number_of_times_to_upsample=1)
        face_recognition.face_encodings(image, locations)
        found.append(locations)
    return time.perf_counter() - started, found


def run_ours(paths: list[Path], workers: int):
    analyser = PhotoAnalyser(FaceDetector(), FaceEncoder())
    channel = ChannelCatalogue.from_toml(channels_file()).get("instagram")
    nobody = RegisterSnapshot(people={}, consents={}, gallery=Gallery({}))
    started = time.perf_counter()
    results = [a.result for a in analyse_batch(paths, channel, nobody, date.today(), False, analyser, workers)]
    return time.perf_counter() - started, results


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
                        help="skip the plain pipeline (for long batches: it takes about 6 s a photo)")
    args = parser.parse_args()
    if not (TESTDATA / "annotated").is_dir():
        sys.exit(f"The shared test photos are not at {TESTDATA} (set RWS_TESTDATA).")
    folder = args.out or Path(tempfile.mkdtemp(prefix="rws-batch-"))
    paths = build_batch(args.photos, folder)
    print(f"{len(paths)} photos of {FRAME[0]}x{FRAME[1]} in {folder}; ours on {args.workers} worker processes")
    print(f"load average before: {_load_average()}")

    with PeakMemory() as ours_memory:
        ours_seconds, ours_results = run_ours(paths, args.workers)
    if args.ours_only:
        faces = sum(len(r.faces) for r in ours_results)
        print(f"ours: {ours_seconds:.1f} s, {len(paths) / ours_seconds:.3f} photos/s, {faces} faces, "
              f"peak {ours_memory.peak / 2**20:.0f} MB; load average after: {_load_average()}")
        return
    with PeakMemory() as plain_memory:
        plain_seconds, plain_found = run_plain(paths)

    plain_faces = sum(len(found) for found in plain_found)
    ours_faces = sum(len(r.faces) for r in ours_results)
    also_blurred = sum(covered(loc, r) for found, r in zip(plain_found, ours_results) for loc in found)
    plain_rate, ours_rate = len(paths) / plain_seconds, len(paths) / ours_seconds
    print(f"{'':8}{'seconds':>10}{'photos/s':>10}{'faces':>8}{'peak MB':>10}")
    print(f"{'plain':8}{plain_seconds:>10.1f}{plain_rate:>10.3f}{plain_faces:>8}{plain_memory.peak / 2**20:>10.0f}")
    print(f"{'ours':8}{ours_seconds:>10.1f}{ours_rate:>10.3f}{ours_faces:>8}{ours_memory.peak / 2**20:>10.0f}")
    print(f"ours is {ours_rate / plain_rate:.2f} times the plain pipeline's speed")
    print(f"faces the plain pipeline found that ours also blurred: {also_blurred} of {plain_faces}")
    print(f"load average after: {_load_average()} (other work on the machine slows both runs)")


def _load_average() -> str:
    if not hasattr(os, "getloadavg"):  # Windows
        return "unknown"
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
