"""Hand-boxed group photos turned into the variants the product must survive, and the measures of success.

Used by tests/core/test_detection_recall.py and bench/detection_recall.py. Every variant is
written to a JPEG file because the pipeline loads files (and the sideways variant only
exists as a file: its EXIF orientation tag is what the loader has to honour). Ground-truth
boxes are always given in the variant's UPRIGHT pixel coordinates, which is the frame
`load_photo` hands to detection and redaction. `face_hidden` is the spec's measure as stated;
`assess_redaction` applies it to a turned variant only after turning the photo back, because
face_recognition cannot read tilted faces (see PhotoVariant.to_measuring_frame).
"""
from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageEnhance

from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.redaction import DETAIL_ENERGY_FLOOR, MAX_DETAIL_KEPT, detail_ratio, keeps_detail

VARIANT_JPEG_QUALITY = 95
EXIF_ORIENTATION_TAG = 0x0112
# Orientation 6: "rotate 90 degrees clockwise to view", what a phone held on its side writes.
SIDEWAYS_ORIENTATION = 6
TWELVE_MEGAPIXELS = 12_000_000
SMALL_IN_12MP_FRAME = (4000, 3000)
SMALL_IN_12MP_BACKGROUND = (118, 124, 112)  # a dull grey-green, like a playing field in shade
SHRINK_FACTOR = 0.6
DARKEN_FACTOR = 0.3
ROTATION_ANGLES = (15, 30, 45, -15, -30, -45)

# The product spec's two tests of "blurred beyond recognition"; a face must pass both.
MIN_ENCODING_DISTANCE = 0.6  # face_recognition's own same-person tolerance
FACE_CORE_INSET = 0.15  # detail is judged on the box less 15 % each side
# JPEG re-encoding moves pixels by a few levels; more than this is a real edit.
CHANGED_PIXEL_LEVEL = 24


@dataclass(frozen=True)
class AnnotatedPhoto:
    path: Path
    faces: list[Box]


@dataclass(frozen=True)
class PhotoVariant:
    name: str
    source: Path  # the annotated photo it was made from
    path: Path  # the JPEG to feed to the pipeline
    faces: list[Box]  # ground truth, in the upright pixels `load_photo(path)` returns
    measuring_faces: list[Box]  # the same faces (same order) in the frame `to_measuring_frame` gives
    tilt: float = 0.0  # degrees the variant turned the photo, counter-clockwise
    unturned_size: tuple[int, int] | None = None  # the photo's size before that turn

    def to_measuring_frame(self, upright: Image.Image) -> Image.Image:
        """Turn a turned variant back, so its faces are upright again and line up with `measuring_faces`.

        Why: face_recognition only reads upright faces. Unblurred, a face turned 30-45 degrees
        is often 0.6 or more from the same face upright, so comparing two tilted encodings says
        nothing about recognisability. Other variants are measured as they are.
        """
        if not (self.tilt and self.unturned_size):
            return upright
        image = upright.rotate(-self.tilt, resample=Image.Resampling.BICUBIC, expand=True)
        width, height = self.unturned_size
        left, top = round((image.width - width) / 2), round((image.height - height) / 2)
        return image.crop((left, top, left + width, top + height))


def read_imglab_boxes(xml_path: Path) -> list[AnnotatedPhoto]:
    """Faces from a dlib imglab file: `<box top left width height>` per face, in stored-image pixels."""
    root = ElementTree.parse(xml_path).getroot()
    photos = []
    for image in root.iter("image"):
        faces = []
        for box in image.iter("box"):
            if box.get("ignore") == "1":
                continue
            left, top = int(box.get("left")), int(box.get("top"))
            faces.append(Box(left, top, left + int(box.get("width")), top + int(box.get("height"))))
        photos.append(AnnotatedPhoto(xml_path.parent / image.get("file"), faces))
    return photos


# --- variants -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Made:
    image: Image.Image  # the pixels as stored in the file
    faces: list[Box]  # ground truth in the upright frame
    exif_orientation: int | None = None
    tilt: float = 0.0


def _original(image: Image.Image, faces: list[Box]) -> _Made:
    return _Made(image, list(faces))


def _rotated(angle: float) -> Callable[[Image.Image, list[Box]], _Made]:
    def make(image: Image.Image, faces: list[Box]) -> _Made:
        turned = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
        return _Made(turned, [_rotate_box(box, angle, image.size, turned.size) for box in faces], tilt=angle)
    return make


def _rotate_box(box: Box, angle: float, size: tuple[int, int], turned_size: tuple[int, int]) -> Box:
    """Bounding box of the box's 4 corners after PIL's counter-clockwise, expanding rotation."""
    radians = math.radians(angle)
    cos, sin = math.cos(radians), math.sin(radians)
    corners = [(box.left, box.top), (box.right, box.top), (box.left, box.bottom), (box.right, box.bottom)]
    turned = []
    for x, y in corners:
        dx, dy = x - size[0] / 2, y - size[1] / 2
        # y points down, so a counter-clockwise turn on screen is this matrix.
        turned.append((cos * dx + sin * dy + turned_size[0] / 2, -sin * dx + cos * dy + turned_size[1] / 2))
    return Box.around_points(turned).clipped(*turned_size)


