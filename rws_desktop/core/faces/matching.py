"""Identifying a face against the enrolled reference faces, strictly.

face_recognition's default (distance 0.6) is known to confuse children, so a match
needs a close nearest reference, agreement from the person's other references, and
a clear margin over the next-best enrolled person. Anything short of that is
"uncertain" and the face is blurred.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Mapping, Sequence

import numpy as np

# face_recognition's own default; a nearest reference beyond this is nobody we know.
LIBRARY_TOLERANCE = 0.6
# A face that on its own is this close to a person's nearest reference, and this much closer to them
# than to anyone else, is a strong match: it may be shown even when another face in the same photo
# (a collage of one child) matches the same person.
STRONG_MATCH_DISTANCE = 0.4
STRONG_MATCH_MARGIN = 0.1


class MatchOutcome(str, Enum):
    MATCHED = "matched"
    UNCERTAIN = "uncertain"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class MatchPolicy:
    max_distance: float = 0.45
    max_mean_distance: float = 0.55
    min_margin: float = 0.1


@dataclass(frozen=True)
class Match:
    outcome: MatchOutcome
    person_id: int | None
    distance: float | None
    reason: str
    margin: float | None = None  # how much further the next-best person is

    @property
    def strong(self) -> bool:
        """Identified, and on its own beyond doubt: see STRONG_MATCH_DISTANCE and STRONG_MATCH_MARGIN."""
        return (self.outcome is MatchOutcome.MATCHED and self.distance is not None and self.margin is not None
                and self.distance <= STRONG_MATCH_DISTANCE and self.margin >= STRONG_MATCH_MARGIN)


class Gallery:
    """Reference encodings by person. Built per vetting run and never persisted from here."""

    def __init__(self, references: Mapping[int, Sequence[np.ndarray]]):
        self._people: list[int] = []
        self._encodings: list[np.ndarray] = []
        for person_id, encodings in references.items():
            for encoding in encodings:
                self._people.append(person_id)
                self._encodings.append(np.asarray(encoding, dtype=np.float64))
        self._matrix = np.vstack(self._encodings) if self._encodings else np.empty((0, 128))
        self._owner = np.asarray(self._people, dtype=np.int64)

    def __len__(self) -> int:
        return len(set(self._people))

    def person_ids(self) -> set[int]:
        return set(self._people)

    def person_distances(self, encoding: np.ndarray) -> dict[int, tuple[float, float]]:
        """For every enrolled person: (nearest reference distance, mean over all their references)."""
        if not len(self._matrix):
            return {}
        distances = np.linalg.norm(self._matrix - np.asarray(encoding, dtype=np.float64), axis=1)
        result: dict[int, tuple[float, float]] = {}
        for person_id in np.unique(self._owner):
            own = distances[self._owner == person_id]
            result[int(person_id)] = (float(own.min()), float(own.mean()))
        return result


def identify(encoding: np.ndarray, gallery: Gallery, policy: MatchPolicy = MatchPolicy()) -> Match:
    scores = gallery.person_distances(encoding)
    if not scores:
        return Match(MatchOutcome.UNKNOWN, None, None, "nobody is enrolled for recognition")
    ranked = sorted(scores.items(), key=lambda item: item[1][0])
    best_id, (best, best_mean) = ranked[0]
    runner_up = ranked[1][1][0] if len(ranked) > 1 else float("inf")
    if best > LIBRARY_TOLERANCE:
        return Match(MatchOutcome.UNKNOWN, None, best, "not anyone enrolled")
    if best > policy.max_distance:
        return Match(MatchOutcome.UNCERTAIN, None, best, f"uncertain match (distance {best:.2f})")
    if best_mean > policy.max_mean_distance:
        return Match(
            MatchOutcome.UNCERTAIN, None, best,
            f"uncertain match (other reference faces disagree, mean distance {best_mean:.2f})",
        )
    if runner_up - best < policy.min_margin:
        return Match(
            MatchOutcome.UNCERTAIN, None, best,
            f"uncertain match (too close to another enrolled person: {best:.2f} vs {runner_up:.2f})",
        )
    return Match(MatchOutcome.MATCHED, best_id, best, "identified", runner_up - best)
