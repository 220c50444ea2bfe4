"""Where a blurred track's face may be on any frame, including frames nobody looked at.

Faces are detected on every few frames only, and a detector can miss a face for a round or two.
On a frame where the track was seen, the face is blurred where it was seen. Between two
sightings the face is blurred at its position interpolated between them, grown by a margin and
by half the distance it moved (its path need not be straight). Before a track is first seen and
after it is last seen, the blur holds for a margin of frames (within its scene), carried along
at the track's speed and growing with every frame away from the sighting. A face first seen at the
frame's edge was coming in (or, last seen there, going out) part-hidden, when the detector cannot
find half a face and its speed, measured on clipped boxes, is least sure: there the blur holds
for a longer margin, and also where the face was seen, growing the same way, so the part already
in frame stays covered however late the detector found it; and if it was seen there only once, the
blur is twice the size seen, since the detector may have found only the part of a big face left in
frame. A face seen only once has no speed of
its own; when the camera pans or zooms it moves much as the faces nearest it do, so its blur is also
carried along their paths (and kept where it was seen).
When in doubt, the blur is larger.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from functools import cached_property

from ..faces.detection import DetectedFace
from ..faces.redaction import Region
from .tracking import Track


@dataclass(frozen=True)
class CoverageSettings:
    # Frames before the first and after the last sighting that stay blurred.
    margin_frames: int = 15
    # Growth of the face's square between sightings, as a share of its size.
    between_growth: float = 0.3
    # Growth for each frame beyond the first or last sighting, as a share of its size.
    growth_per_frame: float = 0.05
    # For a track seen only once, whose speed is unknown.
    unknown_speed_factor: float = 3.0
    # The frame's size (upright pixels), to tell a face at its edge; None: no edge rule.
    frame_size: tuple[int, int] | None = None
    # A face's square within this share of its size from an edge is at the edge...
    edge_share: float = 1.0
    # ...and its blur holds this many times `margin_frames` before (or after) it was seen there...
    edge_margin_factor: float = 3.0
    # ...and, for a face seen only there (once), is this many times the size seen: a face cut off by
    # the edge can be much bigger than the part the detector found, and no other sighting tells.
    edge_growth: float = 2.0


class OutlinedRegion(Region):
    """A Region that works out its outline once: the redaction asks for it many times a frame (to
    find overlapping regions), and a clip redacts many regions on every frame."""

    @cached_property
    def _outline(self) -> list[tuple[float, float]]:
        return Region.outline(self)

    def outline(self) -> list[tuple[float, float]]:
        return self._outline


def face_regions(center: tuple[float, float], size: float, angles: set[float]) -> list[Region]:
    """The face's square at each angle the detector saw it at, and always upright too."""
    regions = []
    for angle in sorted(angles | {0.0}):
        face = Region.for_face(center, size, angle)
        regions.append(OutlinedRegion(face.box, face.shape, face.add_margin, face.angle))
    return regions


# A face seen once borrows the paths of this many of the nearest faces seen on the same frame.
BORROWED_PATHS = 2


def neighbours_velocities(track: Track, tracks: list[Track], count: int = BORROWED_PATHS) -> list[tuple[float, float]]:
    """For a track seen once: the speeds (pixels a frame) of the `count` faces nearest it on the same frame
    whose own speed there is known, in the same scene, nearest first."""
    if len(track.observations) != 1:
        return []
    sighting = track.observations[0]
    known = []
    for other in tracks:
        if other is track or other.scene_start != track.scene_start or len(other.observations) < 2:
            continue
        frames = [observation.frame for observation in other.observations]
        at = bisect.bisect_left(frames, sighting.frame)
        if at == len(frames) or frames[at] != sighting.frame:
            continue
        a, b = (other.observations[at - 1], other.observations[at]) if at else (other.observations[0], other.observations[1])
        steps = max(1, b.frame - a.frame)
        velocity = ((b.face.center[0] - a.face.center[0]) / steps, (b.face.center[1] - a.face.center[1]) / steps)
        known.append((math.dist(other.observations[at].face.center, sighting.face.center), velocity))
    return [velocity for _, velocity in sorted(known)[:count]]


