"""Tracks, their coverage between and around sightings, and their verdicts: the rules in isolation."""
from __future__ import annotations

from datetime import date

import numpy as np
from clip_helpers import INSTAGRAM

from rws_desktop.core.clips.coverage import CoverageSettings, TrackCoverage
from rws_desktop.core.clips.tracking import Observation, Sample, SceneCuts, Track, Tracker
from rws_desktop.core.clips.verdicts import decide_tracks
from rws_desktop.core.faces.detection import DetectedFace
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.matching import Gallery, Match, MatchOutcome
from rws_desktop.core.kernel.consent import ALL_CHANNELS, ConsentStatus, Person, PhotoConsent
from rws_desktop.core.kernel.decisions import Action
from rws_desktop.core.vetting.analysis import RegisterSnapshot

TODAY = date(2026, 12, 1)


def face(x: float, y: float, size: float = 40.0) -> DetectedFace:
    half = size / 2
    return DetectedFace(Box(round(x - half), round(y - half), round(x + half), round(y + half)), (x, y), size, 0.0, 2.0)


def test_faces_join_the_track_they_continue_and_a_newcomer_starts_its_own():
    """Two faces moving steadily keep their tracks across rounds; a third appearing far away gets a new one."""
    tracker = Tracker()
    first = tracker.update(0, [face(100, 100), face(300, 100)])
    second = tracker.update(5, [face(310, 102), face(110, 100)])
    third = tracker.update(10, [face(120, 100), face(320, 104), face(200, 300)])
    assert [t.id for t in first] == [1, 2] and [t.id for t in second] == [2, 1] and [t.id for t in third] == [1, 2, 3]


def test_a_track_survives_missed_rounds_then_closes_and_a_cut_closes_all():
    """Missed for two rounds, a track still takes its face back; missed for three it is closed. A cut
    closes every track, so the same face after it is a new track, and the old scene ends before the cut."""
    tracker = Tracker()
    (track,) = tracker.update(0, [face(100, 100)])
    tracker.update(5, [])
    tracker.update(10, [])
    assert tracker.update(15, [face(100, 100)]) == [track]
    for frame in (20, 25, 30):
        tracker.update(frame, [])
    assert track.closed and tracker.update(35, [face(100, 100)])[0] is not track
    tracker.cut(40)
    after = tracker.update(40, [face(100, 100)])[0]
    assert after.id == 3 and after.scene_start == 40 and tracker.tracks[1].scene_end == 39


def test_scene_cuts_are_told_from_pans():
    """A small change (a pan) is no cut; a wholly different picture is."""
    cuts = SceneCuts()
    ramp = np.tile(np.linspace(0, 255, 32), (18, 1))
    assert not cuts.is_cut(ramp)
    assert not cuts.is_cut(np.concatenate([ramp[:, :2], ramp[:, :-2]], axis=1))  # moved two columns
    assert cuts.is_cut(255 - ramp)


def coverage_of(observations: list[tuple[int, DetectedFace]], margin: int = 6, scene=(0, 100)) -> TrackCoverage:
    track = Track(1, scene[0], scene[1], [Observation(f, fc) for f, fc in observations])
    return TrackCoverage(track, CoverageSettings(margin_frames=margin), last_frame=100)


def test_between_sightings_the_blur_covers_every_position_on_the_way():
    """Seen at x=100 on frame 10 and x=160 on frame 20: on every frame between, the blurred area
    holds the face wherever on the straight path it is (and more, for a path that is not straight)."""
    coverage = coverage_of([(10, face(100, 100)), (20, face(160, 100))])
    for frame in range(10, 21):
        x = 100 + 6 * (frame - 10)
        covered = [region.covered_box() for region in coverage.regions(frame)]
        assert any(box.left <= x - 20 and box.right >= x + 20 + 10 and box.top <= 80 and box.bottom >= 120 for box in covered)


