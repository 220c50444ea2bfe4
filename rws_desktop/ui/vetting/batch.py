"""The photos of the current batch and where each one is: plain Python, no widgets."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ...core.vetting.review import PhotoReview
from ...core.vetting.analysis import PhotoResult


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
    review: PhotoReview | None = None

    @property
    def status(self) -> Status:
        if self.review is None:
            return Status.CHECKING if self.checking else Status.WAITING
        return Status(self.review.decision()[0].value)

    @property
    def reason(self) -> str:
        if self.review is None:
            return "being checked" if self.checking else "waiting to be checked"
        return self.review.decision()[1]


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
        return [item for item in self.items if item.review is None and not item.checking]

    def row_of(self, item: BatchItem) -> int:
        return self.items.index(item)

    def analysed(self, item: BatchItem, result: PhotoResult) -> None:
        item.checking = False
        item.review = PhotoReview(result, self.block_hidden)

    def recheck_all(self) -> int:
        """Forgets every verdict not yet exported (for another channel); returns how many will be checked again."""
        count = 0
        for item in self.items:
            if item.review is None or item.review.recorded_seq is None:
                item.review, item.checking = None, False
                count += 1
        return count

    def unrecorded(self) -> list[PhotoReview]:
        return [item.review for item in self.items if item.review is not None and item.review.recorded_seq is None]

    def corrected(self) -> int:
        return sum(1 for review in self.unrecorded() if review.corrections)

    def counts(self) -> dict[Status, int]:
        counts = {status: 0 for status in Status}
        for item in self.items:
            counts[item.status] += 1
        return counts

    def remove_finished(self) -> int:
        """Clears photos already recorded (exported or blocked); keeps anything still to do."""
        before = len(self.items)
        self.items = [item for item in self.items if item.review is None or item.review.recorded_seq is None]
        return before - len(self.items)
