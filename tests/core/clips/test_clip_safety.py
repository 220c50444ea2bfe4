"""The safety rule over time, on generated clips with real faces: nobody is visible in any frame
unless their whole track was identified as one consenting person."""
from __future__ import annotations

import pytest
from clip_factory import Scene, Walker, on_screen, read_frames, visible_frames, write_clip
from clip_helpers import BIDEN, INSTAGRAM, OBAMA, QUICK, TODAY, MissingDetector, consent

from rws_desktop.core.clips.pipeline import CLIP_DETECTOR_SETTINGS, ClipAnalyser
from rws_desktop.core.clips.service import analyse_clip
from rws_desktop.core.faces.detection import FaceDetector
from rws_desktop.core.kernel.consent import ConsentStatus
from rws_desktop.core.kernel.decisions import Action, Decision

pytestmark = pytest.mark.photos

SIZE, FRAMES = (400, 240), 24


def two_walkers(faces, first="obama", second="lin") -> Scene:
    """Obama crossing left to right for the whole clip; a second face drifting up from frame 4 to 19."""
    return Scene(SIZE, FRAMES, [Walker(faces[first], (10, 40), (170, 90)),
                                Walker(faces[second], (280, 120), (200, 20), first=4, last=19)])


def vet(tmp_path, scene: Scene, register, analyser, **options):
    source = write_clip(tmp_path / "clip.mp4", scene.frames, scene.frame, **options)
    analysis = analyse_clip(source, tmp_path / "out" / "clip.mp4", INSTAGRAM, register, TODAY, analyser)
    assert analysis.pending is not None and analysis.pending.exists(), analysis.result.reason
    return analysis.result, read_frames(analysis.pending)


def test_nobody_consenting_blurs_every_face_in_every_frame_even_where_detection_misses(tmp_path, faces, register_with, encoder):
    """With nobody consenting, both faces are hidden on every frame they are on, including the frames
    of two detection rounds (in the middle of both tracks) where the detector was made to find nothing."""
    missing = MissingDetector(FaceDetector(CLIP_DETECTOR_SETTINGS), misses={3, 4})
    analyser = ClipAnalyser(missing, encoder, QUICK)
    scene = two_walkers(faces)
    result, output = vet(tmp_path, scene, register_with(consent(OBAMA, ConsentStatus.REFUSED)), analyser)
    assert missing.calls > 5 and len(output) == FRAMES
    missed_frames = {3 * QUICK.stride(result.info), 4 * QUICK.stride(result.info)}  # rounds 3 and 4: frames 9 and 12
    assert missed_frames == {9, 12} and missed_frames <= set(on_screen(scene, 0)) & set(on_screen(scene, 1))
    assert visible_frames(scene, output, 0) == [] and visible_frames(scene, output, 1) == []
    assert result.decision is Decision.REDACTED and {t.action for t in result.tracks} == {Action.BLURRED}


def test_a_consenting_enrolled_person_stays_visible_and_everyone_else_is_blurred(tmp_path, faces, register_with, analyser):
    """Obama consents to all channels: his face keeps its detail on every frame; the stranger beside him
    (never enrolled) is hidden on every frame he is on."""
    scene = two_walkers(faces)
    result, output = vet(tmp_path, scene, register_with(consent(OBAMA, ConsentStatus.GRANTED)), analyser)
    shown = [t for t in result.tracks if t.action is Action.SHOWN]
    assert [(t.person_id, t.consent.value) for t in shown] == [(OBAMA, "granted")]
    assert visible_frames(scene, output, 0) == on_screen(scene, 0)
    assert visible_frames(scene, output, 1) == []


def test_a_withdrawn_person_is_blurred(tmp_path, faces, register_with, analyser):
    """Obama is identified, but his consent was withdrawn: his track is blurred on every frame."""
    scene = Scene(SIZE, FRAMES, [Walker(faces["obama"], (10, 40), (170, 90))])
    result, output = vet(tmp_path, scene, register_with(consent(OBAMA, ConsentStatus.WITHDRAWN), consent(BIDEN, ConsentStatus.GRANTED)), analyser)
    assert [(t.person_id, t.consent.value, t.action) for t in result.tracks] == [(OBAMA, "withdrawn", Action.BLURRED)]
    assert visible_frames(scene, output, 0) == []


def test_two_tracks_of_one_person_at_once_are_both_blurred(tmp_path, faces, register_with, analyser):
    """Two copies of Obama's face on screen together: one identification must be wrong, so both
    tracks are blurred, on every frame, though he consents."""
    scene = two_walkers(faces, second="obama")
    result, output = vet(tmp_path, scene, register_with(consent(OBAMA, ConsentStatus.GRANTED)), analyser)
    assert len(result.tracks) == 2
    assert all(t.action is Action.BLURRED and t.consent.value == "uncertain" for t in result.tracks)
    assert "same person" in result.tracks[0].reason
    assert visible_frames(scene, output, 0) == [] and visible_frames(scene, output, 1) == []
