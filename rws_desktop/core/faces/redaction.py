"""Blurring faces beyond recognition.

Each region is first reduced to a coarse mosaic (which throws the face's detail away for
good, so no deblurring can bring it back) and then Gaussian-blurred so the result reads as
a soft blur rather than blocks. A face's region is a rounded square (a superellipse, which
covers the corners of a face box that an ellipse leaves) turned with the face and grown well
past the detector's square, which is tight around eyes, nose and mouth, so hair line, ears
and chin are covered too.
"""
from __future__ import annotations

import functools
import math
import statistics
from dataclasses import dataclass
from enum import Enum

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .geometry import Box, rotate_offset

# Growth past the detector's square, as fractions of its side.
SIDE_MARGIN = 0.35
TOP_MARGIN = 0.45
BOTTOM_MARGIN = 0.4
MOSAIC_CELLS = 4  # cells across the region: far too few to recognise anyone
BLUR_RADIUS_FRACTION = 0.2
BLUR_STEPS_PER_RADIUS = 8  # resolution of the blur: pixels per blur radius
OUTLINE_POINTS = 96


class Shape(str, Enum):
    ROUNDED = "rounded"  # a face's default: also covers the corners of its box, which an ellipse leaves
    ELLIPSE = "ellipse"
    RECTANGLE = "rectangle"

    @property
    def exponent(self) -> float:
        """The superellipse exponent of a curved shape: 2 is an ellipse, larger nears a rectangle."""
        return 4.0 if self is Shape.ROUNDED else 2.0


@dataclass(frozen=True)
class Region:
    """An area to hide: a box, optionally turned by `angle` about its centre (the detector's convention)."""

    box: Box
    shape: Shape = Shape.ROUNDED
    add_margin: bool = True
    angle: float = 0.0

    @classmethod
    def for_face(cls, center: tuple[float, float], size: float, angle: float) -> "Region":
        half = size / 2
        square = Box(round(center[0] - half), round(center[1] - half), round(center[0] + half), round(center[1] + half))
        return cls(square, Shape.ROUNDED, True, angle)

    def outline(self) -> list[tuple[float, float]]:
        """The hidden area's outline in photo pixels."""
        width, height = self.box.width, self.box.height
        left, right, top, bottom = -width / 2, width / 2, -height / 2, height / 2
        if self.add_margin:
            left, right = left - SIDE_MARGIN * width, right + SIDE_MARGIN * width
            top, bottom = top - TOP_MARGIN * height, bottom + BOTTOM_MARGIN * height
        if self.shape is Shape.RECTANGLE:
            local = [(left, top), (right, top), (right, bottom), (left, bottom)]
        else:
            cx, cy, rx, ry = (left + right) / 2, (top + bottom) / 2, (right - left) / 2, (bottom - top) / 2
            local = [(cx + rx * ux, cy + ry * uy) for ux, uy in _unit_outline(self.shape.exponent)]
        center_x, center_y = self.box.center
        return [(center_x + dx, center_y + dy) for dx, dy in (rotate_offset(x, y, self.angle) for x, y in local)]

    def covered_box(self) -> Box:
        return Box.around_points(self.outline())

    def core_box(self) -> Box:
        """An upright box that lies inside the face however it is turned (used to check the blur)."""
        if not self.angle:
            return self.box
        half = min(self.box.width, self.box.height) / (2 * math.sqrt(2))
        cx, cy = self.box.center
        return Box(round(cx - half), round(cy - half), round(cx + half), round(cy + half))


@functools.cache
def _unit_outline(roundness: float) -> tuple[tuple[float, float], ...]:
    """The superellipse of radius 1, as OUTLINE_POINTS points, scaled out a little so the polygon's
    straight edges still enclose the curve. Worked out once: a clip draws thousands of outlines."""
    grow = 1 / math.cos(math.pi / OUTLINE_POINTS)
    steps = [2 * math.pi * i / OUTLINE_POINTS for i in range(OUTLINE_POINTS)]
    return tuple((grow * _superellipse(math.cos(t), roundness), grow * _superellipse(math.sin(t), roundness)) for t in steps)


def _superellipse(value: float, roundness: float) -> float:
    return math.copysign(abs(value) ** (2 / roundness), value)


def redact(image: Image.Image, regions: list[Region]) -> Image.Image:
    """A copy of `image` with every region hidden; the input is left untouched."""
    result = image.copy()
    placed = [_Placed.of(region, image.size) for region in regions]
    placed = [item for item in placed if item.area.width > 0 and item.area.height > 0]
    large = [item for item in placed if _blur_step(item.area) >= REDUCED_STEP]
    if large:
        layer = _Layer.reduced(image, large)
        for item in large:
            layer.hide(item)
        for group in _overlapping_groups(large):
            layer.smooth(group)
        layer.paste_onto(result, large)
    small = [item for item in placed if _blur_step(item.area) < REDUCED_STEP]
    if small:
        in_place = _Layer.in_place(result)
        for item in small:
            in_place.hide(item)
        for group in _overlapping_groups(placed):
            if any(item in small for item in group):
                in_place.smooth(group)
    return result


