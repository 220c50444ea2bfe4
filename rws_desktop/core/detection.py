"""Finding every face, including small, turned and dark ones.

dlib's HOG detector scans an 80-pixel window over an image pyramid and tolerates
roughly 15 to 20 degrees of tilt. To reach faces 20 pixels wide we scale the photo
up before scanning; to reach faces turned up to 45 degrees we also scan copies
rotated either way; a dark photo is scanned again with its contrast stretched.
Detections from every pass are mapped back to the upright photo and merged.

A low threshold finds weak faces but also the odd mirror frame or pattern. A weak
detection is therefore kept only when dlib's CNN face detector, run on that spot with
the face turned upright, agrees. On the annotated test photos and their variants every
weak real face was confirmed and every weak false alarm was not.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageOps

from .geometry import Box, rotate_offset

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
    # Well below dlib's default of 0: on the annotated test photos and their turned, shrunk, dark
    # and enlarged copies the weakest real faces scored about -0.25. The weak detections this
    # lets through are checked by the CNN detector (see `confirm_below`), so the margin is cheap.
    score_threshold: float = -0.4
    # A photo is dark when three quarters of its pixels are below this grey level; a percentile,
    # not the mean, so the black corners of a turned photo do not count as darkness.
    dark_level: float = 70.0
    # Two detections are one face when their centres are within this fraction of the face size.
    merge_center_shift: float = 0.6
    # Detections scoring below this need the CNN detector's confirmation (strong ones never do).
    confirm_below: float = 0.5
    # The confirming CNN sees the face at this width; it finds faces from about 40 pixels.
    confirm_face_px: int = 90


@dataclass(frozen=True)
class DetectedFace:
    """A face as the detector saw it best, mapped into upright-photo pixels.

    The face is a square of side `size` centred on `center`, turned so that rotating the photo
    by `angle` degrees (counter-clockwise, as PIL does) would make it upright. `box` is the
    axis-aligned box around that square.
    """

    box: Box
    center: tuple[float, float]
    size: float
    angle: float
    score: float


def upright_patch(image: Image.Image, face: DetectedFace, face_px: float | None = None, reach: float = 1.5) -> tuple[Image.Image, Box]:
    """A patch around the face, turned so the face is upright, and the face's square within it.

    With `face_px` the patch is scaled so the face is that wide. Cutting and scaling before
    turning keeps this cheap on big photos; outside the photo the patch is black.
    """
    half = face.size * reach * math.sqrt(2)
    cx, cy = face.center
    patch = image.crop((round(cx - half), round(cy - half), round(cx + half), round(cy + half)))
    scale = face_px / face.size if face_px else 1.0
    if scale != 1.0:
        side = max(1, round(patch.width * scale))
        patch = patch.resize((side, side), Image.Resampling.BILINEAR)
    if face.angle:
        patch = patch.rotate(face.angle, resample=Image.Resampling.BICUBIC)
    middle, half_face = patch.width / 2, face.size * scale / 2
    return patch, Box(round(middle - half_face), round(middle - half_face), round(middle + half_face), round(middle + half_face))


class FaceDetector:
    def __init__(self, settings: DetectorSettings = DetectorSettings()):
        import dlib  # deferred: loading dlib takes a moment

        self.settings = settings
        self._hog = dlib.get_frontal_face_detector()
        self._cnn = None  # loaded on the first weak detection

    def detect(self, image: Image.Image) -> list[DetectedFace]:
        grey = image.convert("L")
        passes = [grey]
        if np.percentile(np.asarray(grey), 75) < self.settings.dark_level:
            passes.append(ImageOps.equalize(grey))
        upright_scale = self.working_scale(image.size, self.settings.min_face_px, self.settings.max_working_pixels)
        turned_scale = self.working_scale(image.size, self.settings.min_rotated_face_px, self.settings.max_rotated_working_pixels)
        found: list[DetectedFace] = []
        for source in passes:
            found += self._scan(_scaled(source, upright_scale), 0.0, upright_scale)
            turned_source = _scaled(source, turned_scale)
            for angle in self.settings.angles:
                found += self._scan(turned_source, angle, turned_scale)
        merged = _merge(found, self.settings.merge_center_shift)
        kept = [face for face in merged if face.score >= self.settings.confirm_below or self._confirmed(image, face)]
        return [_clip(face, image.size) for face in kept]

    def _confirmed(self, image: Image.Image, face: DetectedFace) -> bool:
        """Whether the CNN detector also finds a face here, looking at it turned upright."""
        patch, square = upright_patch(image, face, self.settings.confirm_face_px, reach=1.0)
        middle = square.center
        for detection in self._cnn_detector()(np.asarray(patch.convert("RGB")), 0):
            rect = detection.rect
            centre = ((rect.left() + rect.right()) / 2, (rect.top() + rect.bottom()) / 2)
            if math.dist(centre, middle) < 0.5 * self.settings.confirm_face_px:
                return True
        return False

    def _cnn_detector(self):
        if self._cnn is None:
            import dlib
            import face_recognition_models

            self._cnn = dlib.cnn_face_detection_model_v1(face_recognition_models.cnn_face_detector_model_location())
        return self._cnn

    @staticmethod
    def working_scale(size: tuple[int, int], min_face_px: int, max_pixels: int) -> float:
        """Enough to bring `min_face_px` faces up to the HOG window, within the pixel budget."""
        wanted = HOG_WINDOW_PX / min_face_px
        affordable = math.sqrt(max_pixels / (size[0] * size[1]))
        return min(wanted, affordable)

    def _scan(self, scaled: Image.Image, angle: float, scale: float) -> list[DetectedFace]:
        """One HOG pass over an already scaled copy, turned by `angle`; results in photo pixels."""
        turned = scaled.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True) if angle else scaled
        rects, scores, _ = self._hog.run(np.asarray(turned), 0, self.settings.score_threshold)
        mapping = FrameMapping(angle, turned.size, scaled.size)
        faces = []
        for rect, score in zip(rects, scores):
            left, top, right, bottom = rect.left(), rect.top(), rect.right() + 1, rect.bottom() + 1
            corners = [mapping.to_photo(x, y) for x, y in ((left, top), (right, top), (left, bottom), (right, bottom))]
            centre = mapping.to_photo((left + right) / 2, (top + bottom) / 2)
            faces.append(DetectedFace(
                box=Box.around_points([(x / scale, y / scale) for x, y in corners]),
                center=(centre[0] / scale, centre[1] / scale),
                size=(right - left) / scale,
                angle=angle,
                score=float(score),
            ))
        return faces


def _scaled(grey: Image.Image, scale: float) -> Image.Image:
    if scale == 1:
        return grey
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    return grey.resize(size, Image.Resampling.BILINEAR)


@dataclass(frozen=True)
class FrameMapping:
    """Maps points of a copy turned by `angle` (PIL: counter-clockwise, expanded) back to the photo."""

    angle: float
    turned_size: tuple[int, int]
    photo_size: tuple[int, int]

    def to_photo(self, x: float, y: float) -> tuple[float, float]:
        dx, dy = rotate_offset(x - self.turned_size[0] / 2, y - self.turned_size[1] / 2, self.angle)
        return dx + self.photo_size[0] / 2, dy + self.photo_size[1] / 2


def _same_face(a: DetectedFace, b: DetectedFace, max_center_shift: float) -> bool:
    """Close centres and similar sizes; box overlap alone would merge neighbours in a crowd."""
    ratio = a.size / max(1.0, b.size)
    return math.dist(a.center, b.center) <= max_center_shift * min(a.size, b.size) and 0.5 <= ratio <= 2.0


# An upright detection's square fits a face better than a turned one's, so it represents the
# face unless a turned pass saw it clearly better (HOG also sees upright faces in the +-20 passes,
# with scores that differ by noise).
UPRIGHT_PREFERENCE = 0.5


def _preference(face: DetectedFace) -> float:
    return face.score + (UPRIGHT_PREFERENCE if face.angle == 0 else 0.0)


def _merge(faces: list[DetectedFace], max_center_shift: float) -> list[DetectedFace]:
    """One detection per face: the geometry of the preferred one (see `_preference`) among those
    that agree on it, with the best score any of them had, so a strong turned detection is never
    dropped for want of confirmation of a weaker upright one."""
    kept: list[DetectedFace] = []
    for face in sorted(faces, key=_preference, reverse=True):
        same = next((i for i, other in enumerate(kept) if _same_face(face, other, max_center_shift)), None)
        if same is None:
            kept.append(face)
        elif face.score > kept[same].score:
            kept[same] = replace(kept[same], score=face.score)
    return kept


def _clip(face: DetectedFace, size: tuple[int, int]) -> DetectedFace:
    return DetectedFace(face.box.clipped(*size), face.center, face.size, face.angle, face.score)
