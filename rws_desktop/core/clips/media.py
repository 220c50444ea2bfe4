"""Reading clips with PyAV (which ships its own FFmpeg): what a clip is, and its frames, upright.

A phone records a portrait clip sideways and says so in a display matrix; like a photo's EXIF
orientation, it is followed before anything looks at the pixels, so tracks, blurs and reported
boxes are all in the upright frame that the safe copy holds.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import numpy as np

log = logging.getLogger(__name__)
CLIP_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm"})


def is_clip(path: Path) -> bool:
    """Whether a path found for a batch goes to clip vetting (by its suffix, in any case) or to photo vetting."""
    return path.suffix.lower() in CLIP_SUFFIXES

MAX_DURATION_S = 10 * 60
# 4K: DCI 4096 x 2160 and UHD 3840 x 2160, either way up.
MAX_LONG_SIDE = 4096
MAX_SHORT_SIDE = 2160


CLIP_DAMAGED = ("The clip is damaged and its video cannot be decoded. Use the original from the camera or phone, or "
                "export it again and vet that copy.")


class ClipLoadError(Exception):
    """A clip that cannot be vetted, with a reason a member of staff can act on."""


@dataclass(frozen=True)
class ClipInfo:
    """A clip's facts, in upright pixels."""

    width: int
    height: int
    rotation: int  # degrees counter-clockwise that turn the stored frames upright
    frame_rate: Fraction
    frame_count: int  # as the container states it, else estimated from the duration
    duration_s: float
    has_audio: bool
    audio_codec: str | None
    video_codec: str

    @property
    def fps(self) -> float:
        return float(self.frame_rate)


def _av():
    import av  # deferred: only clip work needs FFmpeg

    return av


def open_clip(path: Path):
    """The opened container; ClipLoadError when FFmpeg cannot read it or it has no video."""
    av = _av()
    try:
        container = av.open(str(path), "r")
    except (av.FFmpegError, OSError, ValueError) as exc:
        log.info("clip refused: FFmpeg could not open it: %s: %s", type(exc).__name__, exc)
        raise ClipLoadError("This is not a clip the app can read (MP4, MOV, M4V or WebM).") from exc
    if not container.streams.video:
        container.close()
        raise ClipLoadError("The file holds no video.")
    return container


def probe(path: Path) -> ClipInfo:
    """Read a clip's facts, decoding its first frame (for the rotation); refuse what is over the limits."""
    av = _av()
    with open_clip(path) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or Fraction(30)
        duration = _duration(container, stream)
        if duration > MAX_DURATION_S:
            raise ClipLoadError(
                f"The clip is {duration / 60:.1f} minutes long; clips of up to {MAX_DURATION_S // 60} minutes "
                "can be vetted. Trim it and vet the parts.")
        try:
            first = next(container.decode(stream), None)
        except (av.FFmpegError, ValueError) as exc:
            raise clip_damaged(exc) from exc
        if first is None:
            raise ClipLoadError("The clip's video holds no frames that can be decoded.")
        rotation = upright_rotation(first)
        width, height = (first.height, first.width) if rotation % 180 else (first.width, first.height)
        if max(width, height) > MAX_LONG_SIDE or min(width, height) > MAX_SHORT_SIDE:
            raise ClipLoadError(
                f"The clip is {width} x {height} pixels; clips up to 4K (4096 x 2160) can be vetted. "
                "Export it at 4K or less and vet that copy.")
        frames = stream.frames or max(1, round(duration * float(rate)))
        audio = container.streams.audio[0] if container.streams.audio else None
        return ClipInfo(width, height, rotation, Fraction(rate), frames, duration, audio is not None,
                        audio.codec_context.name if audio is not None else None, stream.codec_context.name)


def _duration(container, stream) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000
    return 0.0


def upright_rotation(frame) -> int:
    """The frame's display rotation as a multiple of 90 degrees, counter-clockwise."""
    try:
        angle = frame.rotation or 0
    except Exception:  # a malformed display matrix: treat the frame as upright
        angle = 0
    return int(round(angle / 90.0)) * 90 % 360


def upright(pixels: np.ndarray, rotation: int) -> np.ndarray:
    """Stored pixels (rows, columns, channels) turned upright."""
    turns = rotation // 90 % 4
    return np.ascontiguousarray(np.rot90(pixels, turns)) if turns else pixels


def stored_size(info: ClipInfo, width: int, height: int) -> tuple[int, int]:
    """An upright size as the stored frames have it (for scaling before turning)."""
    return (height, width) if info.rotation % 180 else (width, height)


def decoded_frames(container) -> Iterator:
    """Every video frame in order; a damaged stream raises ClipLoadError."""
    av = _av()
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    try:
        yield from container.decode(stream)
    except (av.FFmpegError, ValueError) as exc:
        raise clip_damaged(exc) from exc


def scaled_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """`width` x `height` shrunk (never grown) to fit `max_side`, in even numbers."""
    scale = min(1.0, max_side / max(width, height))
    return max(2, 2 * math.floor(width * scale / 2)), max(2, 2 * math.floor(height * scale / 2))


def clip_damaged(exc: Exception) -> ClipLoadError:
    """The refusal of a clip whose video stopped decoding, in plain words; FFmpeg's own go to the log."""
    log.info("clip refused: its video stopped decoding: %s: %s", type(exc).__name__, exc)
    return ClipLoadError(CLIP_DAMAGED)


class FrameReader:
    """Upright frames of a clip by index, for review: reading on is cheap, going back seeks to the
    nearest key frame before. Holds one decoder and one frame."""

    def __init__(self, path: Path, info: ClipInfo):
        self.info = info
        self._container = open_clip(path)
        self._stream = self._container.streams.video[0]
        self._frames = None
        self._index = -1
        self._current: np.ndarray | None = None

    def close(self) -> None:
        self._container.close()

    def frame(self, index: int) -> np.ndarray:
        """Frame `index` (0-based) as upright RGB pixels; past the end, the last frame."""
        if index == self._index and self._current is not None:
            return self._current
        if self._frames is None or index < self._index or index > self._index + 2 * max(1, round(self.info.fps)):
            self._seek(index)
        for frame in self._frames:
            self._index = self._index_of(frame) if frame.pts is not None else self._index + 1
            if self._index >= index:
                self._current = upright(frame.to_ndarray(format="rgb24"), self.info.rotation)
                return self._current
        if self._current is None:
            raise ClipLoadError("The clip's video holds no frames that can be decoded.")
        return self._current

    def _seek(self, index: int) -> None:
        start = self._stream.start_time or 0
        target = start + int(index / self.info.fps / self._stream.time_base) if self._stream.time_base else 0
        self._container.seek(max(start, target), stream=self._stream, backward=True, any_frame=False)
        self._frames = self._container.decode(self._stream)
        self._index = -1

    def _index_of(self, frame) -> int:
        start = self._stream.start_time or 0
        return round(float((frame.pts - start) * self._stream.time_base) * self.info.fps)
