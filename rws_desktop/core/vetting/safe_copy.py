"""The safe copy of a photo: the one function that redacts, checks the redaction and encodes, for
`rws vet`, the window's preview and its export alike, and a small cache keyed by photo state.

A photo's state is its content (the SHA-256 of the file) and exactly what is hidden: the regions of
every blurred face, in order, and the areas drawn by hand. Two requests for the same state get the
same bytes, so a photo checked in the window and exported is byte for byte what `rws vet` writes.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Hashable, Iterable

from PIL import Image

from ..faces.imaging import LoadedPhoto, encode_jpeg, file_sha256
from ..faces.redaction import Region, keeps_detail, redact
from ..kernel.decisions import Action

if TYPE_CHECKING:
    from .analysis import FaceReport

# About 40 twelve-megapixel safe copies, or hundreds of phone-sized ones: enough for a batch being
# reviewed, without holding a whole term's photos in memory. A state that fell out is made again.
CACHE_BYTES = 384 * 1024 * 1024


@dataclass(frozen=True)
class SafeCopy:
    """The bytes to publish, and how many blurred faces still kept detail (any is a reason to block)."""

    jpeg: bytes
    unverified: int = 0

    @property
    def verified(self) -> bool:
        return self.unverified == 0

    @property
    def sha256(self) -> str:
        return file_sha256(self.jpeg)


def hidden_regions(faces: Iterable[FaceReport], areas: Iterable[Region] = ()) -> list[Region]:
    """What a safe copy hides: every blurred face, then every area drawn by hand."""
    return [region for face in faces if face.action is Action.BLURRED for region in face.hidden_regions()] + list(areas)


def unverified_blurs(original: Image.Image, redacted: Image.Image, faces: list[FaceReport]) -> int:
    """Blurred faces whose box still keeps fine detail: a safety net under the redaction code."""
    checked = [face.hidden_regions()[0].core_box().clipped(*original.size) for face in faces if face.action is Action.BLURRED]
    return sum(1 for box in checked if box.area and keeps_detail(original, redacted, box))


def make_safe_copy(photo: LoadedPhoto, faces: list[FaceReport], areas: Iterable[Region] = ()) -> SafeCopy:
    """Redact, check every blurred face really lost its detail, encode (pixels and colour profile only)."""
    safe = redact(photo.image, hidden_regions(faces, areas))
    return SafeCopy(encode_jpeg(safe, photo.icc_profile), unverified_blurs(photo.image, safe, faces))


def photo_state(source_sha256: str | None, faces: Iterable[FaceReport], areas: Iterable[Region] = ()) -> Hashable:
    """What a safe copy depends on: the photo's content and exactly what is hidden."""
    blurred = tuple(face.hidden_regions() for face in faces if face.action is Action.BLURRED)
    return source_sha256, blurred, tuple(areas)


class SafeCopyCache:
    """The latest safe copies by photo state, least recently used dropped first past `max_bytes`.
    Used from the window's job threads, so it holds a lock."""

    def __init__(self, max_bytes: int = CACHE_BYTES):
        self.max_bytes = max_bytes
        self._copies: OrderedDict[Hashable, SafeCopy] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, state: Hashable) -> SafeCopy | None:
        with self._lock:
            copy = self._copies.get(state)
            if copy is not None:
                self._copies.move_to_end(state)
            return copy

    def put(self, state: Hashable, copy: SafeCopy) -> None:
        with self._lock:
            old = self._copies.pop(state, None)
            self._bytes -= len(old.jpeg) if old else 0
            self._copies[state] = copy
            self._bytes += len(copy.jpeg)
            while self._bytes > self.max_bytes and len(self._copies) > 1:
                _state, dropped = self._copies.popitem(last=False)
                self._bytes -= len(dropped.jpeg)

    def __len__(self) -> int:
        return len(self._copies)
