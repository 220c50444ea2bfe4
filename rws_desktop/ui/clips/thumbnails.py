"""A clip's entry in the vet list: a small picture of its first frame and its duration."""
from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtGui import QImage

from ...core.clips.media import FrameReader, probe
from ..images import THUMBNAIL_PX, to_qimage


def clip_thumbnail(path: Path, size: int = THUMBNAIL_PX) -> tuple[QImage, str]:
    """The first frame, upright and small, and the duration as staff read it ("1:05").
    Raises ClipLoadError (with a plain reason) for a clip that cannot be read."""
    info = probe(path)
    reader = FrameReader(path, info)
    try:
        image = Image.fromarray(reader.frame(0))
    finally:
        reader.close()
    image.thumbnail((size, size))
    seconds = round(info.duration_s)
    return to_qimage(image), f"{seconds // 60}:{seconds % 60:02d}"
