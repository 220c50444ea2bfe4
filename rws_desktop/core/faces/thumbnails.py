"""Small face crops kept with reference faces, so staff can confirm each is the right person.

A thumbnail shows a child's face, so it is treated like the encoding it goes with: stored in
the same row and deleted with it. It is written from pixels only (no EXIF or GPS).
"""
from __future__ import annotations

import io

from PIL import Image

from .detection import DetectedFace, upright_patch

THUMBNAIL_PX = 96
# The face square fills about two thirds of the thumbnail, leaving hair and chin in view.
_FACE_SHARE = 0.65
_JPEG_QUALITY = 85


def face_thumbnail(image: Image.Image, face: DetectedFace, size: int = THUMBNAIL_PX) -> bytes:
    """A square JPEG of the face, turned upright, `size` pixels wide."""
    patch, square = upright_patch(image.convert("RGB"), face, face_px=size * _FACE_SHARE, reach=1.0)
    cx, cy = square.center
    cy -= 0.08 * square.height  # dlib's square sits low on the face; lift it to include the forehead
    left, top = round(cx - size / 2), round(cy - size / 2)
    crop = patch.crop((left, top, left + size, top + size))
    buffer = io.BytesIO()
    Image.frombytes("RGB", crop.size, crop.tobytes()).save(buffer, "JPEG", quality=_JPEG_QUALITY)
    return buffer.getvalue()