def _scaled_box(box: Box, scale_x: float, scale_y: float) -> Box:
    # Outward rounding: the ground truth must never shrink inside the face.
    return Box(math.floor(box.left * scale_x), math.floor(box.top * scale_y),
               math.ceil(box.right * scale_x), math.ceil(box.bottom * scale_y))


def _resized(image: Image.Image, faces: list[Box], scale: float, resample: Image.Resampling) -> _Made:
    new_size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    scale_x, scale_y = new_size[0] / image.width, new_size[1] / image.height
    return _Made(image.resize(new_size, resample), [_scaled_box(box, scale_x, scale_y) for box in faces])


def _shrunk(image: Image.Image, faces: list[Box]) -> _Made:
    return _resized(image, faces, SHRINK_FACTOR, Image.Resampling.LANCZOS)


def _enlarged_to_12mp(image: Image.Image, faces: list[Box]) -> _Made:
    # A camera's full-size frame: 500x375 becomes 4000x3000, a portrait photo 3000x4000.
    scale = math.sqrt(TWELVE_MEGAPIXELS / (image.width * image.height))
    return _resized(image, faces, scale, Image.Resampling.BICUBIC)


def _small_in_12mp(image: Image.Image, faces: list[Box]) -> _Made:
    # The group as it is (faces 37 to 90 pixels wide), in the middle of a 12-megapixel frame: people
    # far off in a full-size phone photo. A detector looking at a shrunk copy must still see them.
    frame = Image.new("RGB", SMALL_IN_12MP_FRAME, SMALL_IN_12MP_BACKGROUND)
    left, top = (frame.width - image.width) // 2, (frame.height - image.height) // 2
    frame.paste(image, (left, top))
    return _Made(frame, [Box(b.left + left, b.top + top, b.right + left, b.bottom + top) for b in faces])


def _darkened(image: Image.Image, faces: list[Box]) -> _Made:
    return _Made(ImageEnhance.Brightness(image).enhance(DARKEN_FACTOR), list(faces))


def _stored_sideways(image: Image.Image, faces: list[Box]) -> _Made:
    # Pixels turned a quarter counter-clockwise; orientation 6 tells viewers to turn them back.
    return _Made(image.transpose(Image.Transpose.ROTATE_90), list(faces), SIDEWAYS_ORIENTATION)


VARIANT_MAKERS: dict[str, Callable[[Image.Image, list[Box]], _Made]] = {
    "original": _original,
    **{f"rotated_{angle:+d}": _rotated(angle) for angle in ROTATION_ANGLES},
    "shrunk_60pct": _shrunk,
    "darkened_x0.3": _darkened,
    "enlarged_12mp": _enlarged_to_12mp,
    "small_in_12mp": _small_in_12mp,
    "exif_sideways": _stored_sideways,
}
VARIANT_NAMES = tuple(VARIANT_MAKERS)


def build_variant(photo: AnnotatedPhoto, variant_name: str, out_dir: Path) -> PhotoVariant:
    with Image.open(photo.path) as stored:
        # imglab boxes are in the stored pixels, so no EXIF turn is applied to the source here.
        image = stored.convert("RGB")
    made = VARIANT_MAKERS[variant_name](image, photo.faces)
    path = Path(out_dir) / f"{photo.path.stem}__{variant_name}.jpg"
    options: dict = {"quality": VARIANT_JPEG_QUALITY}
    if made.exif_orientation is not None:
        exif = Image.Exif()
        exif[EXIF_ORIENTATION_TAG] = made.exif_orientation
        options["exif"] = exif.tobytes()
    made.image.save(path, "JPEG", **options)
    return PhotoVariant(
        variant_name, photo.path, path, made.faces,
        # A turned variant is measured turned back, where the source's own boxes fit again.
        measuring_faces=list(photo.faces) if made.tilt else list(made.faces),
        tilt=made.tilt,
        unturned_size=image.size if made.tilt else None,
    )


