"""Identification is stricter than face_recognition's default and uses every reference face."""
import numpy as np

from rws_desktop.core.faces.matching import Gallery, MatchOutcome, MatchPolicy, identify


def vector(*head: float) -> np.ndarray:
    values = np.zeros(128)
    values[: len(head)] = head
    return values


def test_close_match_with_clear_margin_is_identified():
    """A probe near one person's references and far from everyone else's is that person."""
    gallery = Gallery({1: [vector(0.0), vector(0.1)], 2: [vector(1.0)]})
    match = identify(vector(0.05), gallery)
    assert match.outcome is MatchOutcome.MATCHED and match.person_id == 1
    assert abs(match.distance - 0.05) < 1e-9


def test_distance_the_library_would_accept_is_only_uncertain():
    """0.55 passes face_recognition's 0.6 default but not our stricter rule: the face is uncertain, not identified."""
    match = identify(vector(0.55), Gallery({1: [vector(0.0)]}))
    assert match.outcome is MatchOutcome.UNCERTAIN and match.person_id is None


def test_two_enrolled_people_too_close_together_is_uncertain():
    """Without a clear margin over the next-best person (as with siblings), nobody is identified."""
    gallery = Gallery({1: [vector(0.0)], 2: [vector(0.0, 0.25)]})
    match = identify(vector(0.0, 0.1), gallery, MatchPolicy())
    assert match.outcome is MatchOutcome.UNCERTAIN
    assert "too close to another enrolled person" in match.reason


def test_references_that_disagree_make_the_match_uncertain():
    """One close reference is not enough when the person's other references are far away."""
    gallery = Gallery({1: [vector(0.0), vector(0.9), vector(0.9)]})
    match = identify(vector(0.0), gallery)
    assert match.outcome is MatchOutcome.UNCERTAIN


def test_far_face_is_unknown_and_empty_gallery_identifies_nobody():
    """Faces beyond the library tolerance, or with nobody enrolled, are unknown."""
    assert identify(vector(0.8), Gallery({1: [vector(0.0)]})).outcome is MatchOutcome.UNKNOWN
    assert identify(vector(0.0), Gallery({})).outcome is MatchOutcome.UNKNOWN


def test_a_strong_match_is_near_and_clear_of_everyone_else():
    """Strong (a collage face that may repeat): nearest within 0.4 AND at least 0.1 nearer than the next
    person. Identified at 0.42, or at 0.3 with the next person 0.05 further, is not strong."""
    gallery = Gallery({1: [vector(0.0)], 2: [vector(1.0)]})
    assert identify(vector(0.3), gallery).strong
    assert identify(vector(0.42), gallery).outcome is MatchOutcome.MATCHED
    assert not identify(vector(0.42), gallery).strong
    close_pair = Gallery({1: [vector(0.0)], 2: [vector(0.65)]})
    assert not identify(vector(0.3), close_pair).strong
