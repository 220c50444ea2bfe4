"""Finding every face, including small, turned, dark and smeared ones, in photos of any size.

CenterFace (`centerface.py`), a small network that finds faces from about 16 pixels wide, looks at:
- the photo at 0.6 scale (faces from 20 pixels reach 12, where the network sees them weakly and the
  second look below decides), in tiles so memory stays bounded, within a pixel budget (a 48 MP photo
  is seen at half size);
- small copies for faces too big for that copy (up to one filling the photo);
- small copies turned 45 degrees either way, for tilted heads (the network sees faces turned up to
  about 30 degrees as well as upright ones), looking for faces from 30 pixels;
- for photos stored sideways or upside down with no EXIF tag, first glances at small copies turned a
  quarter either way (faces from 75 pixels) and a half (from 110); at each of those angles where a
  face is kept turned (within 22.5 degrees), the photo is looked at again turned that way, closely,
  for faces from 30 pixels. A photo stored sideways shows some of its faces to the glance, and the
  close look finds the rest; an upright photo, the usual case, pays for the glances only;
- for a dark photo, the same copies with their contrast equalised.
Detections from every pass are mapped back to the upright photo and merged.

A low threshold finds weak faces (tiny, tilted, smeared, covered) but also the odd pattern. A face is
kept when the network is sure of it, or when a second look at the spot, turned upright and scaled to
suit the network, finds a face there; the face then takes the box the second look gives it. A face in
a picture inside the photo (a poster, a screen, a printed cover) is a face like any other.
"""
from __future__ import annotations

import copy
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
from PIL import Image, ImageOps

from .centerface import CenterFace, NetworkFace
from .geometry import Box, rotate_offset

NETWORK = "network"


@dataclass(frozen=True)
class DetectorSettings:
    # The smallest face looked for, in photo pixels, as far as the pixel budget below allows.
    min_face_px: int = 20
    # CenterFace sees upright faces from about this width in its input (it is sure of them from about
    # 16): the smallest faces come out weak and are kept only if the second look at 48 pixels finds them.
    # Showing them at 16 would cost 1.8 times the pixels for the same faces found (bench/hard_recall.py and
    # bench/detection_recall.py hide every face either way).
    network_face_px: int = 12
    # The full-detail pass looks at at most this many pixels (in tiles, so memory stays bounded):
    # photos up to about 33 MP are seen with their 20-pixel faces; a 48 MP photo from 24 pixels.
    max_network_pixels: int = 12_000_000
    # The network misjudges faces much over 400 pixels, so big photos also get a copy this small.
    coarse_network_pixels: int = 300_000
    # ...and one whose short side is this long, where a face filling the photo is clearly seen.
    coarse_short_side: int = 128
    # A smaller copy is made only when it is at most this fraction of the copy before it.
    coarse_step: float = 2.0
    # Turned passes, for photos stored a quarter or half turn with no EXIF tag and for tilted
    # heads. The network sees faces of 30 pixels and more turned up to about 30 degrees as well as
    # upright ones (40 degrees at a lower score), so passes 45 degrees apart reach every angle.
    angles: tuple[float, ...] = (90.0, -90.0, 180.0, 45.0, -45.0)
    # The turned glances look for faces from these widths, on a copy of at most this many pixels: quarter
    # turns (the usual way a photo loses its EXIF tag) from 75 pixels, the half turn from 110; the
    # 45-degree passes, for tilted heads in any photo, look from turned_min_face_px at once, on a copy of at
    # most max_tilted_network_pixels (black corners included): a 500x375 photo's at 0.57 scale, so a
    # tilted head from about 50 pixels is clear to it; smaller ones come out weak and the second look,
    # turned to the head's angle, decides (200,000 found no more on the benches and cost 1.6 times as much).
    glance_min_face_px_at: tuple[tuple[float, int], ...] = ((90.0, 75), (-90.0, 75), (180.0, 110))
    max_rotated_network_pixels: int = 200_000
    max_tilted_network_pixels: int = 120_000
    # ...and the close looks, at the angles where a face was found turned, from this width, on a copy
    # of at most this many pixels (a 12 MP photo stored sideways is seen with faces from about 70 px).
    turned_min_face_px: int = 30
    max_turned_close_pixels: int = 2_000_000
    # Turned faces are looked for at this width in the network's input.
    turned_face_px: int = 28
    # Candidates: a real face at 10 to 12 pixels, tilted, smeared or half covered, scores 0.1 to
    # 0.5; the second look (below) decides on anything under 0.5.
    network_threshold: float = 0.15
    # A photo is dark when three quarters of its pixels are below this grey level; a percentile,
    # not the mean, so the black corners of a turned photo do not count as darkness.
    dark_level: float = 70.0
    # Two detections are one face when their centres are within this fraction of the face size.
    merge_center_shift: float = 0.6
    # Detections scoring below this (see `network_score`) need a second look.
    confirm_below: float = 0.5
    # Network confidences count as confirm_below + network_score_scale * (confidence - 0.5).
    network_score_scale: float = 3.0
    # The second look sees the face at this width, and keeps it when the network scores it this much.
    confirm_face_px: int = 48
    # ...and, failing that, at these widths, where a face half covered by a hand (bigger: more of the
    # eyes) or smeared by motion (smaller: the smear shrinks with it) is clearer to it, when the
    # network scores it at least `confirm_other_threshold` (more looks, more chances for a pattern
    # between two faces to pass, so a higher bar).
    confirm_other_face_px: tuple[int, ...] = (64, 24)
    confirm_other_threshold: float = 0.6
    confirm_threshold: float = 0.5

    def glance_min_face_px(self, angle: float) -> int:
        """The smallest face the turned glance at `angle` looks for."""
        return dict(self.glance_min_face_px_at).get(angle, self.turned_min_face_px)

    def glance_budget(self, angle: float) -> int:
        """The most pixels the first turned pass at `angle` may look at: a quarter or half turn's glance, or
        a 45-degree pass for tilted heads."""
        return self.max_rotated_network_pixels if angle in dict(self.glance_min_face_px_at) else self.max_tilted_network_pixels


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
    detector: str = NETWORK


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