class TrackCoverage:
    """A blurred track's regions on each frame of its span. `borrowed`: for a track seen once, the
    speeds of the faces nearest it (`neighbours_velocities`), along which its blur is also carried."""

    def __init__(self, track: Track, settings: CoverageSettings, last_frame: int, borrowed: list[tuple[float, float]] = ()):
        self.track = track
        self.settings = settings
        self.borrowed = list(borrowed) if len(track.observations) == 1 else []
        scene_end = track.scene_end if track.scene_end is not None else last_frame
        before = after = settings.margin_frames
        if self.at_edge(track.observations[0].face):
            before = round(before * settings.edge_margin_factor)
        if self.at_edge(track.observations[-1].face):
            after = round(after * settings.edge_margin_factor)
        self.start = max(track.scene_start, track.first_frame - before)
        self.end = min(scene_end, last_frame, track.last_frame + after)
        self._frames = [observation.frame for observation in track.observations]

    def regions(self, frame: int) -> list[Region]:
        if not self.start <= frame <= self.end:
            return []
        observations = self.track.observations
        at = bisect.bisect_left(self._frames, frame)
        if at < len(observations) and observations[at].frame == frame:
            face = observations[at].face
            return face_regions(face.center, face.size * self._edge_growth(face), {face.angle})
        if at == 0:
            return self._beyond(observations[0].face, frame - observations[0].frame, self.track.velocity(at_end=False))
        if at == len(observations):
            return self._beyond(observations[-1].face, frame - observations[-1].frame, self.track.velocity(at_end=True))
        return self._between(observations[at - 1], observations[at], frame)

    def at_edge(self, face: DetectedFace) -> bool:
        """Whether the face's square comes within `edge_share` of its size of the frame's edge."""
        if self.settings.frame_size is None:
            return False
        width, height = self.settings.frame_size
        reach = face.size * (0.5 + self.settings.edge_share)
        x, y = face.center
        return x - reach <= 0 or y - reach <= 0 or x + reach >= width or y + reach >= height

    def _edge_growth(self, face: DetectedFace) -> float:
        return self.settings.edge_growth if len(self.track.observations) == 1 and self.at_edge(face) else 1.0

    def _between(self, before, after, frame: int) -> list[Region]:
        share = (frame - before.frame) / (after.frame - before.frame)
        a, b = before.face, after.face
        center = (a.center[0] + share * (b.center[0] - a.center[0]), a.center[1] + share * (b.center[1] - a.center[1]))
        size = a.size + share * (b.size - a.size)
        moved = math.dist(a.center, b.center)
        grown = size * (1 + self.settings.between_growth) + moved / 2
        return face_regions(center, grown, {a.angle, b.angle})

    def _beyond(self, face: DetectedFace, offset: int, velocity: tuple[float, float]) -> list[Region]:
        """`offset` frames from a sighting (negative: before it), carried at `velocity`. A track seen
        once has no known speed, so its blur grows faster."""
        center = (face.center[0] + velocity[0] * offset, face.center[1] + velocity[1] * offset)
        growth = self.settings.growth_per_frame * (1 if len(self.track.observations) > 1 else self.settings.unknown_speed_factor)
        grown = face.size * (1 + growth * abs(offset)) + math.hypot(*velocity) * abs(offset) / 2
        regions = face_regions(center, grown, {face.angle})
        for vx, vy in self.borrowed:
            carried = (face.center[0] + vx * offset, face.center[1] + vy * offset)
            regions += face_regions(carried, face.size * (1 + growth * abs(offset)) + math.hypot(vx, vy) * abs(offset) / 2, {face.angle})
        if self.at_edge(face):  # held where it was seen, too (see the module's note)
            regions += face_regions(face.center, face.size * self._edge_growth(face) * (1 + growth * abs(offset)), {face.angle})
        return regions


class CoverageIndex:
    """The regions to blur on each frame, for frames visited in order."""

    def __init__(self, coverages: list[TrackCoverage]):
        self._waiting = sorted(coverages, key=lambda coverage: coverage.start)
        self._active: list[TrackCoverage] = []

    def regions(self, frame: int) -> list[Region]:
        while self._waiting and self._waiting[0].start <= frame:
            self._active.append(self._waiting.pop(0))
        self._active = [coverage for coverage in self._active if coverage.end >= frame]
        return [region for coverage in self._active for region in coverage.regions(frame)]
