"""The photos and clips of the current batch and where each one is: plain Python, no widgets.

A photo's review is `item.review` (a PhotoReview), a clip's is `item.clip` (a ClipReview), so
everything that works on photos (their export, the Post panel's hook) keeps seeing only photos."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ...core.clips.review import ClipReview
from ...core.clips.service import is_clip
from ...core.vetting.analysis import PhotoResult
from ...core.vetting.review import PhotoReview


class Status(str, Enum):
    WAITING = "waiting"
    CHECKING = "checking"
    APPROVED = "approved"
    REDACTED = "redacted"
    BLOCKED = "blocked"
    ERROR = "error"


@dataclass
class BatchItem:
    path: Path
    checking: bool = False
    review: PhotoReview | None = None  # a photo's, once checked
    clip: ClipReview | None = None  # a clip's, once checked

    @property
    def is_clip(self) -> bool:
        return is_clip(self.path)

    @property
    def outcome(self) -> PhotoReview | ClipReview | None:
        """The photo's or the clip's review, once checked."""
        return self.clip if self.is_clip else self.review

    @property
    def recorded(self) -> bool:
        """Exported or recorded as blocked: nothing about it can change now."""
        return self.outcome is not None and self.outcome.recorded_seq is not None

    @property
    def status(self) -> Status:
        if self.outcome is None:
            return Status.CHECKING if self.checking else Status.WAITING
        return Status(self.outcome.decision()[0].value)

    @property
    def reason(self) -> str:
        if self.outcome is None:
            return "being checked" if self.checking else "waiting to be checked"
        return self.outcome.decision()[1]


class VettingBatch:
    def __init__(self):
        self.items: list[BatchItem] = []
        self.block_hidden = False

    def __len__(self) -> int:
        return len(self.items)

    def add(self, paths: list[Path]) -> list[BatchItem]:
        """Adds photos not already in the batch; returns the new items."""
        known = {item.path.resolve() for item in self.items}
        added = []
        for path in paths:
            if path.resolve() not in known:
                known.add(path.resolve())
                added.append(BatchItem(path))
        self.items += added
        return added

    def waiting(self) -> list[BatchItem]:
        """Photos waiting to be checked (clips are checked apart: `waiting_clips`)."""
        return [item for item in self.items if not item.is_clip and item.review is None and not item.checking]

    def waiting_clips(self) -> list[BatchItem]:
        return [item for item in self.items if item.is_clip and item.clip is None and not item.checking]

    def row_of(self, item: BatchItem) -> int:
        return self.items.index(item)

    def analysed(self, item: BatchItem, result: PhotoResult) -> None:
        item.checking = False
        item.review = PhotoReview(result, self.block_hidden)

    def recheck_all(self) -> int:
        """Forgets every verdict not yet exported (for another channel); returns how many will be checked again."""
        count = 0
        for item in self.items:
            if not item.recorded:
                item.review, item.clip, item.checking = None, None, False
                count += 1
        return count

    def unrecorded(self) -> list[PhotoReview]:
        """Photos checked and not yet exported or recorded."""
        return [item.review for item in self.items if item.review is not None and item.review.recorded_seq is None]

    def unrecorded_clips(self) -> list[ClipReview]:
        """Clips checked and not yet exported or recorded."""
        return [item.clip for item in self.items if item.clip is not None and item.clip.recorded_seq is None]

    def to_export(self) -> bool:
        return bool(self.unrecorded() or self.unrecorded_clips())

    def corrected(self) -> int:
        return sum(1 for review in [*self.unrecorded(), *self.unrecorded_clips()] if review.corrections)

    def counts(self) -> dict[Status, int]:
        counts = {status: 0 for status in Status}
        for item in self.items:
            counts[item.status] += 1
        return counts

    def remove_finished(self) -> int:
        """Clears photos already recorded (exported or blocked); keeps anything still to do."""
        before = len(self.items)
        self.items = [item for item in self.items if not item.recorded]
        return before - len(self.items)