@dataclass(frozen=True)
class _PhotoCopies:
    """The photo in RGB, its full-detail copy at `scale`, and whether it is dark. The turned passes share
    copies (a quarter turn either way, the 45-degree turns, their smallest copies), so each is made once."""

    rgb: Image.Image
    fine: Image.Image
    scale: float
    dark: bool
    _for_network: dict[float, Image.Image] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, image: Image.Image, scale: float, dark_level: float) -> "_PhotoCopies":
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        fine = _scaled(rgb, scale)
        return cls(rgb, fine, scale, _percentile(fine.convert("L").histogram(), 75) < dark_level)

    def at(self, wanted: float) -> Image.Image:
        """The photo at `wanted` scale, made from the smallest copy that has enough detail."""
        return _scaled(self.fine, wanted / self.scale) if wanted <= self.scale else _scaled(self.rgb, wanted)

    def for_network(self, wanted: float) -> Image.Image:
        """The copy at `wanted` scale, its contrast equalised when the photo is dark (for turned passes)."""
        if wanted not in self._for_network:
            copy = self.at(wanted)
            self._for_network[wanted] = ImageOps.equalize(copy) if self.dark else copy
        return self._for_network[wanted]


class FaceDetector:
    """Finds faces in photos (see the module's note). Holds no state between calls, so one detector
    may look at several photos at once from different threads; `threads` is per network run."""

    def __init__(self, settings: DetectorSettings = DetectorSettings(), threads: int | None = None, parallel_runs: int = 1):
        """`threads`: the threads of each network run (see CenterFace). `parallel_runs`: how many network runs
        one photo may make at once (its tiles, passes and second looks are independent), so a photo alone on a
        machine uses every core; 1 runs them one after another, in the calling thread."""
        self.settings = settings
        self._network = CenterFace(threads)
        self._runs = ThreadPoolExecutor(parallel_runs, thread_name_prefix="network-run") if parallel_runs > 1 else None

    def one_run_at_a_time(self) -> "FaceDetector":
        """This detector's network and settings, making its runs one after another in the calling thread: for a
        photo that shares the machine with other workers' photos, where more runs would only fight over cores."""
        in_turn = copy.copy(self)
        in_turn._runs = None
        return in_turn

    def _run_all(self, work, items) -> list:
        """`work` on each item, in parallel where this detector may; results in the items' order."""
        return list(self._runs.map(work, items) if self._runs else map(work, items))

    def detect(self, image: Image.Image) -> list[DetectedFace]:
        settings = self.settings
        copies = _PhotoCopies.of(image, self.working_scale(image.size, settings.network_face_px / settings.min_face_px,
                                                          settings.max_network_pixels), settings.dark_level)
        scans = [(source, 0.0, copies.scale)
                 for source in ((copies.fine, ImageOps.equalize(copies.fine)) if copies.dark else (copies.fine,))]
        scans += [(copies.at(coarse_scale), 0.0, coarse_scale) for coarse_scale in self._coarse_scales(image.size, copies.scale)]
        glances = {angle: self._turned_scale(image.size, angle, settings.glance_min_face_px(angle),
                                             settings.glance_budget(angle)) for angle in settings.angles}
        scans += [(copies.for_network(level), angle, level) for angle, glance in glances.items()
                  for level in (glance, *self._coarse_scales(image.size, glance)[-1:])]
        found = self._network_scans(scans)
        looked: dict = {}  # second looks made, so the close looks' round does not repeat them
        kept = self._kept(copies.rgb, found, copies.dark, looked)
        glanced = dict(settings.glance_min_face_px_at)
        close_looks = [(angle, close) for angle in settings.angles
                       if angle in glanced and any(_same_angle(face.angle, angle) for face in kept)
                       if (close := self._turned_scale(image.size, angle, settings.turned_min_face_px,
                                                       settings.max_turned_close_pixels)) > glances[angle]]
        found += self._network_scans([(copies.for_network(close), angle, close) for angle, close in close_looks])
        if close_looks:
            # The first round's faces stay whatever the second round's clusters make of them (a new, weak
            # detection may lead a cluster whose second look fails); _merge below keeps one box per face.
            kept += self._kept(copies.rgb, found, copies.dark, looked)
        # A second look may have moved a weak detection onto a face already kept: one box each.
        return [_clip(face, image.size) for face in _merge(kept, settings.merge_center_shift)]

    def _turned_scale(self, size: tuple[int, int], angle: float, min_face_px: int, max_pixels: int) -> float:
        """The scale at which a copy turned by `angle` shows faces from `min_face_px` to the network,
        or less if the turned copy, black corners included (a 45-degree copy is twice the photo's area),
        would hold more than `max_pixels`."""
        return self.working_scale(size, self.settings.turned_face_px / min_face_px,
                                  int(max_pixels / _turned_area_factor(size, angle)))

    def _kept(self, rgb: Image.Image, found: list[DetectedFace], dark: bool, looked: dict) -> list[DetectedFace]:
        """Sure detections stay; a weak one stays where the network, shown the spot upright and closer,
        sees a face, with the box that closer look gives it (a weak box from a coarse or turned copy
        can straddle two faces, or sit off the face). `looked` keeps the second looks made, by
        (face, seen upright), so a later round does not repeat them."""
        clusters = _cluster(found, self.settings.merge_center_shift)
        weak = [(cluster.face, cluster.seen_upright) for cluster in clusters if cluster.face.score < self.settings.confirm_below]
        wanted = [key for key in dict.fromkeys(weak) if key not in looked]
        looked.update(zip(wanted, self._run_all(
            lambda key: self._second_look(rgb, key[0], dark, also_upright=key[1]), wanted)))
        return [face for cluster in clusters
                if (face := cluster.face if cluster.face.score >= self.settings.confirm_below
                    else looked[(cluster.face, cluster.seen_upright)]) is not None]

    def _coarse_scales(self, size: tuple[int, int], scale: float) -> list[float]:
        """Smaller copies for faces too big for the copy at `scale`: one within `coarse_network_pixels`,
        one whose short side is `coarse_short_side` (a face filling the photo), each only when it is
        much smaller than the copy before it."""
        scales = []
        for wanted in (self.working_scale(size, scale, self.settings.coarse_network_pixels),
                       self.settings.coarse_short_side / min(size)):
            if wanted < (scales[-1] if scales else scale) / self.settings.coarse_step:
                scales.append(wanted)
        return scales

    @staticmethod
    def working_scale(size: tuple[int, int], wanted: float, max_pixels: int) -> float:
        """`wanted`, or less if that would make a copy of more than `max_pixels`."""
        return min(wanted, math.sqrt(max_pixels / (size[0] * size[1])))

    def _network_scans(self, scans: list[tuple[Image.Image, float, float]]) -> list[DetectedFace]:
        """Network passes over already scaled copies, each (copy, angle turned by, scale); results in photo
        pixels. Every tile of every pass is one run, so the runs share the cores evenly."""
        turned = [scaled.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True) if angle else scaled
                  for scaled, angle, _scale in scans]
        seen = self._network.detect_each(turned, self.settings.network_threshold, self._run_all)
        return [self._from_network(face, FrameMapping(angle, turned_copy.size, scaled.size), scale)
                for (scaled, angle, scale), turned_copy, faces in zip(scans, turned, seen) for face in faces]

    def _from_network(self, face: NetworkFace, mapping: "FrameMapping", scale: float) -> DetectedFace:
        # The network's box runs from forehead to chin; dlib's square is about 0.85 of its height and
        # centred 4 % of its height lower (measured on the shared test photos).
        side = NETWORK_SQUARE_SHARE * face.height
        x, y = (face.left + face.right) / 2, (face.top + face.bottom) / 2 + NETWORK_SQUARE_DROP * face.height
        return _face_in_photo(mapping, (x - side / 2, y - side / 2, x + side / 2, y + side / 2), scale,
                              self.network_score(face.score), NETWORK)

    def network_score(self, confidence: float) -> float:
        """A network confidence on the detector's score scale, whose "sure" line is `confirm_below`."""
        return self.settings.confirm_below + self.settings.network_score_scale * (confidence - 0.5)

    def _second_look(self, rgb: Image.Image, face: DetectedFace, dark: bool, also_upright: bool = False) -> DetectedFace | None:
        """The face the network sees nearest the spot, shown upright at `confirm_face_px`, in photo
        pixels with the weak detection's score; None when it sees none there. An upright pass sees a
        small tilted face only weakly, so its candidates are also looked at turned; a turned
        detection that an upright pass also saw (weakly: a hand over the mouth) is looked at upright."""
        settings = self.settings
        looks = [(angle, settings.confirm_face_px) for angle in (face.angle, *(UPRIGHT_SECOND_LOOK_TURNS if face.angle == 0 else ()))]
        looks += [(face.angle, face_px) for face_px in settings.confirm_other_face_px]
        if also_upright and face.angle != 0:
            looks += [(0.0, face_px) for face_px in (settings.confirm_face_px, *settings.confirm_other_face_px)]
        for angle, face_px in looks:
            turned = replace(face, angle=angle)
            patch, square = upright_patch(rgb, turned, face_px, reach=1.0)
            for look in (patch, ImageOps.equalize(patch)) if dark else (patch,):
                threshold = settings.confirm_threshold if face_px == settings.confirm_face_px else settings.confirm_other_threshold
                seen = [other for other in self._network.detect(look, threshold)
                        if math.dist(other.center, square.center) < 0.5 * face_px]
                if seen:
                    nearest = min(seen, key=lambda other: math.dist(other.center, square.center))
                    return self._patch_face_in_photo(nearest, turned, patch.size, face_px / face.size)
        return None

    def _patch_face_in_photo(self, found: NetworkFace, face: DetectedFace, patch_size: tuple[int, int], scale: float) -> DetectedFace:
        """A face seen in `upright_patch(.., face, ..)`, scaled by `scale`, back in photo pixels."""
        seen = self._from_network(found, FrameMapping(face.angle, patch_size, patch_size), scale)
        # The patch is centred on the face's centre; `seen` is relative to the patch's own centre.
        shift_x, shift_y = face.center[0] - patch_size[0] / 2 / scale, face.center[1] - patch_size[1] / 2 / scale
        box = seen.box
        return replace(seen, score=face.score, center=(seen.center[0] + shift_x, seen.center[1] + shift_y),
                       box=Box(math.floor(box.left + shift_x), math.floor(box.top + shift_y),
                               math.ceil(box.right + shift_x), math.ceil(box.bottom + shift_y)))


