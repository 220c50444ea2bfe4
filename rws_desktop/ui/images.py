"""Pillow images to Qt images, and small thumbnails read cheaply."""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps
from PySide6.QtCore import QRect, Qt
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


def face_thumbnail(image: QImage, left: int, top: int, right: int, bottom: int, size: int = THUMBNAIL_PX) -> QImage:
    """The face in box (left, top, right, bottom) of `image`, with a margin of a quarter of its size, scaled to fit
    `size` pixels: so staff see whose face they are about to name."""
    margin_x, margin_y = (right - left) // 4, (bottom - top) // 4
    area = QRect(left - margin_x, top - margin_y, right - left + 2 * margin_x, bottom - top + 2 * margin_y)
    area = area.intersected(image.rect())
    if area.isEmpty():
        return QImage()
    return image.copy(area).scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
