"""The hard shapes photos come in, made from hand-boxed photos, and a fair measure of a face hidden in them.

Used by bench/hard_recall.py (on the shared photos) and tests/core/faces/test_hard_shapes.py. Each
shape turns one or more source photos (pixels as stored, boxes in those pixels) into a photo file
as a school would receive it: turned a quarter or half with no EXIF tag, turned 60 degrees, smeared
by motion, dark and grainy, with the lower face covered, JPEG-crushed, or shrunk to ~21-pixel faces
inside a 12-megapixel frame.

A face is judged where it can be read: the output is turned, scaled or brightened back into the
source photo's frame ("undone") and its face compared with the CLEAN source face, because a
degraded face that is left sharp can already be far from its degraded self in encoder terms. A face
counts as hidden when (1) face_recognition puts it at least 0.6 from the clean source face and (2)
the product's own detail measure finds none of the input's fine detail left in the middle of the
face (measured in the undone frame, or in the photo itself for shrunk faces, where scaling back up
would invent smoothness).
"""
from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.redaction import keeps_detail

MIN_ENCODING_DISTANCE = 0.6  # face_recognition's own same-person tolerance
FACE_CORE_INSET = 0.15  # detail is judged on the box less 15 % each side
CHANGED_PIXEL_LEVEL = 24  # JPEG noise moves pixels a few levels; more is a real edit
SHAPE_JPEG_QUALITY = 95
CRUSHED_JPEG_QUALITY = 8
TURN_DEGREES = 60.0
DARK_FACTOR = 0.25
GRAIN_SIGMA = 5.0  # grey levels of noise on the darkened photo
MOTION_SHARE = 0.2  # the smear's length as a share of the photo's median face width
TINY_FACE_PX = 21
TWELVE_MP_FRAME = (4000, 3000)


@dataclass(frozen=True)
class SourcePhoto:
    path: Path
    faces: list[Box]  # in the stored pixels

    def image(self) -> Image.Image:
        with Image.open(self.path) as stored:
            return stored.convert("RGB")  # boxes are in stored pixels: no EXIF turn here


def annotated_sources(testdata: Path) -> list[SourcePhoto]:
    """annotated/training.xml: dlib imglab boxes `<box top left width height>`."""
    xml_path = testdata / "annotated" / "training.xml"
    photos = []
    for image in ElementTree.parse(xml_path).getroot().iter("image"):
        faces = [Box(int(b.get("left")), int(b.get("top")), int(b.get("left")) + int(b.get("width")),
                     int(b.get("top")) + int(b.get("height"))) for b in image.iter("box") if b.get("ignore") != "1"]
        photos.append(SourcePhoto(xml_path.parent / image.get("file"), faces))
    return photos


def hard_sources(testdata: Path) -> list[SourcePhoto]:
    """hard/faces.json: `[left, top, right, bottom]` per face."""
    boxes = json.loads((testdata / "hard" / "faces.json").read_text())
    return [SourcePhoto(testdata / "hard" / name, [Box(*box) for box in faces]) for name, faces in sorted(boxes.items())]


@dataclass(frozen=True)
class Placement:
    """One source photo inside a shaped photo, and how to bring the shaped photo back to its frame."""

    source: SourcePhoto
    faces: list[Box]  # the source's faces in the shaped photo's pixels (bounding boxes when turned)
    undo: Callable[[Image.Image], Image.Image]  # shaped-photo pixels -> source-photo pixels
    detail_in_shape: bool = False  # judge detail in the shaped photo (shrunk faces) rather than undone


@dataclass(frozen=True)
class ShapedPhoto:
    shape: str
    path: Path
    placements: list[Placement] = field(default_factory=list)

    @property
    def faces(self) -> list[Box]:
        return [box for placement in self.placements for box in placement.faces]


# --- shapes ---------------------------------------------------------------------------------

def _identity(image: Image.Image) -> Image.Image:
    return image


def _median_face(source: SourcePhoto) -> float:
    return float(np.median([box.width for box in source.faces]))


def _turned_box(box: Box, angle: float, size: tuple[int, int], turned_size: tuple[int, int]) -> Box:
    """The box's corners after PIL's counter-clockwise, expanding turn, boxed."""
    radians = math.radians(angle)
    cos, sin = math.cos(radians), math.sin(radians)
    points = []
    for x, y in ((box.left, box.top), (box.right, box.top), (box.left, box.bottom), (box.right, box.bottom)):
        dx, dy = x - size[0] / 2, y - size[1] / 2
        points.append((cos * dx + sin * dy + turned_size[0] / 2, -sin * dx + cos * dy + turned_size[1] / 2))
    return Box.around_points(points).clipped(*turned_size)


