"""Small synthetic clips for the clip tests: a soft background with face crops moving across it,
written with PyAV. Every frame can be made again from its index, so a test can compare the
safe copy with the exact frame it came from."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable

import av
import numpy as np
from PIL import Image

from rws_desktop.core.faces.geometry import Box


@dataclass(frozen=True)
class Walker:
    """A face crop moving in a straight line from `start` to `end` (top-left corners) over the clip."""

    face: Image.Image
    start: tuple[int, int]
    end: tuple[int, int]
    first: int = 0  # first frame it is on screen
    last: int | None = None

    def box(self, index: int, frames: int) -> Box | None:
        last = frames - 1 if self.last is None else self.last
        if not self.first <= index <= last:
            return None
        share = (index - self.first) / max(1, last - self.first)
        x = round(self.start[0] + share * (self.end[0] - self.start[0]))
        y = round(self.start[1] + share * (self.end[1] - self.start[1]))
        return Box(x, y, x + self.face.width, y + self.face.height)


def background(size: tuple[int, int]) -> Image.Image:
    width, height = size
    xs, ys = np.meshgrid(np.linspace(0, 1, width), np.linspace(0, 1, height))
    pixels = np.stack([60 + 80 * xs, 90 + 60 * ys, 120 + 40 * xs * ys], axis=-1).astype(np.uint8)
    return Image.fromarray(pixels)


class Scene:
    def __init__(self, size: tuple[int, int], frames: int, walkers: list[Walker]):
        self.size, self.frames, self.walkers = size, frames, walkers
        self._background = background(size)

    def frame(self, index: int) -> Image.Image:
        image = self._background.copy()
        for walker in self.walkers:
            box = walker.box(index, self.frames)
            if box is not None:
                image.paste(walker.face, (box.left, box.top))
        return image

    def boxes(self, index: int) -> list[Box | None]:
        """Each walker's box on this frame (None when off screen), in the walkers' order."""
        return [walker.box(index, self.frames) for walker in self.walkers]


def write_clip(path: Path, frames: int, make_frame: Callable[[int], Image.Image], fps: int = 10,
               container_format: str | None = None, codec: str = "libx264", audio: str | None = None,
               rotation: int = 0, metadata: dict | None = None) -> Path:
    """Encode `frames` frames from `make_frame(index)`; optionally with a second of tone per second
    of video in `audio` ("aac", "libopus", ...), a display rotation and container tags."""
    first = make_frame(0)
    with av.open(str(path), "w", format=container_format) as out:
        for key, value in (metadata or {}).items():
            out.metadata[key] = value
        video = out.add_stream(codec, rate=fps)
        video.width, video.height = first.size
        video.pix_fmt = "yuv420p"
        if codec == "libx264":
            video.options = {"crf": "12", "preset": "ultrafast"}
        if rotation:
            video.set_display_rotation(rotation)
        sound = out.add_stream(audio, rate=48000, layout="mono") if audio else None
        for index in range(frames):
            frame = av.VideoFrame.from_image(first if index == 0 else make_frame(index))
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        if sound is not None:
            samples = 48000 * frames // fps
            tone = (0.2 * np.sin(np.arange(samples) * 2 * np.pi * 440 / 48000)).astype(np.float32)
            chunk = 960
            for start in range(0, samples, chunk):
                piece = tone[start:start + chunk]
                audio_frame = av.AudioFrame.from_ndarray(piece[np.newaxis, :], format="flt", layout="mono")
                audio_frame.sample_rate = 48000
                audio_frame.pts = start
                audio_frame.time_base = Fraction(1, 48000)
                for packet in sound.encode(audio_frame):
                    out.mux(packet)
            for packet in sound.encode(None):
                out.mux(packet)
    return path


def read_frames(path: Path) -> list[Image.Image]:
    """Every frame of a (small) clip, upright as a player shows it."""
    from rws_desktop.core.clips.media import upright, upright_rotation

    with av.open(str(path)) as container:
        return [Image.fromarray(upright(f.to_ndarray(format="rgb24"), upright_rotation(f))) for f in container.decode(video=0)]


def inner(box: Box, share: float = 0.25) -> Box:
    """The middle of a face crop's box (eyes, nose and mouth), `share` of its side in from each edge."""
    dx, dy = round(box.width * share), round(box.height * share)
    return Box(box.left + dx, box.top + dy, box.right - dx, box.bottom - dy)


def visible_frames(scene: Scene, output: list[Image.Image], walker: int) -> list[int]:
    """Frames of the safe copy on which walker `walker`'s face still shows its detail."""
    from rws_desktop.core.faces.redaction import keeps_detail

    shown = []
    for index, frame in enumerate(output):
        box = scene.boxes(index)[walker]
        if box is not None and keeps_detail(scene.frame(index), frame, inner(box).clipped(*frame.size)):
            shown.append(index)
    return shown


def on_screen(scene: Scene, walker: int) -> list[int]:
    return [index for index in range(scene.frames) if scene.boxes(index)[walker] is not None]
