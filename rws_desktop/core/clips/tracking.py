"""Following faces across frames: detections on every few frames joined into tracks.

A detection joins the open track whose predicted position (constant velocity from its last two
sightings) it is closest to, relative to the face's size; anything else starts a new track. A
track missed for a few detection rounds in a row is closed, and a scene cut closes every track:
across a cut nobody can say that a face is the one seen before. Joining is deliberately
cautious: a face that jumps is a new track, which must earn its own identification.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from ..faces.detection import DetectedFace
from ..faces.geometry import Box
from ..faces.matching import Match


@dataclass(frozen=True)
class Observation:
    """A track's face as detected on one frame, in upright output pixels."""

    frame: int
    face: DetectedFace


@dataclass(frozen=True)
class Sample:
    """One identification look at a track's face: the strict match, the nearest reference distance
    to each enrolled person within the library's tolerance (anyone missing is further), and to
    anyone at all. Kept in memory for this run only, never stored."""

    frame: int
    match: Match
    distances: dict[int, float]
    nearest: float | None = None


@dataclass
class Track:
    id: int
    scene_start: int
    scene_end: int | None = None  # the scene's last frame, set when the scene closes
    observations: list[Observation] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    missed_rounds: int = 0
    closed: bool = False

    @property
    def first_frame(self) -> int:
        return self.observations[0].frame

    @property
    def last_frame(self) -> int:
        return self.observations[-1].frame

    def spans(self, other: "Track") -> bool:
        """Whether the two tracks were seen over overlapping stretches of frames."""
        return self.first_frame <= other.last_frame and other.first_frame <= self.last_frame

    def predicted_center(self, frame: int) -> tuple[float, float]:
        last = self.observations[-1]
        vx, vy = self.velocity(at_end=True)
        return last.face.center[0] + vx * (frame - last.frame), last.face.center[1] + vy * (frame - last.frame)

    def velocity(self, at_end: bool) -> tuple[float, float]:
        """Pixels a frame, from the two sightings at the track's end (or start)."""
        if len(self.observations) < 2:
            return 0.0, 0.0
        a, b = (self.observations[-2], self.observations[-1]) if at_end else (self.observations[0], self.observations[1])
        steps = max(1, b.frame - a.frame)
        return (b.face.center[0] - a.face.center[0]) / steps, (b.face.center[1] - a.face.center[1]) / steps


@dataclass(frozen=True)
class TrackerSettings:
    # A detection joins a track when its centre is within this many face sizes of the prediction...
    max_center_shift: float = 0.9
    # ...and its size is within this factor of the track's last.
    max_size_ratio: float = 1.8
    # Detection rounds a track may be missed before it is closed (the gap is covered by prediction).
    max_missed_rounds: int = 2
    # A track seen only once has no speed to predict with, so it reaches further for its next sighting.
    max_first_shift: float = 1.5
    # A face that starts a track where a track just lost its face, within this many face sizes, may be
    # that face moving fast: the frames between are blurred along the way (a bridge), though the
    # two tracks stay apart for identification.
    bridge_reach: float = 4.0