def _turn(angle: float) -> Callable[[SourcePhoto, Image.Image], tuple[Image.Image, Placement]]:
    quarter = {90.0: Image.Transpose.ROTATE_90, 180.0: Image.Transpose.ROTATE_180, 270.0: Image.Transpose.ROTATE_270}

    def make(source: SourcePhoto, image: Image.Image):
        if angle in quarter:
            turned = image.transpose(quarter[angle])
            back = quarter[(360.0 - angle) % 360.0] if angle != 180.0 else Image.Transpose.ROTATE_180

            def undo(shaped: Image.Image) -> Image.Image:
                return shaped.transpose(back)
        else:
            turned = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)

            def undo(shaped: Image.Image) -> Image.Image:
                back = shaped.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True)
                left, top = round((back.width - image.width) / 2), round((back.height - image.height) / 2)
                return back.crop((left, top, left + image.width, top + image.height))
        faces = [_turned_box(box, angle, image.size, turned.size) for box in source.faces]
        return turned, Placement(source, faces, undo)
    return make


def _motion_blur(source: SourcePhoto, image: Image.Image):
    length = max(5, round(MOTION_SHARE * _median_face(source))) | 1
    # The average of `length` copies shifted along a line: diagonal for some photos, sideways for the
    # rest (stable per name), with the photo mirrored at its edges.
    down = 1 if sum(source.path.name.encode()) % 2 else 0
    reach = length // 2
    pixels = np.asarray(image, dtype=np.float32)
    height, width = pixels.shape[:2]
    padded = np.pad(pixels, ((reach, reach), (reach, reach), (0, 0)), mode="symmetric")
    total = np.zeros_like(pixels)
    for step in range(-reach, reach + 1):
        top, left = reach + step * down, reach + step
        total += padded[top:top + height, left:left + width]
    smeared = np.clip(np.rint(total / length), 0, 255).astype(np.uint8)
    return Image.fromarray(smeared), Placement(source, list(source.faces), _identity)


def _dark_and_grainy(source: SourcePhoto, image: Image.Image):
    rng = np.random.default_rng(len(source.path.name))
    dark = np.asarray(image, np.float32) * DARK_FACTOR
    grainy = np.clip(dark + rng.normal(0.0, GRAIN_SIGMA, dark.shape), 0, 255).astype(np.uint8)

    def undo(shaped: Image.Image) -> Image.Image:  # brightened back, so detail is measured at the face's real contrast
        return Image.fromarray(np.clip(np.asarray(shaped, np.float32) / DARK_FACTOR, 0, 255).astype(np.uint8))
    return Image.fromarray(grainy), Placement(source, list(source.faces), undo)


MASK_BLUE = (196, 214, 232)
HAND_SKIN = (214, 170, 140)


def _lower_face_covered(source: SourcePhoto, image: Image.Image):
    """A surgical mask (odd faces) or a hand (even faces) over the face from below the nose."""
    covered = image.copy()
    draw = ImageDraw.Draw(covered)
    for index, box in enumerate(source.faces):
        top = box.top + 0.55 * box.height
        area = (box.left - 0.05 * box.width, top, box.right + 0.05 * box.width, box.bottom + 0.1 * box.height)
        draw.rounded_rectangle(area, radius=0.2 * box.width, fill=MASK_BLUE if index % 2 else HAND_SKIN)
    return covered, Placement(source, list(source.faces), _identity)


def _as_is(source: SourcePhoto, image: Image.Image):
    return image, Placement(source, list(source.faces), _identity)


SINGLE_SHAPES: dict[str, tuple[Callable, ...]] = {
    "quarter_turn": (_turn(90.0), _turn(270.0)),
    "upside_down": (_turn(180.0),),
    "turned_60": (_turn(TURN_DEGREES), _turn(-TURN_DEGREES)),
    "motion_blur": (_motion_blur,),
    "dark_grainy": (_dark_and_grainy,),
    "lower_covered": (_lower_face_covered,),
    "jpeg_crushed": (_as_is,),
    "as_is": (_as_is,),
}
TINY_SHAPE = "tiny_in_12mp"
SHAPE_NAMES = (*SINGLE_SHAPES, TINY_SHAPE)


