"""The per-face verdicts: only a strict, unique match with active consent for the channel is shown."""
from datetime import date
from unittest.mock import MagicMock

import numpy as np

from rws_desktop.core.kernel.channels import Channel, ChannelStatus
from rws_desktop.core.kernel.consent import ALL_CHANNELS, ConsentStatus, Person, PhotoConsent
from rws_desktop.core.faces.detection import DetectedFace, FaceDetector
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.matching import Gallery
from rws_desktop.core.faces.recognition import FaceEncoder
from rws_desktop.core.kernel.decisions import overall_decision
from rws_desktop.core.vetting.analysis import Action, Decision, PhotoAnalyser, RegisterSnapshot

TODAY = date(2026, 11, 24)
INSTAGRAM = Channel("instagram", "RWS Instagram", "Instagram", "ravens.wood.school", ("MSN",), ChannelStatus.LIVE)


def face_at(x: int) -> DetectedFace:
    return DetectedFace(Box(x, 10, x + 40, 50), (x + 20.0, 30.0), 40.0, 0.0, 2.0)


def encoding(value: float) -> np.ndarray:
    vector = np.zeros(128)
    vector[0] = value
    return vector


def analyser_seeing(encodings: list) -> PhotoAnalyser:
    detector = MagicMock(spec=FaceDetector)
    detector.detect.return_value = [face_at(60 * i) for i in range(len(encodings))]
    encoder = MagicMock(spec=FaceEncoder)
    encoder.encode_all.return_value = encodings
    return PhotoAnalyser(detector, encoder)


def register(*consents: PhotoConsent) -> RegisterSnapshot:
    people = {1: Person(1, "Ada"), 2: Person(2, "Ben")}
    by_person: dict[int, list] = {}
    for consent in consents:
        by_person.setdefault(consent.person_id, []).append(consent)
    return RegisterSnapshot(people, by_person, Gallery({1: [encoding(0.0)], 2: [encoding(1.0)]}))


def grant(person_id: int, channel: str = ALL_CHANNELS) -> PhotoConsent:
    return PhotoConsent(person_id, channel, ConsentStatus.GRANTED, date(2026, 9, 1), date(2027, 8, 31))


def test_identified_consenting_person_is_shown_and_a_stranger_blurred():
    """Ada matches closely and consents: shown. The second face matches nobody: blurred as unknown."""
    reports = analyser_seeing([encoding(0.05), encoding(3.0)]).analyse(None, INSTAGRAM, register(grant(1)), TODAY)
    assert [(r.person_id, r.action, r.consent.value) for r in reports] == [(1, Action.SHOWN, "granted"), (None, Action.BLURRED, "unknown")]
    assert overall_decision(reports, block_hidden=False)[0] is Decision.REDACTED
    assert overall_decision(reports, block_hidden=True)[0] is Decision.BLOCKED


def test_two_faces_each_a_strong_match_to_the_same_person_are_both_shown():
    """A collage of Ada: each face is on its own within 0.4 of her and at least 0.1 nearer her than Ben,
    so each may be shown although both match the same person."""
    reports = analyser_seeing([encoding(0.05), encoding(0.02)]).analyse(None, INSTAGRAM, register(grant(1)), TODAY)
    assert [(r.person_id, r.action) for r in reports] == [(1, Action.SHOWN), (1, Action.SHOWN)]


def test_a_duplicate_match_that_is_not_strong_is_blurred_and_the_strong_one_shown():
    """Ada at 0.05 is a strong match; the second face matches Ada too, at 0.42 (identified, but beyond the
    strong line of 0.4), so it is the ambiguous duplicate: blurred as uncertain, the first still shown."""
    reports = analyser_seeing([encoding(0.05), encoding(0.42)]).analyse(None, INSTAGRAM, register(grant(1)), TODAY)
    assert [(r.person_id, r.action) for r in reports] == [(1, Action.SHOWN), (None, Action.BLURRED)]
    assert reports[1].consent.value == "uncertain" and "same person" in reports[1].reason


def test_two_faces_matching_the_same_person_neither_strongly_are_both_blurred():
    """Both faces match Ada only at 0.42 and 0.43: one match is likely wrong and nobody can tell which."""
    reports = analyser_seeing([encoding(0.42), encoding(0.43)]).analyse(None, INSTAGRAM, register(grant(1)), TODAY)
    assert [r.action for r in reports] == [Action.BLURRED, Action.BLURRED]
    assert all(r.consent.value == "uncertain" and r.person_id is None for r in reports)


def test_unclear_face_is_blurred():
    """A face the encoder could not read is never shown."""
    reports = analyser_seeing([None]).analyse(None, INSTAGRAM, register(grant(1)), TODAY)
    assert reports[0].action is Action.BLURRED and reports[0].reason == "face too unclear to identify"


def test_identified_person_without_consent_for_this_channel_is_blurred():
    """Ben is recognised, but his consent is for WhatsApp only."""
    reports = analyser_seeing([encoding(1.02)]).analyse(None, INSTAGRAM, register(grant(1), grant(2, "whatsapp")), TODAY)
    assert (reports[0].person_id, reports[0].action, reports[0].reason) == (2, Action.BLURRED, "no consent for this channel")


def test_no_encoding_when_nobody_may_be_shown():
    """With nobody consenting to the channel, faces are blurred without spending time encoding them."""
    analyser = analyser_seeing([encoding(0.05)])
    reports = analyser.analyse(None, INSTAGRAM, register(grant(2, "whatsapp")), TODAY)
    analyser.encoder.encode_all.assert_not_called()
    assert reports[0].action is Action.BLURRED and reports[0].reason == "nobody enrolled has consent for this channel"
