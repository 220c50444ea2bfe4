"""Blurring faces beyond recognition.

Each region is first reduced to a coarse mosaic (which throws the face's detail away for
good, so no deblurring can bring it back) and then Gaussian-blurred so the result reads as
a soft blur rather than blocks. The mask is an ellipse grown well past the detector's box,
which is tight around the eyes, nose and mouth, so hair line, ears and chin are covered too.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .geometry import Box

# Growth past the detector's box, as fractions of its width/height.
SIDE_MARGIN = 0.25
TOP_MARGIN = 0.45
BOTTOM_MARGIN = 0.25
MOSAIC_CELLS = 6  # cells across the region: far too few to recognise anyone
BLUR_RADIUS_FRACTION = 0.12


class Shape(str, Enum):
    ELLIPSE = "ellipse"
    RECTANGLE = "rectangle"


@dataclass(frozen=True)
class Region:
    box: Box
    shape: Shape = Shape.ELLIPSE
    add_margin: bool = True

    def covered_box(self) -> Box:
        if not self.add_margin:
            return self.box
        return self.box.grown(SIDE_MARGIN, TOP_MARGIN, BOTTOM_MARGIN)


def redact(image: Image.Image, regions: list[Region]) -> Image.Image:
    """A copy of `image` with every region hidden; the input is left untouched."""
    result = image.copy()
    width, height = image.size
    for region in regions:
        area = region.covered_box().clipped(width, height)
        if area.width <= 0 or area.height <= 0:
            continue
        _hide(result, region, area)
    return result


def _hide(image: Image.Image, region: Region, area: Box) -> None:
    crop = image.crop((area.left, area.top, area.right, area.bottom))
    cells_x = max(1, min(MOSAIC_CELLS, area.width // 4))
    cells_y = max(1, round(cells_x * area.height / max(1, area.width)))
    coarse = crop.resize((cells_x, cells_y), Image.Resampling.BOX)
    smooth = coarse.resize(crop.size, Image.Resampling.BILINEAR)
    radius = max(2.0, BLUR_RADIUS_FRACTION * max(area.width, area.height))
    hidden = smooth.filter(ImageFilter.GaussianBlur(radius))
    image.paste(hidden, (area.left, area.top), _mask(region, area))


def _mask(region: Region, area: Box) -> Image.Image:
    """Fully opaque over the whole region: a soft edge would let the face show through."""
    mask = Image.new("L", (area.width, area.height), 0)
    draw = ImageDraw.Draw(mask)
    # The ellipse's bounding box is the region itself, positioned relative to the clipped crop.
    full = region.covered_box()
    bounds = (full.left - area.left, full.top - area.top, full.right - area.left - 1, full.bottom - area.top - 1)
    if region.shape is Shape.RECTANGLE:
        draw.rectangle(bounds, fill=255)
    else:
        draw.ellipse(bounds, fill=255)
    return mask


# A blurred face may keep at most this share of its fine detail. Measured on the test photos:
# this redaction keeps 0.1-0.25 %, a Gaussian blur of radius width/10 about 0.2 %, width/30 about
# 1.5 % and width/60 about 10 %, so light blurs fail.
MAX_DETAIL_KEPT = 0.01
# Below this Laplacian energy (grey levels squared, at face scale) nothing recognisable is left,
# whatever the ratio: after this redaction faces measure about 2, after a width/10 Gaussian about 3,
# after a width/30 Gaussian 25 to 40. A blurry background blob starts low, so its ratio alone misleads.
DETAIL_ENERGY_FLOOR = 6.0

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
    crop = image.crop((box.left, box.top, box.right, box.bottom))
    return crop.resize((DETAIL_SCALE_PX, DETAIL_SCALE_PX), Image.Resampling.BOX)


def _laplacian_energy(image: Image.Image) -> float:
    grey = np.asarray(image.convert("L"), dtype=np.float64)
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    lap = (grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4 * grey[1:-1, 1:-1])
    return float(np.mean(lap * lap))