# Regions whose blur may be worked out at this many pixels a step, or coarser, share one reduced layer;
# smaller ones (under about 80 pixels across) are hidden where they are, which costs little anyway.
REDUCED_STEP = 2


def _blur_radius(side: float) -> float:
    return max(2.0, BLUR_RADIUS_FRACTION * side)


def _blur_step(area: Box) -> int:
    """How many pixels a step the blur of a region over `area` may be worked out at."""
    return max(1, int(_blur_radius(max(area.width, area.height)) // BLUR_STEPS_PER_RADIUS))


@dataclass(eq=False)
class _Placed:
    """A region with its outline worked out once, and the part of the photo it covers."""

    region: Region
    outline: list[tuple[float, float]]
    area: Box

    @classmethod
    def of(cls, region: Region, size: tuple[int, int]) -> "_Placed":
        outline = region.outline()
        return cls(region, outline, Box.around_points(outline).clipped(*size))


class _Layer:
    """Pixels of the photo (`bounds`, reduced by `step`) on which faces are hidden.

    The large faces are worked out on one reduced copy of the area they cover, then enlarged once and
    pasted inside their outlines at full resolution. A mosaic of four cells under a blur of a fifth of
    the face holds nothing finer than a few pixels per blur radius, so working at that resolution loses
    nothing; and a frame with many overlapping, widely grown regions (a clip's predicted faces) costs
    one enlargement rather than one per region. Small faces are hidden in place."""

    # Grow each region's reduced mask by this many reduced pixels, so that every full-resolution pixel
    # inside an outline is interpolated from hidden pixels only, never from the unhidden copy around it.
    MASK_GROWTH = 2

    def __init__(self, image: Image.Image, bounds: Box, step: int):
        self.image, self.bounds, self.step = image, bounds, step

    @classmethod
    def reduced(cls, image: Image.Image, placed: list[_Placed]) -> "_Layer":
        bounds = _union(placed)
        step = min(_blur_step(item.area) for item in placed)  # the finest any region needs
        crop = image.crop((bounds.left, bounds.top, bounds.right, bounds.bottom))
        return cls(crop.reduce(step) if step > 1 else crop, bounds, step)

    @classmethod
    def in_place(cls, image: Image.Image) -> "_Layer":
        return cls(image, Box(0, 0, image.width, image.height), 1)

    def _box(self, area: Box) -> Box:
        step, left, top = self.step, self.bounds.left, self.bounds.top
        return Box((area.left - left) // step, (area.top - top) // step,
                   min(self.image.width, -(-(area.right - left) // step)), min(self.image.height, -(-(area.bottom - top) // step)))

    def _mask(self, items: list[_Placed], box: Box) -> Image.Image:
        step, left, top = self.step, self.bounds.left + box.left * self.step, self.bounds.top + box.top * self.step
        mask = Image.new("L", (box.width, box.height), 0)
        draw = ImageDraw.Draw(mask)
        growth = 2 * self.MASK_GROWTH if step > 1 else 0
        for item in items:
            points = [((x - left) / step, (y - top) / step) for x, y in item.outline]
            if growth:
                draw.polygon(points, fill=255, outline=255, width=growth)
            else:
                draw.polygon(points, fill=255)
        return mask

    def hide(self, item: _Placed) -> None:
        area, box = item.area, self._box(item.area)
        crop = self.image.crop((box.left, box.top, box.right, box.bottom))
        cells_x = max(1, min(MOSAIC_CELLS, area.width // 4))
        cells_y = max(1, round(cells_x * area.height / max(1, area.width)))
        coarse = crop.resize((cells_x, cells_y), Image.Resampling.BOX)
        hidden = _soft_blur(coarse, _blur_radius(max(area.width, area.height)) / self.step, crop.size)
        # Fully opaque inside the outline: a soft edge would let part of the face show through.
        self.image.paste(hidden, (box.left, box.top), self._mask([item], box))

    def smooth(self, group: list[_Placed]) -> None:
        """Where blurred regions overlap, each one's edge cuts across the other; blur the union once
        more inside itself so no sharp seam is left (the outline of the union stays where it is)."""
        box = self._box(_union(group))
        crop = self.image.crop((box.left, box.top, box.right, box.bottom))
        radius = _blur_radius(statistics.median(item.region.box.width for item in group)) / self.step
        self.image.paste(_soft_blur(crop, radius, crop.size), (box.left, box.top), self._mask(group, box))

    def paste_onto(self, result: Image.Image, placed: list[_Placed]) -> None:
        """Each region's part of the layer, enlarged to full resolution, pasted inside its outline. Region by
        region rather than the layer's whole bounds at once: faces spread over a photo cover a few per cent of
        their bounds. Pillow's resampling reads beyond the box it is given, so a region enlarged alone gets
        the same pixels it would in the whole layer enlarged."""
        bounds, step = self.bounds, self.step
        for item in placed:
            area = item.area
            part = self.image
            if step > 1:
                part = part.resize((area.width, area.height), Image.Resampling.BILINEAR,
                                   box=((area.left - bounds.left) / step, (area.top - bounds.top) / step,
                                        (area.right - bounds.left) / step, (area.bottom - bounds.top) / step))
            else:
                part = part.crop((area.left - bounds.left, area.top - bounds.top,
                                  area.right - bounds.left, area.bottom - bounds.top))
            mask = Image.new("L", (area.width, area.height), 0)
            ImageDraw.Draw(mask).polygon([(x - area.left, y - area.top) for x, y in item.outline], fill=255)
            result.paste(part, (area.left, area.top), mask)


def _union(placed: list[_Placed]) -> Box:
    bounds = placed[0].area
    for item in placed[1:]:
        bounds = bounds.union(item.area)
    return bounds


def _overlapping_groups(placed: list[_Placed]) -> list[list[_Placed]]:
    """Regions that touch, transitively; only groups of two or more."""
    groups: list[list[_Placed]] = []
    for item in placed:
        touching = [g for g in groups if any(item.area.intersection_area(other.area) for other in g)]
        merged = [item] + [member for g in touching for member in g]
        groups = [g for g in groups if not any(g is t for t in touching)] + [merged]
    return [g for g in groups if len(g) > 1]


def _soft_blur(image: Image.Image, radius: float, size: tuple[int, int]) -> Image.Image:
    """`image` at `size`, Gaussian-blurred with `radius`. The blur is worked out at a few pixels per
    radius and enlarged: a blur that wide leaves nothing finer anyway, and big faces cost far less."""
    step = max(1, int(radius // BLUR_STEPS_PER_RADIUS))
    small = (max(1, math.ceil(size[0] / step)), max(1, math.ceil(size[1] / step)))
    blurred = image.resize(small, Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(radius / step))
    return blurred if blurred.size == size else blurred.resize(size, Image.Resampling.BILINEAR)


# A blurred face may keep at most this share of its fine detail. The spec's anchors, measured on
# the test photos' faces (23 to 400 pixels wide): a Gaussian blur of radius width/10 keeps at most
# 0.7 % and must pass; a light one of radius width/60 keeps 7 % to 75 % and must fail. This
# redaction keeps under 0.3 % of a detected face's box, and up to about 2.5 % of a looser
# hand-drawn box around the same face.
MAX_DETAIL_KEPT = 0.03
# Below this Laplacian energy (grey levels squared, at face scale) nothing recognisable is left,
# whatever the ratio: measured on the test photos, this redaction leaves 2 to 4, a width/10
# Gaussian 3 to 9.5, a width/30 Gaussian 25 to 320. A soft background blob starts low, so its
# ratio alone misleads.
DETAIL_ENERGY_FLOOR = 10.0
# Detail is measured on the face scaled to this size, so "fine" means eyes, mouth and
# skin texture whatever the photo's resolution.
DETAIL_SCALE_PX = 48


def detail_ratio(original: Image.Image, redacted: Image.Image, box: Box) -> float:
    """How much fine detail (Laplacian energy at face scale) survives in `box`: 0 none, 1 all of it."""
    before = _laplacian_energy(_face_scale(original, box))
    after = _laplacian_energy(_face_scale(redacted, box))
    return after / before if before > 0 else 0.0


def keeps_detail(original: Image.Image, redacted: Image.Image, box: Box) -> bool:
    """True when `box` in the redacted image still shows fine detail of the original."""
    after = _laplacian_energy(_face_scale(redacted, box))
    return after > DETAIL_ENERGY_FLOOR and detail_ratio(original, redacted, box) > MAX_DETAIL_KEPT


def _face_scale(image: Image.Image, box: Box) -> Image.Image:
    """Big faces are shrunk to the measuring size; small ones are measured as they are (upscaling adds no detail)."""
    crop = image.crop((box.left, box.top, box.right, box.bottom))
    if crop.width <= DETAIL_SCALE_PX and crop.height <= DETAIL_SCALE_PX:
        return crop
    return crop.resize((DETAIL_SCALE_PX, DETAIL_SCALE_PX), Image.Resampling.BOX)


def _laplacian_energy(image: Image.Image) -> float:
    grey = np.asarray(image.convert("L"), dtype=np.float64)
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    lap = grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4 * grey[1:-1, 1:-1]
    return float(np.mean(lap * lap))
