"""Clip benchmark: our clip vetting against deface on the same generated clips.

    uv run python bench/clip_speed.py                     # 30 s 720p clip and a 3 s 4K clip
    uv run python bench/clip_speed.py --seconds 10 --no-4k --out bench/out

Builds, from the shared test photos (`../shared/testdata` or RWS_TESTDATA):
- a 720p clip at 30 fps: a pan and zoom over the four hand-boxed group photos; a cut to a group
  photo that a face crosses, entering on the left and leaving on the right; a cut to a group photo
  turning from upright to 45 degrees and holding there;
- a 4K clip at 30 fps (the pan and zoom), for peak memory.
Every face's box is known on every frame. Each tool runs in its own process (peak memory is that
process's): ours as the app vets a clip with nobody consenting (so every face must be hidden);
deface through its own video path (`deface.deface.video_detect`, which reads and writes through
imageio-ffmpeg's bundled ffmpeg binary) with its CLI defaults (threshold 0.2, mask scale 1.3,
blur). It prints frames per second, exposed frames (frames on which some known face keeps its
detail, by the redaction module's own measure against the source frame) and peak memory, and
for ours where the time went. deface is imported only here, never by the app's clip code.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from rws_desktop.core.faces.geometry import Box, rotate_offset  # noqa: E402

TESTDATA = Path(os.environ.get("RWS_TESTDATA", ROOT.parent / "shared" / "testdata"))
FPS = 30
DEFACE_THRESHOLD, DEFACE_MASK_SCALE = 0.2, 1.3


@dataclass(frozen=True)
class Face:
    """A known face on one frame: its centre and side in frame pixels."""

    x: float
    y: float
    size: float

    def inner(self, frame_size: tuple[int, int]) -> Box | None:
        """The middle of the face (half its side), which lies inside it however it is turned; None when
        too little of it is on the frame to judge."""
        half = self.size / 4
        box = Box(round(self.x - half), round(self.y - half), round(self.x + half), round(self.y + half)).clipped(*frame_size)
        return box if box.width >= 10 and box.height >= 10 else None


def annotated() -> list[tuple[Image.Image, list[Box]]]:
    folder = TESTDATA / "annotated"
    tree = ElementTree.parse(folder / "training.xml")
    photos = []
    for image in tree.getroot().iter("image"):
        boxes = [Box(int(b.get("left")), int(b.get("top")), int(b.get("left")) + int(b.get("width")), int(b.get("top")) + int(b.get("height")))
                 for b in image.iter("box")]
        photos.append((Image.open(folder / image.get("file")).convert("RGB"), boxes))
    return photos


class Storyboard:
    """The clip's frames and known faces, made from the frame index alone."""

    def __init__(self, size: tuple[int, int], seconds: float):
        self.size, self.frames = size, round(seconds * FPS)
        photos = annotated()
        self.cuts = (round(self.frames * 0.4), round(self.frames * 0.65))
        # Scene A: the four photos in a 2 x 2 grid of 800 x 600 cells.
        self.canvas = Image.new("RGB", (1600, 1200), (70, 70, 70))
        self.canvas_faces: list[Face] = []
        for cell, (photo, boxes) in enumerate(photos):
            scale = min(800 / photo.width, 600 / photo.height)
            resized = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.Resampling.LANCZOS)
            left, top = (cell % 2) * 800 + (800 - resized.width) // 2, (cell // 2) * 600 + (600 - resized.height) // 2
            self.canvas.paste(resized, (left, top))
            self.canvas_faces += [Face(left + b.center[0] * scale, top + b.center[1] * scale, b.width * scale) for b in boxes]
        # Scenes B and C: one group photo each, filling the frame.
        self.crossing = self._filled(*photos[3])
        self.turning = self._filled(*photos[0])
        obama = Image.open(TESTDATA / "photos/people/test/obama1.jpg").convert("RGB")
        self.walker = obama.crop((470, 120, 1030, 680)).resize((round(size[1] * 0.3),) * 2, Image.Resampling.LANCZOS)

    def _filled(self, photo: Image.Image, boxes: list[Box]) -> tuple[Image.Image, list[Face]]:
        width, height = self.size
        scale = max(width / photo.width, height / photo.height)
        resized = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.Resampling.LANCZOS)
        left, top = (resized.width - width) // 2, (resized.height - height) // 2
        faces = [Face(b.center[0] * scale - left, b.center[1] * scale - top, b.width * scale) for b in boxes]
        return resized.crop((left, top, left + width, top + height)), faces

    def frame(self, index: int) -> tuple[Image.Image, list[Face]]:
        if index < self.cuts[0]:
            return self._pan_and_zoom(index / max(1, self.cuts[0] - 1))
        if index < self.cuts[1]:
            return self._crossing((index - self.cuts[0]) / max(1, self.cuts[1] - self.cuts[0] - 1))
        return self._turning((index - self.cuts[1]) / max(1, self.frames - self.cuts[1] - 1))

    def _pan_and_zoom(self, t: float) -> tuple[Image.Image, list[Face]]:
        """The camera starts on the whole grid, zooms into the top left, pans to the bottom right and pulls back."""
        zoom = 1600 - 900 * math.sin(math.pi * t)  # window width: 1600 down to 700 and back
        cx = 800 - 500 * math.sin(2 * math.pi * t)
        cy = 600 - 250 * math.sin(2 * math.pi * t)
        window_w, window_h = zoom, zoom * self.size[1] / self.size[0]
        cx = min(max(cx, window_w / 2), 1600 - window_w / 2)
        cy = min(max(cy, window_h / 2), 1200 - window_h / 2)
        left, top = cx - window_w / 2, cy - window_h / 2
        scale = self.size[0] / window_w
        image = self.canvas.resize(self.size, Image.Resampling.BILINEAR, box=(left, top, left + window_w, top + window_h))
        return image, [Face((f.x - left) * scale, (f.y - top) * scale, f.size * scale) for f in self.canvas_faces]

    def _crossing(self, t: float) -> tuple[Image.Image, list[Face]]:
        background, faces = self.crossing
        image = background.copy()
        side = self.walker.width
        x = -side + t * (self.size[0] + side)
        y = self.size[1] * 0.15
        image.paste(self.walker, (round(x), round(y)))
        # The crop's face is about 0.63 of its side, centred a little above the middle.
        return image, faces + [Face(x + side / 2, y + side * 0.5, side * 0.63)]

    def _turning(self, t: float) -> tuple[Image.Image, list[Face]]:
        angle = 45.0 * min(1.0, 2 * t)
        background, faces = self.turning
        image = background.rotate(angle, resample=Image.Resampling.BICUBIC) if angle else background
        cx, cy = self.size[0] / 2, self.size[1] / 2
        turned = []
        for face in faces:
            dx, dy = rotate_offset(face.x - cx, face.y - cy, -angle)
            turned.append(Face(cx + dx, cy + dy, face.size))
        return image, turned