# An upright candidate is also looked at turned this much: a small tilted face is seen only weakly
# upright, and a small face lying sideways (too small for the turned passes' copies) weakly too.
UPRIGHT_SECOND_LOOK_TURNS = (-30.0, 30.0, 90.0, -90.0)
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


# A face kept at an angle this close to a turned pass's angle calls for that pass's close look: the
# nearest pass, so a head seen tilted 30 degrees by a second look calls for the 45-degree close look.
CLOSE_LOOK_ANGLE = 22.5


def _same_angle(a: float, b: float) -> bool:
    return abs((a - b + 180.0) % 360.0 - 180.0) <= CLOSE_LOOK_ANGLE


def _turned_area_factor(size: tuple[int, int], angle: float) -> float:
    """How much bigger a copy turned by `angle` (expanded to hold it all) is than the photo."""
    radians = math.radians(angle)
    cos, sin = abs(math.cos(radians)), abs(math.sin(radians))
    width, height = size
    return (width * cos + height * sin) * (width * sin + height * cos) / (width * height)


def _percentile(histogram: list[int], percent: float) -> float:
    """numpy.percentile's value (its default, linear method) for the grey levels a histogram counts, from the
    256 counts rather than by sorting millions of pixels."""
    cumulative = np.cumsum(histogram)
    rank = percent / 100 * (cumulative[-1] - 1)
    below, above = (int(np.searchsorted(cumulative, position, side="right")) for position in (math.floor(rank), math.ceil(rank)))
    return below + (rank - math.floor(rank)) * (above - below)


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
    seen_upright: bool = False  # some upright pass saw this face, however weakly