class Tracker:
    def __init__(self, settings: TrackerSettings = TrackerSettings()):
        self.settings = settings
        self.tracks: list[Track] = []
        # (track lost, track started, last sighting, first sighting): see TrackerSettings.bridge_reach.
        self.bridges: list[tuple[int, int, Observation, Observation]] = []
        self._scene_start = 0

    @property
    def open_tracks(self) -> list[Track]:
        return [track for track in self.tracks if not track.closed]

    def cut(self, frame: int) -> None:
        """A new scene starts at `frame`: every open track ends, and the old scene's frames end before it."""
        for track in self.tracks:
            if track.scene_end is None:
                track.scene_end = frame - 1
                track.closed = True
        self._scene_start = frame

    def finish(self, last_frame: int) -> list[Track]:
        self.cut(last_frame + 1)
        return self.tracks

    def update(self, frame: int, faces: list[DetectedFace]) -> list[Track]:
        """Join this round's detections to tracks; returns the track of each face, in order."""
        candidates = []
        for track in self.open_tracks:
            predicted = track.predicted_center(frame)
            size = track.observations[-1].face.size
            for index, face in enumerate(faces):
                ratio = face.size / max(1.0, size)
                if not 1 / self.settings.max_size_ratio <= ratio <= self.settings.max_size_ratio:
                    continue
                shift = math.dist(predicted, face.center) / max(1.0, min(size, face.size))
                reach = self.settings.max_center_shift if len(track.observations) > 1 else self.settings.max_first_shift
                if shift <= reach:
                    candidates.append((shift, track.id, index))
        assigned: dict[int, Track] = {}
        taken: set[int] = set()
        by_id = {track.id: track for track in self.tracks}
        for _, track_id, index in sorted(candidates):
            if track_id in taken or index in assigned:
                continue
            taken.add(track_id)
            assigned[index] = by_id[track_id]
        for track in self.open_tracks:
            if track.id in taken:
                track.missed_rounds = 0
            else:
                track.missed_rounds += 1
                track.closed = track.missed_rounds > self.settings.max_missed_rounds
        lost = [track for track in self.tracks if track.id not in taken and track.missed_rounds == 1
                and track.scene_end is None]
        result = []
        for index, face in enumerate(faces):
            track = assigned.get(index)
            if track is None:
                track = Track(len(self.tracks) + 1, self._scene_start)
                self.tracks.append(track)
                self._bridge(lost, Observation(frame, face), track.id)
            track.observations.append(Observation(frame, face))
            result.append(track)
        return result

    def _bridge(self, lost: list[Track], start: Observation, new_id: int) -> None:
        def reach(track: Track) -> float:
            last = track.observations[-1].face
            ratio = start.face.size / max(1.0, last.size)
            if not 1 / self.settings.max_size_ratio <= ratio <= self.settings.max_size_ratio:
                return math.inf
            return math.dist(last.center, start.face.center) / max(last.size, start.face.size)

        nearest = min(lost, key=reach, default=None)
        if nearest is not None and reach(nearest) <= self.settings.bridge_reach:
            self.bridges.append((nearest.id, new_id, nearest.observations[-1], start))


def scaled_face(face: DetectedFace, scale: float) -> DetectedFace:
    """A face found on a copy scaled by `scale`, in the full frame's pixels."""
    if scale == 1.0:
        return face
    box = face.box
    return replace(
        face, box=Box(math.floor(box.left / scale), math.floor(box.top / scale), math.ceil(box.right / scale), math.ceil(box.bottom / scale)),
        center=(face.center[0] / scale, face.center[1] / scale), size=face.size / scale,
    )


class SceneCuts:
    """Spots a cut from a tiny grey copy of each frame: a cut changes most of the picture at once,
    where a pan or zoom changes it a little each frame."""

    THUMB_SIZE = (32, 18)

    def __init__(self, threshold: float = 28.0):
        self.threshold = threshold
        self._previous: np.ndarray | None = None

    def is_cut(self, thumb: np.ndarray) -> bool:
        previous, self._previous = self._previous, thumb.astype(np.float32)
        if previous is None or previous.shape != self._previous.shape:
            return False
        return float(np.mean(np.abs(self._previous - previous))) > self.threshold


class FastMotion:
    """Spots a frame whose picture moved fast since the frame before, from a small grey copy of each:
    a whip pan or a runner crossing the frame outpaces a track's prediction between detection rounds,
    so such a frame is looked at for faces too. "Fast" is the mean change of the grid cell that
    changed most, so one fast face in a still scene counts as much as a moving camera."""

    THUMB_SIZE = (64, 36)
    GRID = (4, 8)  # rows, columns

    def __init__(self, threshold: float = 30.0):
        self.threshold = threshold
        self._previous: np.ndarray | None = None

    def is_fast(self, thumb: np.ndarray) -> bool:
        previous, self._previous = self._previous, thumb.astype(np.float32)
        if previous is None or previous.shape != self._previous.shape:
            return False
        rows, cols = self.GRID
        change = np.abs(self._previous - previous)
        height, width = change.shape[0] // rows * rows, change.shape[1] // cols * cols
        cells = change[:height, :width].reshape(rows, height // rows, cols, width // cols).mean(axis=(1, 3))
        return float(cells.max()) > self.threshold