def build_shape(shape: str, sources: list[SourcePhoto], out_dir: Path, frames: int = 2,
                frame_size: tuple[int, int] = TWELVE_MP_FRAME, face_px: int = TINY_FACE_PX) -> list[ShapedPhoto]:
    """Every photo of one shape, written into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if shape == TINY_SHAPE:
        return [_tiny_frame(sources, out_dir / f"{TINY_SHAPE}_{n}.jpg", n, frame_size, face_px) for n in range(frames)]
    made = []
    for source in sources:
        image = source.image()
        for number, maker in enumerate(SINGLE_SHAPES[shape]):
            pixels, placement = maker(source, image)
            path = out_dir / f"{source.path.stem}__{shape}_{number}.jpg"
            pixels.save(path, "JPEG", quality=CRUSHED_JPEG_QUALITY if shape == "jpeg_crushed" else SHAPE_JPEG_QUALITY)
            made.append(ShapedPhoto(shape, path, [placement]))
    return made


def _tiny_frame(sources: list[SourcePhoto], path: Path, number: int, frame_size: tuple[int, int], face_px: int) -> ShapedPhoto:
    """Each source shrunk so its median face is `face_px` wide, laid out over a big frame of dull
    grass; frame `number` shifts the layout so faces fall on other tile seams."""
    frame = Image.new("RGB", frame_size, (118, 124, 112) if number % 2 == 0 else (96, 104, 120))
    columns = math.ceil(math.sqrt(len(sources) * frame_size[0] / frame_size[1]))
    rows = math.ceil(len(sources) / columns)
    cell_w, cell_h = frame_size[0] // columns, frame_size[1] // rows
    placements = []
    for index, source in enumerate(sources):
        image = source.image()
        scale = face_px / _median_face(source)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        small = image.resize(size, Image.Resampling.LANCZOS)
        jitter = (number * 0.37 + index * 0.21) % 1.0
        left = (index % columns) * cell_w + round(jitter * max(0, cell_w - size[0]))
        top = (index // columns) * cell_h + round((1 - jitter) * max(0, cell_h - size[1]))
        frame.paste(small, (left, top))
        sx, sy = size[0] / image.width, size[1] / image.height
        faces = [Box(math.floor(left + b.left * sx), math.floor(top + b.top * sy),
                     math.ceil(left + b.right * sx), math.ceil(top + b.bottom * sy)) for b in source.faces]

        def undo(shaped: Image.Image, left=left, top=top, size=size, full=image.size) -> Image.Image:
            return shaped.crop((left, top, left + size[0], top + size[1])).resize(full, Image.Resampling.BICUBIC)
        placements.append(Placement(source, faces, undo, detail_in_shape=True))
    frame.save(path, "JPEG", quality=SHAPE_JPEG_QUALITY)
    return ShapedPhoto(TINY_SHAPE, path, placements)


# --- measures -------------------------------------------------------------------------------

@dataclass(frozen=True)
class FaceCheck:
    source: str
    box: Box  # in the shaped photo
    encoding_distance: float  # from the clean source face; inf when the encoder finds nothing
    keeps_detail: bool

    @property
    def hidden(self) -> bool:
        return not self.keeps_detail and self.encoding_distance >= MIN_ENCODING_DISTANCE

    def describe(self) -> str:
        return f"{self.source} {self.box.as_list()}: distance {self.encoding_distance:.2f}, {'keeps' if self.keeps_detail else 'no'} detail"


def face_core(box: Box) -> Box:
    inset_x, inset_y = round(box.width * FACE_CORE_INSET), round(box.height * FACE_CORE_INSET)
    return Box(box.left + inset_x, box.top + inset_y, box.right - inset_x, box.bottom - inset_y)


def check_faces(photo: ShapedPhoto, shaped_input: Image.Image, output: Image.Image,
                clean_encodings: dict[tuple[str, int], np.ndarray | None]) -> list[FaceCheck]:
    """One check per face of the photo. `clean_encodings` caches the clean source faces' encodings."""
    checks = []
    for placement in photo.placements:
        clean = placement.source.image()
        undone_output = placement.undo(output)
        undone_input = None if placement.detail_in_shape else placement.undo(shaped_input)
        for index, (source_box, shaped_box) in enumerate(zip(placement.source.faces, placement.faces)):
            key = (str(placement.source.path), index)
            if key not in clean_encodings:
                clean_encodings[key] = encode_face(clean, source_box)
            before, after = clean_encodings[key], encode_face(undone_output, source_box)
            distance = math.inf if before is None or after is None else float(np.linalg.norm(before - after))
            if placement.detail_in_shape:
                detail = keeps_detail(shaped_input, output, face_core(shaped_box))
            else:
                detail = keeps_detail(undone_input, undone_output, face_core(source_box))
            checks.append(FaceCheck(placement.source.path.name, shaped_box, distance, detail))
    return checks


def encode_face(image: Image.Image, box: Box) -> np.ndarray | None:
    import face_recognition

    inside = box.clipped(*image.size)
    if inside.width < 2 or inside.height < 2:
        return None
    margin = max(inside.width, inside.height)
    area = Box(inside.left - margin, inside.top - margin, inside.right + margin, inside.bottom + margin).clipped(*image.size)
    pixels = np.asarray(image.crop((area.left, area.top, area.right, area.bottom)).convert("RGB"))
    location = (inside.top - area.top, inside.right - area.left, inside.bottom - area.top, inside.left - area.left)
    try:
        found = face_recognition.face_encodings(pixels, known_face_locations=[location])
    except RuntimeError:
        return None
    return found[0] if found else None


def changed_away_from_faces(shaped_input: Image.Image, output: Image.Image, boxes: list[Box]) -> float:
    """Share of pixels outside every face box (grown to twice its size) changed by more than JPEG noise."""
    before = np.asarray(shaped_input.convert("RGB"), dtype=np.int16)
    after = np.asarray(output.convert("RGB"), dtype=np.int16)
    changed = np.abs(before - after).max(axis=2) > CHANGED_PIXEL_LEVEL
    away = np.ones(changed.shape, dtype=bool)
    for box in boxes:
        near = box.grown(0.5, 0.5, 0.5).clipped(*shaped_input.size)
        away[near.top:near.bottom, near.left:near.right] = False
    return float(changed[away].mean()) if away.any() else 0.0
