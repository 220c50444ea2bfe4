"""Deciding each track as a whole, with the photo safety rule applied over time.

Each look at a track's face is matched with the same strict rule as a photo's face
(`faces.matching.identify`), and an identified person's consent is decided as for a photo
(`kernel.consent.show_decision`). A track is shown only when:
- enough of its looks (a count and a share) identify one registered person, and no look identifies
  anyone else, and no look is clearly not that person (a tracker that jumped to a neighbour);
- that person has active consent for this channel;
- no other track identified as the same person is on screen at the same time.
Every other track is blurred for its whole length.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, replace
from datetime import date
from typing import Mapping, Protocol

from ..faces.geometry import Box
from ..faces.matching import LIBRARY_TOLERANCE, Gallery, MatchOutcome
from ..kernel.channels import Channel
from ..kernel.consent import FaceConsent, Person, PhotoConsent, show_decision
from ..kernel.decisions import Action
from .tracking import Track


class RegisterView(Protocol):
    """What clip vetting needs from the register (vetting's RegisterSnapshot provides it)."""

    people: Mapping[int, Person]
    consents: Mapping[int, list[PhotoConsent]]
    gallery: Gallery

    def anyone_may_be_shown(self, channel_key: str, today: date) -> bool: ...

    def nobody_looked_up(self) -> str:
        """Why no face is looked up when nobody recognisable may be shown (kernel.decisions' words)."""


@dataclass(frozen=True)
class TrackRules:
    # Looks that must identify the person, and their share of all the track's looks.
    min_identified_looks: int = 3
    min_identified_share: float = 0.6


@dataclass(frozen=True)
class TrackVerdict:
    """One track's decision, and what its audit entry and report say about it."""

    track_id: int
    first_frame: int
    last_frame: int
    best_frame: int
    box: Box  # at the best frame, upright output pixels
    person_id: int | None
    distance: float | None  # best match distance to the person (or to anyone, when nobody was identified)
    median_distance: float | None
    consent: FaceConsent
    action: Action
    reason: str
    may_be_named: bool = False
    looks: int = 0

    def report_dict(self) -> dict:
        """The `--json` report's fields for a track, exactly as the issue lists them."""
        return {
            "first_frame": self.first_frame, "last_frame": self.last_frame, "box": self.box.as_list(),
            "person_id": self.person_id, "distance": _rounded(self.distance), "consent": self.consent.value,
            "action": self.action.value,
        }

    def audit_dict(self) -> dict:
        """The audit entry's fields for a track: ids and numbers, never a name."""
        return {
            **self.report_dict(), "track": self.track_id, "best_frame": self.best_frame, "median_distance": _rounded(self.median_distance),
            "looks": self.looks, "may_be_named": self.may_be_named, "reason": self.reason,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def decide_tracks(tracks: list[Track], channel: Channel, register: RegisterView, today: date,
                  rules: TrackRules = TrackRules()) -> list[TrackVerdict]:
    anyone = register.anyone_may_be_shown(channel.key, today)
    verdicts = [_decide(track, channel, register, today, rules, anyone) for track in tracks]
    return _blur_simultaneous_identities(tracks, verdicts)


def _decide(track: Track, channel: Channel, register: RegisterView, today: date, rules: TrackRules, anyone: bool) -> TrackVerdict:
    def verdict(person_id, consent, action, reason, best=None, distances=(), named=False) -> TrackVerdict:
        best_obs = best or max(track.observations, key=lambda o: o.face.score)
        return TrackVerdict(
            track.id, track.first_frame, track.last_frame, best_obs.frame, best_obs.face.box, person_id,
            min(distances) if distances else None, statistics.median(distances) if distances else None,
            consent, action, reason, named, len(track.samples))

    if not anyone:
        return verdict(None, FaceConsent.UNKNOWN_PERSON, Action.BLURRED, register.nobody_looked_up())
    samples = track.samples
    nearest = [s.nearest for s in samples if s.nearest is not None]
    if not samples:
        return verdict(None, FaceConsent.UNKNOWN_PERSON, Action.BLURRED, "face too unclear to identify")
    identified = {s.match.person_id for s in samples if s.match.outcome is MatchOutcome.MATCHED}
    if len(identified) > 1:
        return verdict(None, FaceConsent.UNCERTAIN_MATCH, Action.BLURRED,
                       "uncertain match (identified as different people in different frames)", distances=nearest)
    if not identified:
        if any(s.match.outcome is MatchOutcome.UNCERTAIN for s in samples):
            return verdict(None, FaceConsent.UNCERTAIN_MATCH, Action.BLURRED, "uncertain match", distances=nearest)
        return verdict(None, FaceConsent.UNKNOWN_PERSON, Action.BLURRED, "not enrolled or not recognised", distances=nearest)
    person_id = identified.pop()
    own = [s for s in samples if s.match.outcome is MatchOutcome.MATCHED]
    to_person = [s.distances.get(person_id, math.inf) for s in samples]  # missing: beyond the tolerance
    distances = [d for d in to_person if d != math.inf]
    best_sample = min(own, key=lambda s: s.match.distance)
    best = next(o for o in track.observations if o.frame == best_sample.frame)
    if len(own) < rules.min_identified_looks or len(own) < rules.min_identified_share * len(samples):
        return verdict(None, FaceConsent.UNCERTAIN_MATCH, Action.BLURRED,
                       f"uncertain match (identified in only {len(own)} of {len(samples)} looks)", best, distances)
    if max(to_person) > LIBRARY_TOLERANCE:
        return verdict(None, FaceConsent.UNCERTAIN_MATCH, Action.BLURRED,
                       "uncertain match (in some frames the face is clearly someone else)", best, distances)
    person = register.people.get(person_id)
    if person is None:
        return verdict(None, FaceConsent.UNKNOWN_PERSON, Action.BLURRED, "not in the register", best, distances)
    decision = show_decision(person, list(register.consents.get(person_id, [])), channel.key, today)
    action = Action.SHOWN if decision.visible else Action.BLURRED
    return verdict(person_id, decision.consent, action, decision.reason, best, distances, decision.may_be_named)


def _blur_simultaneous_identities(tracks: list[Track], verdicts: list[TrackVerdict]) -> list[TrackVerdict]:
    """One person cannot be two faces at once: if two tracks on screen together are identified as
    the same person, at least one is wrong, and nobody can tell which, so both are blurred."""
    doubtful = set()
    for i, (track, verdict) in enumerate(zip(tracks, verdicts)):
        for j in range(i + 1, len(tracks)):
            other = verdicts[j]
            if verdict.person_id is not None and verdict.person_id == other.person_id and track.spans(tracks[j]):
                doubtful |= {i, j}
    return [
        replace(v, person_id=None, consent=FaceConsent.UNCERTAIN_MATCH, action=Action.BLURRED, may_be_named=False,
                reason="uncertain match (another face on screen at the same time matched the same person)")
        if i in doubtful else v
        for i, v in enumerate(verdicts)
    ]
