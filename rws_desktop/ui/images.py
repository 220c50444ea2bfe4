"""Pillow images to Qt images, and small thumbnails read cheaply."""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps
from PySide6.QtGui import QImage

THUMBNAIL_PX = 96


def to_qimage(image: Image.Image) -> QImage:
    """A QImage owning its pixels (safe to build off the UI thread; QPixmap is not)."""
    rgb = image.convert("RGB")
    data = rgb.tobytes()
    return QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888).copy()


def read_thumbnail(path: Path, size: int = THUMBNAIL_PX) -> QImage:
    """Upright and small; JPEG draft mode decodes a 12 MP photo at 1/8 size almost for free."""
    with Image.open(path) as image:
        image.draft("RGB", (size * 2, size * 2))
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((size, size))
        return to_qimage(upright)
