"""Finding every face, including small, turned and dark ones.

dlib's HOG detector scans an 80-pixel window over an image pyramid and tolerates
roughly 15 to 20 degrees of tilt. To reach faces 20 pixels wide we scale the photo
up before scanning; to reach faces turned up to 45 degrees we also scan copies
rotated either way; a dark photo is scanned again with its contrast stretched.
Detections from every pass are mapped back to the upright photo and merged, and a
merged face keeps the union of its boxes so the blur covers all of them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps

from .geometry import Box

HOG_WINDOW_PX = 80


@dataclass(frozen=True)
class DetectorSettings:
    min_face_px: int = 20
    # Smallest face looked for on the rotated passes; tilt and tininess together are rare.
    min_rotated_face_px: int = 36
    # Caps on the scaled working copy: beyond these, big photos trade their smallest faces for time.
    max_working_pixels: int = 8_000_000
    max_rotated_working_pixels: int = 4_000_000
    # HOG tolerates about 15-20 degrees of tilt, so these passes reach faces turned 45 degrees and more.
    angles: tuple[float, ...] = (-40.0, -20.0, 20.0, 40.0)
    # Below dlib's default threshold of 0: a few more false alarms, fewer missed faces.
    score_threshold: float = -0.3
    dark_mean_level: float = 70.0
    # Two detections are one face when their centres are within this fraction of the face size.
    merge_center_shift: float = 0.4


@dataclass(frozen=True)
class DetectedFace:
    """A face in upright-photo pixels, plus where it was seen best (for encoding)."""

    box: Box
    score: float
    angle: float  # the rotation of the pass that saw it best
    box_in_pass: Box  # that detection's box in the rotated frame at photo scale


@dataclass
class _Candidate:
    box: Box
    score: float
    angle: float
    box_in_pass: Box
    center: tuple[float, float]

    @property
    def size(self) -> int:
        return self.box_in_pass.width

    def same_face(self, other: "_Candidate", max_center_shift: float) -> bool:
        """Close centres and similar sizes; box overlap alone would merge neighbours in a crowd."""
        distance = math.dist(self.center, other.center)
        ratio = self.size / max(1, other.size)
        return distance <= max_center_shift * min(self.size, other.size) and 0.5 <= ratio <= 2.0


class FaceDetector:
    def __init__(self, settings: DetectorSettings = DetectorSettings()):
        import dlib  # deferred: loading dlib takes a moment and worker processes import lazily

        self.settings = settings
        self._hog = dlib.get_frontal_face_detector()

    def detect(self, image: Image.Image) -> list[DetectedFace]:
        grey = image.convert("L")
        passes = [grey]
        if np.asarray(grey).mean() < self.settings.dark_mean_level:
            passes.append(ImageOps.equalize(grey))
        candidates: list[_Candidate] = []
        for source in passes:
            candidates += self._scan(source, 0.0, self.working_scale(image.size, self.settings.min_face_px, self.settings.max_working_pixels))
            rotated_scale = self.working_scale(image.size, self.settings.min_rotated_face_px, self.settings.max_rotated_working_pixels)
            for angle in self.settings.angles:
                candidates += self._scan(source, angle, rotated_scale)
        return [
            DetectedFace(c.box.clipped(*image.size), c.score, c.angle, c.box_in_pass)
            for c in _merge(candidates, self.settings.merge_center_shift)
        ]

    @staticmethod
    def working_scale(size: tuple[int, int], min_face_px: int, max_pixels: int) -> float:
        """Enough to bring `min_face_px` faces up to the HOG window, within the pixel budget."""
        wanted = HOG_WINDOW_PX / min_face_px
        affordable = math.sqrt(max_pixels / (size[0] * size[1]))
        return min(wanted, affordable)

    def _scan(self, grey: Image.Image, angle: float, scale: float) -> list[_Candidate]:
        turned = grey.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True) if angle else grey
        work_size = (max(1, round(turned.width * scale)), max(1, round(turned.height * scale)))
        working = turned.resize(work_size, Image.Resampling.BILINEAR) if scale != 1 else turned
        rects, scores, _ = self._hog.run(np.asarray(working), 0, self.settings.score_threshold)
        found = []
        for rect, score in zip(rects, scores):
            in_pass = Box(
                round(rect.left() / scale), round(rect.top() / scale),
                round((rect.right() + 1) / scale), round((rect.bottom() + 1) / scale),
            )
            corners = [(in_pass.left, in_pass.top), (in_pass.right, in_pass.top),
                       (in_pass.left, in_pass.bottom), (in_pass.right, in_pass.bottom)]
            upright = [_unrotate(x, y, angle, turned.size, grey.size) for x, y in corners]
            center = _unrotate(*in_pass.center, angle, turned.size, grey.size)
            found.append(_Candidate(Box.around_points(upright), float(score), angle, in_pass, center))
        return found


def _unrotate(x: float, y: float, angle: float, turned_size, original_size) -> tuple[float, float]:
    """Map a point in a copy rotated by `angle` (PIL, counter-clockwise, expanded) back to the photo."""
    if not angle:
        return x, y
    radians = math.radians(angle)
    dx, dy = x - turned_size[0] / 2, y - turned_size[1] / 2
    cos, sin = math.cos(radians), math.sin(radians)
    return cos * dx - sin * dy + original_size[0] / 2, sin * dx + cos * dy + original_size[1] / 2


def _merge(candidates: list[_Candidate], max_center_shift: float) -> list[_Candidate]:
    """Greedy clustering, strongest first; a cluster's box grows to cover all its members."""
    merged: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: c.score, reverse=True):
        for kept in merged:
            if kept.same_face(candidate, max_center_shift):
                kept.box = kept.box.union(candidate.box)
                break
        else:
            merged.append(_Candidate(candidate.box, candidate.score, candidate.angle, candidate.box_in_pass, candidate.center))
    return merged
