"""Corrections to a clip and its export: each needs a reason and is audited; showing a track takes
the same refusals as showing a photo's face; the export applies them and records them."""
from __future__ import annotations

import json
from datetime import date

import pytest
from PIL import ImageDraw
from clip_factory import read_frames, write_clip
from clip_helpers import FixedDetector
from test_clip_files import FACE, NoEncoder, _sharpness, checkered

from rws_desktop.core.clips.pipeline import ClipAnalyser, ClipSettings
from rws_desktop.core.clips.review import ClipReview, ClipReviewError, ClipReviewService
from rws_desktop.core.clips.service import analyse_clip
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.matching import Gallery
from rws_desktop.core.kernel.consent import ConsentStatus
from rws_desktop.core.kernel.decisions import Action, Decision
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.core.vetting.analysis import RegisterSnapshot
from register_helpers import audit_entries
from sessions import signed_in

TODAY = date.today()
CORNER = Box(110, 10, 158, 90)  # away from the face, for hand-drawn areas


@pytest.fixture
def people(register):
    """Ada (consenting to Instagram) and Ben (refused), by id."""
    ada = register.add_person(NewPerson("Ada Lovelace"))
    ben = register.add_person(NewPerson("Ben Jones"))
    register.set_photo_consent(ada.id, "instagram", ConsentStatus.GRANTED, TODAY)
    register.set_photo_consent(ben.id, "instagram", ConsentStatus.REFUSED, TODAY)
    return ada.id, ben.id


@pytest.fixture
def review(tmp_path, channels):
    """A 12-frame clip with one face on every frame, analysed (nobody consenting) but not yet written."""
    source = write_clip(tmp_path / "clip.mp4", 12, with_badge)
    analyser = ClipAnalyser(FixedDetector(FACE), NoEncoder(), ClipSettings())
    analysis = analyse_clip(source, tmp_path / "unused.mp4", channels.get("instagram"), RegisterSnapshot({}, {}, Gallery({})),
                            TODAY, analyser, write=False)
    assert analysis.pending is None and not (tmp_path / "unused.mp4.part").exists()
    return ClipReview(analysis.result, analysis.scan), analyser


@pytest.fixture
def service(store, channels):
    """MSN, comms, who administers Instagram in the policy."""
    return ClipReviewService(store, channels, signed_in(store, channels, "MSN", Role.COMMS))


def with_badge(index: int):
    """The checkered face, and sharp stripes (a name badge, say) in CORNER."""
    image = checkered(index)
    draw = ImageDraw.Draw(image)
    for x in range(CORNER.left, CORNER.right, 6):
        draw.rectangle((x, CORNER.top, x + 2, CORNER.bottom - 1), fill=(20, 20, 20))
    return image


def corrections_logged(store) -> list[dict]:
    return [entry for entry in audit_entries(store) if entry["kind"] == "clip_corrected"]


def test_showing_a_track_needs_consent_a_reason_and_is_audited(review, service, people, store):
    """Ben (refused) cannot be shown; no reason is refused; Ada (consenting) can, and the log records it."""
    review, _ = review
    ada, ben = people
    (track,) = review.tracks()
    with pytest.raises(ClipReviewError, match="cannot be shown"):
        service.show_track(review, "instagram", track.track_id, ben, "it is Ben")
    with pytest.raises(ClipReviewError, match="type why"):
        service.show_track(review, "instagram", track.track_id, ada, "   ")
    service.show_track(review, "instagram", track.track_id, ada, "the face was too turned to match; checked by eye")
    assert [(t.action, t.person_id) for t in review.tracks()] == [(Action.SHOWN, ada)]
    (logged,) = corrections_logged(store)
    assert logged["correction"]["action"] == "show_track" and logged["correction"]["person_id"] == ada
    assert "Ada" not in json.dumps(logged)


def test_blurring_a_shown_track_and_an_area_over_a_span_is_exported_with_the_corrections(review, service, people, store, tmp_path):
    """Ada shown by hand, then blurred again; an area blurred on frames 3 to 6 only. The export blurs
    the face on every frame and the area on its span, and the clip's entry holds all three corrections."""
    review, analyser = review
    ada, _ = people
    (track,) = review.tracks()
    service.show_track(review, "instagram", track.track_id, ada, "It is Ada")
    service.blur_track(review, "instagram", track.track_id, "Ada asked not to be in this one")
    with pytest.raises(ClipReviewError, match="already blurred"):
        service.blur_track(review, "instagram", track.track_id, "again")
    service.blur_area(review, "instagram", CORNER, 3, 6, "a name badge")
    result = service.export(review, "instagram", tmp_path / "out", analyser)
    assert result.decision is Decision.REDACTED and result.output.exists()
    frames = read_frames(result.output)
    assert all(_sharpness(frame, FACE) < 0.05 * _sharpness(checkered(i), FACE) for i, frame in enumerate(frames))
    hidden = [i for i, frame in enumerate(frames) if _sharpness(frame, CORNER) < 0.05 * _sharpness(with_badge(i), CORNER)]
    assert hidden == [3, 4, 5, 6]
    (entry,) = [entry for entry in audit_entries(store) if entry["kind"] == "clip_vetted"]
    assert [c["action"] for c in entry["corrections"]] == ["show_track", "blur_track", "blur_area"]
    assert entry["tracks"][0]["action"] == "blurred"
    with pytest.raises(ClipReviewError, match="exported"):
        service.show_track(review, "instagram", track.track_id, ada, "too late")


def test_a_drawn_area_must_be_inside_the_clip_and_span_real_frames(review, service):
    """A sliver, an area off the frame and a span past the last frame are refused, saying why."""
    review, _ = review
    with pytest.raises(ClipReviewError, match="too small"):
        service.blur_area(review, "instagram", Box(10, 10, 12, 40), 0, 5, "x")
    with pytest.raises(ClipReviewError, match="too small"):
        service.blur_area(review, "instagram", Box(500, 500, 600, 600), 0, 5, "x")
    with pytest.raises(ClipReviewError, match="span of frames"):
        service.blur_area(review, "instagram", CORNER, 5, 40, "x")


def test_export_blurs_a_track_whose_consent_was_withdrawn_since_the_check(
        review, service, people, register, store, tmp_path):
    """Ada is shown by hand, then withdraws her consent before the export: the safe clip blurs her on every
    frame and its entry says why."""
    review, analyser = review
    ada, _ = people
    (track,) = review.tracks()
    service.show_track(review, "instagram", track.track_id, ada, "It is Ada")
    register.set_photo_consent(ada, "instagram", ConsentStatus.WITHDRAWN, TODAY)
    result = service.export(review, "instagram", tmp_path / "out", analyser)
    assert result.decision is Decision.REDACTED and "consent changed" in result.reason
    frames = read_frames(result.output)
    assert all(_sharpness(frame, FACE) < 0.05 * _sharpness(checkered(i), FACE) for i, frame in enumerate(frames))
    (entry,) = [entry for entry in audit_entries(store) if entry["kind"] == "clip_vetted"]
    assert entry["tracks"][0]["action"] == "blurred" and entry["tracks"][0]["reason"] == "consent changed since the check"


def test_a_clip_changed_since_its_check_is_not_exported(review, service, tmp_path):
    """The file under the review is replaced after the check: the export refuses, writing nothing."""
    review, analyser = review
    write_clip(review.result.source, 12, checkered)  # the same name, other bytes
    with pytest.raises(ClipReviewError, match="changed since it was checked"):
        service.export(review, "instagram", tmp_path / "out", analyser)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