def test_blur_holds_a_margin_before_first_and_after_last_sighting_but_not_across_a_cut():
    """Frames 4 to 9 before the first sighting (frame 10) and after the last (frame 20) up to 26 are
    covered, carried along at the track's speed; nothing is covered before its scene began (frame 7)."""
    coverage = coverage_of([(10, face(100, 100)), (20, face(160, 100))], margin=6)
    assert coverage.regions(3) == [] and coverage.regions(27) == []
    early = coverage.regions(4)[0].covered_box()
    assert early.left <= 64 - 20 and early.right >= 64 + 20  # six frames back at 6 px a frame: x=64
    late = coverage.regions(26)[0].covered_box()
    assert late.left <= 196 - 20 and late.right >= 196 + 20
    in_scene = coverage_of([(10, face(100, 100)), (20, face(160, 100))], margin=6, scene=(7, 100))
    assert in_scene.start == 7 and in_scene.regions(6) == []


ADA, BEN = 1, 2


def snapshot(*grants: PhotoConsent) -> RegisterSnapshot:
    consents: dict[int, list] = {}
    for grant in grants:
        consents.setdefault(grant.person_id, []).append(grant)
    gallery = Gallery({ADA: [np.zeros(128)], BEN: [np.ones(128)]})
    return RegisterSnapshot({ADA: Person(ADA, "Ada"), BEN: Person(BEN, "Ben")}, consents, gallery)


def granted(person_id: int, status=ConsentStatus.GRANTED) -> PhotoConsent:
    return PhotoConsent(person_id, ALL_CHANNELS, status, date(2026, 9, 1), date(2027, 8, 31))


def looks(track_id: int, frames: range, outcomes: list[tuple[MatchOutcome, int | None, float]]) -> Track:
    """A track seen on `frames`, with one identification look per outcome (person, distance)."""
    track = Track(track_id, 0, 200, [Observation(f, face(100 + f, 100)) for f in frames])
    for (outcome, person, distance), frame in zip(outcomes, frames):
        distances = {ADA: distance if person == ADA else 0.9, BEN: distance if person == BEN else 0.9}
        track.samples.append(Sample(frame, Match(outcome, person if outcome is MatchOutcome.MATCHED else None, distance, ""), distances))
    return track


MATCH_ADA = (MatchOutcome.MATCHED, ADA, 0.3)


def decide(*tracks: Track, register=None):
    return decide_tracks(list(tracks), INSTAGRAM, register or snapshot(granted(ADA)), TODAY)


def test_a_track_identified_in_enough_looks_as_a_consenting_person_is_shown():
    """Four looks, three identifying Ada (consenting) and one merely uncertain: shown, with Ada's id,
    her best and median distance, and the box of the best look."""
    track = looks(1, range(0, 40, 10), [MATCH_ADA, (MatchOutcome.UNCERTAIN, ADA, 0.5), (MatchOutcome.MATCHED, ADA, 0.2), MATCH_ADA])
    (verdict,) = decide(track)
    assert (verdict.action, verdict.person_id, verdict.consent.value) == (Action.SHOWN, ADA, "granted")
    assert verdict.distance == 0.2 and verdict.median_distance == 0.3 and verdict.best_frame == 20
    assert verdict.report_dict()["box"] == face(120, 100).box.as_list()
    assert set(verdict.report_dict()) == {"first_frame", "last_frame", "box", "person_id", "distance", "consent", "action"}


def test_too_few_identifying_looks_blur_the_track():
    """Two looks are not enough, nor three out of six."""
    short = looks(1, range(0, 20, 10), [MATCH_ADA, MATCH_ADA])
    unsure = looks(2, range(100, 160, 10), [MATCH_ADA] * 3 + [(MatchOutcome.UNCERTAIN, ADA, 0.5)] * 3)
    verdicts = decide(short, unsure)
    assert [v.action for v in verdicts] == [Action.BLURRED, Action.BLURRED]
    assert all("only" in v.reason and v.person_id is None for v in verdicts)