def build_clip(path: Path, board: Storyboard) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height = board.size
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "16", "preset": "ultrafast"}
        for index in range(board.frames):
            frame = av.VideoFrame.from_image(board.frame(index)[0])
            frame.pts, frame.time_base = index, Fraction(1, FPS)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def exposed(board: Storyboard, source: Path, output: Path) -> tuple[int, int, int]:
    """(frames exposing some face, face-frames exposed, frames compared), against the decoded source."""
    from rws_desktop.core.faces.redaction import keeps_detail

    frames_exposed = faces_exposed = compared = 0
    with av.open(str(source)) as before, av.open(str(output)) as after:
        for index, (original, safe) in enumerate(zip(before.decode(video=0), after.decode(video=0))):
            original_image, safe_image = original.to_image(), safe.to_image()
            shown = sum(1 for face in board.frame(index)[1]
                        if (box := face.inner(board.size)) and keeps_detail(original_image, safe_image, box))
            frames_exposed += bool(shown)
            faces_exposed += shown
            compared += 1
    return frames_exposed, faces_exposed, compared


# ---- the two tools, each run in a process of its own ----

def run_ours(source: Path, output: Path) -> dict:
    from datetime import date

    import rws_desktop.core.clips.pipeline as pipeline
    from rws_desktop.core.clips.service import analyse_clip, clip_analyser
    from rws_desktop.core.clips.writer import SafeClipWriter
    from rws_desktop.core.faces.matching import Gallery
    from rws_desktop.core.faces.recognition import FaceEncoder
    from rws_desktop.core.kernel.channels import Channel, ChannelStatus
    from rws_desktop.core.vetting.analysis import RegisterSnapshot

    # Detection rounds run two at a time, so "detect" is summed over both threads (it can exceed its stage).
    spent = {"detect (both threads)": 0.0, "blur": 0.0, "encode": 0.0}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started
        return wrapper

    analyser = clip_analyser(FaceEncoder())
    analyser.detector.detect = timed("detect (both threads)", analyser.detector.detect)
    pipeline.redact = timed("blur", pipeline.redact)
    SafeClipWriter.write_video = timed("encode", SafeClipWriter.write_video)
    stages: dict[str, float] = {}
    marks = {"stage": None, "at": time.perf_counter()}

    def progress(step) -> None:
        if step.stage != marks["stage"]:
            now = time.perf_counter()
            if marks["stage"]:
                stages[marks["stage"]] = now - marks["at"]
            marks.update(stage=step.stage, at=now)

    channel = Channel("youtube", "Co-curricular YouTube", "YouTube", "x", ("MSN",), ChannelStatus.LIVE)
    started = time.perf_counter()
    analysis = analyse_clip(source, output, channel, RegisterSnapshot({}, {}, Gallery({})), date.today(), analyser, progress=progress)
    seconds = time.perf_counter() - started
    stages[marks["stage"]] = time.perf_counter() - marks["at"]
    os.replace(analysis.pending, output)
    result = analysis.result
    return {"seconds": seconds, "frames": result.frames, "tracks": len(result.tracks), "decision": result.decision.value,
            "stages": stages, "spent": spent}


