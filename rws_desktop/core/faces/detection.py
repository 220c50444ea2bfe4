"""Finding every face, including small, turned and dark ones, in photos of any size.

Two detectors look at every photo, each where it is cheap and strong:
- CenterFace (`centerface.py`), a small network that finds faces from about 16 pixels wide, on a
  copy scaled down so that the smallest faces that matter just reach that size (a 12-megapixel
  photo is looked at through a 2.5-megapixel copy), plus a small copy for faces too big for it, plus
  small copies turned either way for tilted faces;
- dlib's HOG detector, which needs faces 80 pixels wide, on a copy within a small pixel budget:
  small photos are scaled up so their 20-pixel faces reach it; in big photos it sees the big faces.
A dark photo is looked at again with its contrast stretched. Detections from every pass are mapped
back to the upright photo and merged.

Low thresholds find weak faces but also the odd pattern (a mirror frame, a knot in wood). A face is
kept when either detector is sure of it, or when a second look at the spot, turned upright and
scaled to suit the network, finds a face there; a weak HOG detection the network does not confirm
gets a last look from dlib's CNN detector. On the annotated photos and their variants no face is
lost this way, and the mirror frames that both detectors see weakly are dropped.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageOps

from .centerface import CenterFace, NetworkFace
from .geometry import Box, rotate_offset

HOG_WINDOW_PX = 80
HOG = "hog"
NETWORK = "network"


@dataclass(frozen=True)
class DetectorSettings:
    # The smallest face looked for, in photo pixels, as far as the pixel budgets below allow.
    min_face_px: int = 20
    # CenterFace is sure of faces from about this width in its input.
    network_face_px: int = 16
    # Caps on the network's copies: beyond these, big photos trade their smallest faces for time.
    max_network_pixels: int = 2_500_000
    max_rotated_network_pixels: int = 400_000
    # The network misjudges faces much over 400 pixels, so big photos also get a copy this small.
    coarse_network_pixels: int = 300_000
    # The network sees faces tilted 15 degrees as well as upright ones and weakens beyond, so these
    # passes reach faces turned 45 degrees and more.
    angles: tuple[float, ...] = (-30.0, 30.0)
    # Candidates: a real face at 10 to 12 pixels, or tilted 30 degrees, scores 0.1 to 0.5; the
    # second look (below) decides on anything under 0.5.
    network_threshold: float = 0.15
    # HOG's copy: enough to bring `min_face_px` faces up to its window, within this budget.
    max_working_pixels: int = 2_000_000
    # Well below dlib's default of 0: on the annotated test photos and their turned, shrunk, dark
    # and enlarged copies the weakest real faces scored about -0.25.
    score_threshold: float = -0.4
    # A photo is dark when three quarters of its pixels are below this grey level; a percentile,
    # not the mean, so the black corners of a turned photo do not count as darkness.
    dark_level: float = 70.0
    # Two detections are one face when their centres are within this fraction of the face size.
    merge_center_shift: float = 0.6
    # Detections scoring below this (on HOG's scale, see `network_score`) need a second look.
    confirm_below: float = 0.5
    # Network confidences count as confirm_below + network_score_scale * (confidence - 0.5) on HOG's scale.
    network_score_scale: float = 3.0
    # The second look sees the face at this width, and keeps it when the network scores it this much.
    confirm_face_px: int = 48
    confirm_threshold: float = 0.5
    # dlib's CNN detector, the second look at weak HOG detections the network did not confirm, sees
    # the face at this width; it finds faces from about 40 pixels.
    cnn_face_px: int = 90


@dataclass(frozen=True)
class DetectedFace:
    """A face as the detectors saw it best, mapped into upright-photo pixels.

    The face is a square of side `size` centred on `center`, turned so that rotating the photo
    by `angle` degrees (counter-clockwise, as PIL does) would make it upright. `box` is the
    axis-aligned box around that square. The square is dlib's (eyes, nose and mouth); the
    network's taller boxes are mapped onto it. `score` is on HOG's scale whichever detector saw it.
    """

    box: Box
    center: tuple[float, float]
    size: float
    angle: float
    score: float
    detector: str = HOG


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
        self._network = CenterFace()
        self._cnn = None

    def detect(self, image: Image.Image) -> list[DetectedFace]:
        settings = self.settings
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        scale = self.working_scale(image.size, settings.network_face_px / settings.min_face_px, settings.max_network_pixels)
        fine = _scaled(rgb, scale)

        def copy_at(wanted: float) -> Image.Image:
            """The photo at `wanted` scale, made from the smallest copy that has enough detail."""
            return _scaled(fine, wanted / scale) if wanted <= scale else _scaled(rgb, wanted)

        dark = np.percentile(np.asarray(fine.convert("L")), 75) < settings.dark_level
        found: list[DetectedFace] = []
        for source in (fine, ImageOps.equalize(fine)) if dark else (fine,):
            found += self._network_scan(source, 0.0, scale)
        coarse_scale = self.working_scale(image.size, scale, settings.coarse_network_pixels)
        if coarse_scale < scale / 2:
            found += self._network_scan(copy_at(coarse_scale), 0.0, coarse_scale)
        turned_scale = self.working_scale(image.size, scale, settings.max_rotated_network_pixels)
        turned_source = copy_at(turned_scale)
        for angle in settings.angles:
            found += self._network_scan(turned_source, angle, turned_scale)

        hog_scale = self.working_scale(image.size, HOG_WINDOW_PX / settings.min_face_px, settings.max_working_pixels)
        hog_source = copy_at(hog_scale).convert("L")
        for source in (hog_source, ImageOps.equalize(hog_source)) if dark else (hog_source,):
            found += self._hog_scan(source, hog_scale)

        kept = [cluster.face for cluster in _cluster(found, settings.merge_center_shift) if self._keep(rgb, cluster)]
        return [_clip(face, image.size) for face in kept]

    def _keep(self, rgb: Image.Image, cluster: "_Cluster") -> bool:
        """Sure detections stay; weak ones stay if the network, shown the spot upright and closer, is
        sure of a face there, or, for what HOG saw, if dlib's CNN detector finds one."""
        if cluster.face.score >= self.settings.confirm_below:
            return True
        if self._network_confirms(rgb, cluster.face):
            return True
        return HOG in cluster.detectors and self._cnn_confirms(rgb, cluster.face)

    @staticmethod
    def working_scale(size: tuple[int, int], wanted: float, max_pixels: int) -> float:
        """`wanted`, or less if that would make a copy of more than `max_pixels`."""
        return min(wanted, math.sqrt(max_pixels / (size[0] * size[1])))

    def _network_scan(self, scaled: Image.Image, angle: float, scale: float) -> list[DetectedFace]:
        """One network pass over an already scaled copy, turned by `angle`; results in photo pixels."""
        turned = scaled.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True) if angle else scaled
        mapping = FrameMapping(angle, turned.size, scaled.size)
        return [self._from_network(face, mapping, scale)
                for face in self._network.detect(turned, self.settings.network_threshold)]

    def _from_network(self, face: NetworkFace, mapping: "FrameMapping", scale: float) -> DetectedFace:
        # The network's box runs from forehead to chin; dlib's square is about 0.85 of its height and
        # centred 4 % of its height lower (measured on the shared test photos).
        side = NETWORK_SQUARE_SHARE * face.height
        x, y = (face.left + face.right) / 2, (face.top + face.bottom) / 2 + NETWORK_SQUARE_DROP * face.height
        return _face_in_photo(mapping, (x - side / 2, y - side / 2, x + side / 2, y + side / 2), scale,
                              self.network_score(face.score), NETWORK)

    def network_score(self, confidence: float) -> float:
        """A network confidence on HOG's scale: the two detectors' "sure" lines meet at `confirm_below`."""
        return self.settings.confirm_below + self.settings.network_score_scale * (confidence - 0.5)

    def _hog_scan(self, scaled: Image.Image, scale: float) -> list[DetectedFace]:
        """One upright HOG pass over an already scaled copy; results in photo pixels."""
        rects, scores, _ = self._hog.run(np.asarray(scaled), 0, self.settings.score_threshold)
        mapping = FrameMapping(0.0, scaled.size, scaled.size)
        return [_face_in_photo(mapping, (rect.left(), rect.top(), rect.right() + 1, rect.bottom() + 1), scale, float(score), HOG)
                for rect, score in zip(rects, scores)]

    def _network_confirms(self, rgb: Image.Image, face: DetectedFace) -> bool:
        # An upright pass sees a small tilted face only weakly, so its candidates are also looked at turned.
        for angle in (face.angle, *(a for a in self.settings.angles if face.angle == 0)):
            patch, square = upright_patch(rgb, replace(face, angle=angle), self.settings.confirm_face_px, reach=1.0)
            seen = self._network.detect(patch, self.settings.confirm_threshold)
            if any(math.dist(other.center, square.center) < 0.5 * self.settings.confirm_face_px for other in seen):
                return True
        return False

    def _cnn_confirms(self, rgb: Image.Image, face: DetectedFace) -> bool:
        patch, square = upright_patch(rgb, face, self.settings.cnn_face_px, reach=1.0)
        for detection in self._cnn_detector()(np.asarray(patch), 0):
            rect = detection.rect
            centre = ((rect.left() + rect.right()) / 2, (rect.top() + rect.bottom()) / 2)
            if math.dist(centre, square.center) < 0.5 * self.settings.cnn_face_px:
                return True
        return False

    def _cnn_detector(self):
        if self._cnn is None:  # loaded on the first weak HOG detection the network did not confirm
            import dlib
            import face_recognition_models

            self._cnn = dlib.cnn_face_detection_model_v1(face_recognition_models.cnn_face_detector_model_location())
        return self._cnn