def test_a_track_ever_identified_as_someone_else_is_blurred():
    """Identified as Ada four times and as Ben once: one of them is wrong, so the track is blurred."""
    track = looks(1, range(0, 50, 10), [MATCH_ADA] * 4 + [(MatchOutcome.MATCHED, BEN, 0.3)])
    (verdict,) = decide(track, register=snapshot(granted(ADA), granted(BEN)))
    assert verdict.action is Action.BLURRED and "different people" in verdict.reason


def test_a_track_with_a_look_that_is_clearly_not_the_person_is_blurred():
    """Ada in four looks, but one look is far from all her references (the tracker may have jumped to a stranger)."""
    track = looks(1, range(0, 50, 10), [MATCH_ADA] * 4 + [(MatchOutcome.UNKNOWN, None, 0.8)])
    (verdict,) = decide(track)
    assert verdict.action is Action.BLURRED and "someone else" in verdict.reason


def test_two_simultaneous_tracks_of_one_person_are_both_blurred_but_one_after_the_other_are_shown():
    """Ada on screen twice at once: both blurred. Ada in two tracks one after the other: both shown."""
    together = decide(looks(1, range(0, 40, 10), [MATCH_ADA] * 4), looks(2, range(20, 60, 10), [MATCH_ADA] * 4))
    assert [v.action for v in together] == [Action.BLURRED, Action.BLURRED]
    apart = decide(looks(1, range(0, 40, 10), [MATCH_ADA] * 4), looks(2, range(50, 90, 10), [MATCH_ADA] * 4))
    assert [v.action for v in apart] == [Action.SHOWN, Action.SHOWN]


def test_withdrawn_or_unconsented_people_and_unread_faces_are_blurred():
    """Ada withdrawn: blurred as withdrawn, with her id. Ben, identified, has no consent: blurred. A track
    with no readable look: blurred as unclear. Nobody consenting at all: blurred without looking."""
    register = snapshot(granted(ADA, ConsentStatus.WITHDRAWN), granted(BEN, ConsentStatus.REFUSED))
    ada = looks(1, range(0, 40, 10), [MATCH_ADA] * 4)
    (verdict,) = decide(ada, register=snapshot(granted(ADA, ConsentStatus.WITHDRAWN), granted(BEN)))
    assert (verdict.action, verdict.person_id, verdict.consent.value) == (Action.BLURRED, ADA, "withdrawn")
    unread = Track(2, 0, 200, [Observation(0, face(10, 10))])
    (verdict,) = decide(unread)
    assert verdict.action is Action.BLURRED and verdict.reason == "face too unclear to identify"
    (verdict,) = decide(ada, register=register)
    assert verdict.action is Action.BLURRED and verdict.reason == "nobody enrolled has consent for this channel"


def test_a_fast_face_that_breaks_its_track_is_bridged_by_the_blur():
    """A face seen once at x=100 and next at x=250 (too far to be joined, within four sizes) starts a
    new track, but the frames between are blurred along the way from one sighting to the other."""
    from rws_desktop.core.clips.pipeline import Scan

    tracker = Tracker()
    (first,) = tracker.update(0, [face(100, 100)])
    (second,) = tracker.update(10, [face(250, 100)])
    assert first is not second and len(tracker.bridges) == 1
    scan = Scan(tracker.finish(10), 11, bridges=tracker.bridges)
    coverages = scan.coverages({first.id}, CoverageSettings(margin_frames=2))
    for frame in range(1, 10):
        x = 100 + 15 * frame
        assert any(box.left <= x - 20 and box.right >= x + 20 for c in coverages for box in (r.covered_box() for r in c.regions(frame)))


def test_a_track_seen_once_reaches_further_for_its_next_sighting():
    """Without a speed to predict from, a face 1.3 sizes away still joins the track; with a speed, the
    prediction is used and the reach is tighter."""
    tracker = Tracker()
    (track,) = tracker.update(0, [face(100, 100)])
    assert tracker.update(10, [face(152, 100)]) == [track]