def run_deface(source: Path, output: Path) -> dict:
    from deface.centerface import CenterFace
    from deface.deface import video_detect

    started = time.perf_counter()
    video_detect(str(source), str(output), CenterFace(in_shape=None, backend="auto"), DEFACE_THRESHOLD, False, False, False,
                 "blur", DEFACE_MASK_SCALE, True, False, {"codec": "libx264"})
    with av.open(str(output)) as clip:
        frames = sum(1 for _ in clip.decode(video=0))
    return {"seconds": time.perf_counter() - started, "frames": frames}


def in_process(tool: str, source: Path, output: Path) -> dict:
    """Run one tool in a fresh process; its figures and its peak resident memory (Linux: kB)."""
    child = subprocess.Popen([sys.executable, __file__, "--run", tool, str(source), str(output)], stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    text = child.stdout.read()
    if status != 0:
        raise SystemExit(f"{tool} failed on {source.name}")
    figures = json.loads(text.strip().splitlines()[-1])
    figures["peak_mb"] = usage.ru_maxrss / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the 720p clip")
    parser.add_argument("--seconds-4k", type=float, default=3.0, help="length of the 4K clip")
    parser.add_argument("--no-4k", action="store_true")
    parser.add_argument("--no-deface", action="store_true")
    parser.add_argument("--out", type=Path, help="folder for the clips (default: a new temporary folder)")
    parser.add_argument("--run", nargs=3, metavar=("TOOL", "SOURCE", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        tool, source, output = args.run
        print(json.dumps((run_ours if tool == "ours" else run_deface)(Path(source), Path(output))))
        return
    if not (TESTDATA / "annotated").is_dir():
        raise SystemExit(f"The shared test photos are not at {TESTDATA} (set RWS_TESTDATA).")
    folder = args.out or Path(tempfile.mkdtemp(prefix="clip_speed_"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"clips in {folder}; load average before: {os.getloadavg()[0]:.1f}")
    clips = [("720p", (1280, 720), args.seconds)] + ([] if args.no_4k else [("4K", (3840, 2160), args.seconds_4k)])
    for name, size, seconds in clips:
        board = Storyboard(size, seconds)
        source = build_clip(folder / f"{name}.mp4", board)
        print(f"\n{name}: {board.frames} frames ({seconds:g} s at {FPS} fps), {size[0]} x {size[1]}, cuts at frames {board.cuts}")
        tools = ["ours"] + ([] if args.no_deface or name == "4K" else ["deface"])
        for tool in tools:
            output = folder / f"{name}-{tool}.mp4"
            figures = in_process(tool, source, output)
            frames_exposed, faces_exposed, compared = exposed(board, source, output)
            print(f"  {tool:<6} {figures['seconds']:7.1f} s  {figures['frames'] / figures['seconds']:6.2f} fps  "
                  f"exposed frames {frames_exposed} of {compared} ({faces_exposed} face-frames)  peak {figures['peak_mb']:.0f} MB")
            if tool == "ours":
                stages = ", ".join(f"{stage} {s:.1f} s" for stage, s in figures["stages"].items())
                spent = ", ".join(f"{part} {s:.1f} s" for part, s in figures["spent"].items())
                print(f"         {figures['tracks']} tracks; stages: {stages}; within them: {spent}")
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
