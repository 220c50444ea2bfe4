"""Recall benchmark: our pipeline against deface on the hand-boxed group photos and their variants.

    uv sync --group bench          # once: installs deface
    uv run --group bench python bench/detection_recall.py [--variants original enlarged_12mp] [--out bench/out]

Both tools get the same upright pixels from `load_photo` (so EXIF orientation is already applied;
deface's own CLI would not apply it). Ours runs as the app does with nobody consenting; deface runs
as its CLI does by default (CenterFace, threshold 0.2, mask scale 1.3, elliptical blur). Faces are
judged with the same measures as tests/core/test_detection_recall.py.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from rws_desktop.core.kernel.channels import ChannelCatalogue  # noqa: E402
from rws_desktop.core.faces.detection import FaceDetector  # noqa: E402
from rws_desktop.core.faces.imaging import load_photo  # noqa: E402
from rws_desktop.core.faces.matching import Gallery  # noqa: E402
from rws_desktop.core.faces.redaction import MAX_DETAIL_KEPT  # noqa: E402
from rws_desktop.core.faces.recognition import FaceEncoder  # noqa: E402
from rws_desktop.core.vetting.analysis import PhotoAnalyser, RegisterSnapshot, redact_faces  # noqa: E402
from rws_desktop.paths import channels_file  # noqa: E402
from tests.photo_variants import (  # noqa: E402
    VARIANT_NAMES, PhotoVariant, RedactionOutcome, assess_redaction, build_variants, read_imglab_boxes,
)

DEFAULT_TESTDATA = Path(os.environ.get("RWS_TESTDATA", REPO_ROOT.parent / "shared" / "testdata"))
# deface's CLI defaults.
DEFACE_THRESHOLD = 0.2
DEFACE_MASK_SCALE = 1.3


class OurPipeline:
    name = "ours"

    def __init__(self):
        self.analyser = PhotoAnalyser(FaceDetector(), FaceEncoder())
        self.channel = ChannelCatalogue.from_toml(channels_file()).get("instagram")
        self.nobody_consents = RegisterSnapshot(people={}, consents={}, gallery=Gallery({}))

    def redact(self, upright: Image.Image) -> Image.Image:
        faces = self.analyser.analyse(upright, self.channel, self.nobody_consents, date.today())
        return redact_faces(upright, faces)


class Deface:
    name = "deface"

    def __init__(self):
        import cv2
        from deface.centerface import CenterFace
        from deface.deface import anonymize_frame

        # One thread, like our pipeline: a fair timing, and the machine is shared.
        cv2.setNumThreads(1)
        self.centerface = CenterFace(in_shape=None, backend="auto")
        self.anonymize_frame = anonymize_frame

    def redact(self, upright: Image.Image) -> Image.Image:
        frame = np.array(upright.convert("RGB"))  # a writable copy: deface blurs in place
        detections, _landmarks = self.centerface(frame, threshold=DEFACE_THRESHOLD)
        self.anonymize_frame(
            detections, frame, mask_scale=DEFACE_MASK_SCALE, replacewith="blur",
            ellipse=True, draw_scores=False, replaceimg=None, mosaicsize=20,
        )
        return Image.fromarray(frame)


@dataclass
class Tally:
    hidden: int = 0
    worst_changed_away: float = 0.0
    seconds: float = 0.0

    def add(self, outcome: RedactionOutcome, seconds: float) -> None:
        self.hidden += sum(check.hidden for check in outcome.checks)
        self.worst_changed_away = max(self.worst_changed_away, outcome.changed_away)
        self.seconds += seconds


def run_tool(tool, variant: PhotoVariant, upright: Image.Image, out_dir: Path) -> tuple[RedactionOutcome, float]:
    started = time.perf_counter()
    output = tool.redact(upright)
    seconds = time.perf_counter() - started
    output.save(out_dir / f"{variant.path.stem}__{tool.name}.jpg", quality=90)
    return assess_redaction(variant, upright, output), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--testdata", type=Path, default=DEFAULT_TESTDATA, help="the shared test photos folder")
    parser.add_argument("--variants", nargs="+", choices=VARIANT_NAMES, default=list(VARIANT_NAMES))
    parser.add_argument("--out", type=Path, help="folder for the variants and outputs (default: a new temporary folder)")
    args = parser.parse_args()

    annotations = args.testdata / "annotated" / "training.xml"
    if not annotations.is_file():
        print(f"no annotated photos at {annotations} (set RWS_TESTDATA or --testdata)", file=sys.stderr)
        return 2
    # Kept afterwards, so the blurred outputs can be looked at.
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="rws-recall-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    benchmark(read_imglab_boxes(annotations), args.variants, out_dir)
    return 0


def benchmark(photos: list, variant_names: list[str], out_dir: Path) -> None:
    tools = [OurPipeline(), Deface()]
    variants = build_variants(photos, out_dir, tuple(variant_names))
    print(f"{len(photos)} photos, {sum(len(p.faces) for p in photos)} faces, outputs in {out_dir}")
    print(f"hidden = encoder distance >= 0.6 and no fine detail left (kept <= {MAX_DETAIL_KEPT:.0%}); changed = worst photo's share of pixels")
    print("away from faces (outside each box grown 2x) changed by > 24 levels; s = seconds to detect + blur 4 photos\n")
    header = f"{'variant':<15} {'faces':>5} | {'ours hidden':>11} {'changed':>8} {'s':>6} | {'deface hidden':>13} {'changed':>8} {'s':>6}"
    print(header)
    print("-" * len(header))
    totals = {tool.name: Tally() for tool in tools}
    total_faces = 0
    misses: list[str] = []
    for name in variant_names:
        tallies = {tool.name: Tally() for tool in tools}
        for variant in (v for v in variants if v.name == name):
            upright = load_photo(variant.path).image
            total_faces += len(variant.faces)
            for tool in tools:
                outcome, seconds = run_tool(tool, variant, upright, out_dir)
                tallies[tool.name].add(outcome, seconds)
                totals[tool.name].add(outcome, seconds)
                misses += [f"  {tool.name:<6} {name:<15} {variant.source.name} {box.as_list()}: {check.describe()}"
                           for box, check in outcome.missed]
        faces = sum(len(v.faces) for v in variants if v.name == name)
        print(_row(name, faces, tallies["ours"], tallies["deface"]))
    print("-" * len(header))
    print(_row("total", total_faces, totals["ours"], totals["deface"]))
    print(f"\nrecall: ours {totals['ours'].hidden / total_faces:.1%}, deface {totals['deface'].hidden / total_faces:.1%}")
    print("\nfaces not hidden:" if misses else "\nfaces not hidden: none")
    for line in misses:
        print(line)


def _row(label: str, faces: int, ours: Tally, theirs: Tally) -> str:
    return (f"{label:<15} {faces:>5} | {ours.hidden:>11} {ours.worst_changed_away:>8.2%} {ours.seconds:>6.1f} | "
            f"{theirs.hidden:>13} {theirs.worst_changed_away:>8.2%} {theirs.seconds:>6.1f}")


if __name__ == "__main__":
    sys.exit(main())