NETWORK_SQUARE_SHARE = 0.85
NETWORK_SQUARE_DROP = 0.04


def _face_in_photo(mapping: "FrameMapping", box: tuple[float, float, float, float], scale: float, score: float, detector: str) -> DetectedFace:
    left, top, right, bottom = box
    corners = [mapping.to_photo(x, y) for x, y in ((left, top), (right, top), (left, bottom), (right, bottom))]
    centre = mapping.to_photo((left + right) / 2, (top + bottom) / 2)
    return DetectedFace(
        box=Box.around_points([(x / scale, y / scale) for x, y in corners]),
        center=(centre[0] / scale, centre[1] / scale),
        size=(right - left) / scale,
        angle=mapping.angle,
        score=score,
        detector=detector,
    )


def _scaled(image: Image.Image, scale: float) -> Image.Image:
    if scale == 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # reducing_gap first shrinks by a whole factor (cheap), then resamples the rest: half the time.
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=1.0 if scale < 1 else None)


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
# face unless a turned pass saw it clearly better (detectors also see upright faces in the turned
# passes, with scores that differ by noise).
UPRIGHT_PREFERENCE = 0.5


def _preference(face: DetectedFace) -> float:
    return face.score + (UPRIGHT_PREFERENCE if face.angle == 0 else 0.0)


@dataclass(frozen=True)
class _Cluster:
    face: DetectedFace
    detectors: frozenset[str]


def _cluster(faces: list[DetectedFace], max_center_shift: float) -> list[_Cluster]:
    """One detection per face: the geometry of the preferred one (see `_preference`) among those
    that agree on it, with the best score any of them had, so a strong turned detection is never
    dropped for want of confirmation of a weaker upright one; and which detectors saw it."""
    kept: list[_Cluster] = []
    for face in sorted(faces, key=_preference, reverse=True):
        same = next((i for i, other in enumerate(kept) if _same_face(face, other.face, max_center_shift)), None)
        if same is None:
            kept.append(_Cluster(face, frozenset({face.detector})))
        else:
            best = kept[same].face if kept[same].face.score >= face.score else replace(kept[same].face, score=face.score)
            kept[same] = _Cluster(best, kept[same].detectors | {face.detector})
    return kept


def _merge(faces: list[DetectedFace], max_center_shift: float) -> list[DetectedFace]:
    return [cluster.face for cluster in _cluster(faces, max_center_shift)]


def _clip(face: DetectedFace, size: tuple[int, int]) -> DetectedFace:
    return replace(face, box=face.box.clipped(*size))