def build_variants(photos: list[AnnotatedPhoto], out_dir: Path, names: tuple[str, ...] = VARIANT_NAMES) -> list[PhotoVariant]:
    """Every named variant of every photo, written as JPEGs into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [build_variant(photo, name, out_dir) for name in names for photo in photos]


# --- measures -------------------------------------------------------------------------------

@dataclass(frozen=True)
class HidingCheck:
    """Both measures for one ground-truth face; `encoding_distance` is None when the encoder could not run."""

    box: Box
    encoding_distance: float | None
    detail_kept: float
    keeps_detail: bool  # the product's own measure: ratio and absolute energy at face scale

    @property
    def hidden(self) -> bool:
        detail_gone = not self.keeps_detail
        if self.encoding_distance is None:
            return detail_gone  # fallback: the detail measure alone
        return detail_gone and self.encoding_distance >= MIN_ENCODING_DISTANCE

    def describe(self) -> str:
        distance = "encoder n/a" if self.encoding_distance is None else f"encoding distance {self.encoding_distance:.2f}"
        return f"{distance} (needs >= {MIN_ENCODING_DISTANCE}), detail kept {self.detail_kept:.3f} (needs <= {MAX_DETAIL_KEPT}, or flat below energy {DETAIL_ENERGY_FLOOR})"


def check_hidden(original_upright: Image.Image, output: Image.Image, box: Box) -> HidingCheck:
    if original_upright.size != output.size:
        raise ValueError(f"output is {output.size}, original is {original_upright.size}")
    before = _encode_face(original_upright, box)
    after = _encode_face(output, box) if before is not None else None
    # A face the encoder finds nothing in after blurring is as far from the original as it gets.
    distance = None if before is None else (math.inf if after is None else float(np.linalg.norm(before - after)))
    face = face_core(box)
    return HidingCheck(box, distance, detail_ratio(original_upright, output, face), keeps_detail(original_upright, output, face))


def face_core(box: Box) -> Box:
    """The middle of a hand-drawn box, where the face is. The annotations are loose squares
    whose corners hold hair and background; the encoder still sees the whole box."""
    inset_x, inset_y = round(box.width * FACE_CORE_INSET), round(box.height * FACE_CORE_INSET)
    return Box(box.left + inset_x, box.top + inset_y, box.right - inset_x, box.bottom - inset_y)


def face_hidden(original_upright: Image.Image, output: Image.Image, box: Box) -> bool:
    """True when the face in `box` is blurred beyond recognition by both of the spec's measures."""
    return check_hidden(original_upright, output, box).hidden


@cache
def _face_encodings_function():
    import face_recognition  # deferred: importing it loads dlib's models

    return face_recognition.face_encodings


def _encode_face(image: Image.Image, box: Box) -> np.ndarray | None:
    inside = box.clipped(*image.size)
    if inside.width < 2 or inside.height < 2:
        return None
    # Only a neighbourhood is converted: the aligned chip needs a little context, not a 12 MP array.
    margin = max(inside.width, inside.height)
    area = Box(inside.left - margin, inside.top - margin, inside.right + margin, inside.bottom + margin).clipped(*image.size)
    pixels = np.asarray(image.crop((area.left, area.top, area.right, area.bottom)).convert("RGB"))
    location = (inside.top - area.top, inside.right - area.left, inside.bottom - area.top, inside.left - area.left)
    try:
        found = _face_encodings_function()(pixels, known_face_locations=[location])
    except RuntimeError:  # dlib refuses degenerate inputs
        return None
    return found[0] if found else None


def changed_away_from_faces(original_upright: Image.Image, output: Image.Image, boxes: list[Box]) -> float:
    """Share of pixels outside every box (grown to twice its size about its centre) that really changed."""
    if original_upright.size != output.size:
        raise ValueError(f"output is {output.size}, original is {original_upright.size}")
    before = np.asarray(original_upright.convert("RGB"), dtype=np.int16)
    after = np.asarray(output.convert("RGB"), dtype=np.int16)
    changed = np.abs(before - after).max(axis=2) > CHANGED_PIXEL_LEVEL
    away = np.ones(changed.shape, dtype=bool)
    for box in boxes:
        near = box.grown(0.5, 0.5, 0.5).clipped(*original_upright.size)
        away[near.top:near.bottom, near.left:near.right] = False
    return float(changed[away].mean()) if away.any() else 0.0


@dataclass(frozen=True)
class RedactionOutcome:
    """How one redacted variant fares: each ground-truth face's check, and the change away from faces."""

    variant: PhotoVariant
    checks: list[HidingCheck]  # one per face, boxes in the measuring frame
    changed_away: float

    @property
    def missed(self) -> list[tuple[Box, HidingCheck]]:
        """Faces not hidden, each with its box in the variant's upright frame."""
        return [(box, check) for box, check in zip(self.variant.faces, self.checks) if not check.hidden]

    @property
    def encoder_fallbacks(self) -> list[Box]:
        return [box for box, check in zip(self.variant.faces, self.checks) if check.encoding_distance is None]


def assess_redaction(variant: PhotoVariant, original_upright: Image.Image, output: Image.Image) -> RedactionOutcome:
    measured_original = variant.to_measuring_frame(original_upright)
    measured_output = variant.to_measuring_frame(output)
    checks = [check_hidden(measured_original, measured_output, box) for box in variant.measuring_faces]
    return RedactionOutcome(variant, checks, changed_away_from_faces(original_upright, output, variant.faces))