def _cluster(faces: list[DetectedFace], max_center_shift: float) -> list[_Cluster]:
    """One detection per face: the geometry of the preferred one (see `_preference`) among those
    that agree on it, with the best score any of them had, so a strong turned detection is never
    dropped for want of confirmation of a weaker upright one; and which detectors saw it. A pass that
    sees a face turned well away from its own angle much smaller than it is, so when a sure view saw
    the face at least MISJUDGED_SIZE times as big, the face takes that size."""
    kept: list[_Cluster] = []
    for face in sorted(faces, key=_preference, reverse=True):
        same = next((i for i, other in enumerate(kept) if _same_face(face, other.face, max_center_shift)), None)
        if same is None:
            kept.append(_Cluster(face, frozenset({face.detector}), face.angle == 0))
        else:
            cluster = kept[same]
            best = cluster.face if cluster.face.score >= face.score else replace(cluster.face, score=face.score)
            if face.size > MISJUDGED_SIZE * best.size and face.score >= SURE_SCORE:
                best = _with_size(best, face.size)
            kept[same] = _Cluster(best, cluster.detectors | {face.detector}, cluster.seen_upright or face.angle == 0)
    return kept


# A detection this sure may set the size of the face it agrees with (the score scale's "sure" line),
# when it saw the face at least this much bigger: views of one face at its own angle differ by up to
# 1.4 times on the annotated photos, a view 60 degrees off by 1.7.
SURE_SCORE = 0.5
MISJUDGED_SIZE = 1.5


def _with_size(face: DetectedFace, size: float) -> DetectedFace:
    half = size / 2
    corners = [face.center[0] + dx for dx in (-half, half)], [face.center[1] + dy for dy in (-half, half)]
    points = [(face.center[0] + ox, face.center[1] + oy)
              for ox, oy in (rotate_offset(x - face.center[0], y - face.center[1], face.angle)
                             for x in corners[0] for y in corners[1])]
    return replace(face, size=size, box=Box.around_points(points))


def _merge(faces: list[DetectedFace], max_center_shift: float) -> list[DetectedFace]:
    return [cluster.face for cluster in _cluster(faces, max_center_shift)]


def _clip(face: DetectedFace, size: tuple[int, int]) -> DetectedFace:
    return replace(face, box=face.box.clipped(*size))
