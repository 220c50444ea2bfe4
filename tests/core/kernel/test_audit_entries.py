"""The typed audit entries write exactly the payloads that were logged before they existed: the chain hashes
each payload's canonical JSON, so every key and value is pinned here, kind by kind. And the entries read back
from what was logged, tolerating odd fields."""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from rws_desktop.core.clips.media import ClipInfo
from rws_desktop.core.clips.results import ClipResult, clip_entry
from rws_desktop.core.clips.verdicts import TrackVerdict
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.kernel.audit_chain import canonical_json
from rws_desktop.core.kernel.audit_entries import (
    ClipCorrected, ClipCorrectionUndone, PhotoVetted, PostApproved, audit_entry, payload_of,
)
from rws_desktop.core.kernel.consent import FaceConsent
from rws_desktop.core.kernel.decisions import Action, Decision
from rws_desktop.core.vetting.analysis import FaceReport, PhotoResult
from rws_desktop.core.vetting.publishing import vetted_entry

AT = "2026-12-01T10:00:00.000000Z"
SOURCE_SHA, OUTPUT_SHA = "a" * 64, "b" * 64


def pinned(entry) -> str:
    """The entry's payload as the chain hashes it, at a fixed time."""
    return canonical_json(replace(entry, at=AT).to_payload())


def test_photo_vetted_payload_is_pinned(channels):
    """A vetted photo logs kind, at, user, channel, the source and output names and hashes, decision, reason and
    each face less its reason; corrections and origin only when there are any. A name that is not UTF-8 is logged
    with \\xNN escapes."""
    face = FaceReport(Box(1, 2, 30, 40), 7, 0.312345, FaceConsent.GRANTED, Action.SHOWN, "consent for instagram",
                      may_be_named=True)
    result = PhotoResult(Path("/in/caf\udce9.jpg"), Decision.REDACTED, "1 of 2 faces blurred", [face],
                         output=Path("/out/cafe.jpg"), source_sha256=SOURCE_SHA, output_sha256=OUTPUT_SHA)
    entry = vetted_entry(result, channels.get("instagram"), "MSN", Decision.REDACTED, "1 of 2 faces blurred", [face])
    assert pinned(entry) == canonical_json({
        "kind": "photo_vetted", "at": AT, "user": "MSN", "channel": "instagram",
        "source_name": "caf\\xe9.jpg", "source_sha256": SOURCE_SHA, "output_name": "cafe.jpg", "output_sha256": OUTPUT_SHA,
        "decision": "redacted", "reason": "1 of 2 faces blurred",
        "faces": [{"box": [1, 2, 30, 40], "person_id": 7, "distance": 0.3123, "consent": "granted", "action": "shown",
                   "may_be_named": True}],
    })
    blocked = vetted_entry(replace(result, output=None), channels.get("instagram"), "MSN", Decision.BLOCKED, "refused",
                           [], [{"action": "blur_area", "box": [0, 0, 5, 5]}], "desktop")
    assert sorted(blocked.to_payload()) == ["at", "channel", "corrections", "decision", "faces", "kind", "origin",
                                            "output_name", "output_sha256", "reason", "source_name", "source_sha256",
                                            "user"]
    assert blocked.to_payload()["output_name"] is None and blocked.to_payload()["output_sha256"] is None


def test_clip_vetted_payload_is_pinned(channels):
    """A vetted clip logs a photo's common fields, then its length (duration to 3 places, frame count, frame rate)
    and each track by person id; corrections and origin only when there are any."""
    track = TrackVerdict(3, 0, 39, 12, Box(5, 6, 50, 60), None, 0.71234, 0.75, FaceConsent.UNKNOWN_PERSON,
                         Action.BLURRED, "not enrolled or not recognised", looks=4)
    info = ClipInfo(640, 360, 0, Fraction(30000, 1001), 370, 12.345678, True, "aac", "h264")
    result = ClipResult(Path("/in/sports.mp4"), Decision.REDACTED, "1 of 1 faces blurred", [track], info, frames=368,
                        output=Path("/out/sports.mp4"), source_sha256=SOURCE_SHA, output_sha256=OUTPUT_SHA)
    entry = clip_entry(result, channels.get("instagram"), "NEF", [{"action": "blur_track", "track": 3}], "rws post: x")
    assert pinned(entry) == canonical_json({
        "kind": "clip_vetted", "at": AT, "user": "NEF", "channel": "instagram",
        "source_name": "sports.mp4", "source_sha256": SOURCE_SHA, "output_name": "sports.mp4", "output_sha256": OUTPUT_SHA,
        "decision": "redacted", "reason": "1 of 1 faces blurred", "duration_s": 12.346, "frame_count": 368,
        "frame_rate": 29.97,
        "tracks": [{"first_frame": 0, "last_frame": 39, "box": [5, 6, 50, 60], "person_id": None, "distance": 0.7123,
                    "consent": "unknown", "action": "blurred", "track": 3, "best_frame": 12, "median_distance": 0.75,
                    "looks": 4, "may_be_named": False, "reason": "not enrolled or not recognised"}],
        "corrections": [{"action": "blur_track", "track": 3}], "origin": "rws post: x",
    })
    bare = clip_entry(replace(result, info=None, frames=None, output=None), channels.get("instagram"), "NEF")
    payload = bare.to_payload()
    assert "corrections" not in payload and "origin" not in payload
    assert (payload["duration_s"], payload["frame_count"], payload["frame_rate"], payload["output_name"]) == (None, None, None, None)


def test_clip_correction_payloads_are_pinned():
    """A clip correction logs who, where, which clip and the correction; its undoing adds the seq it undoes."""
    correction = {"action": "blur_track", "track": 3, "reason": "a child at the edge", "seq": None}
    common = dict(user="MSN", channel="instagram", source_name="sports.mp4", source_sha256=SOURCE_SHA, correction=correction)
    assert pinned(ClipCorrected(**common)) == canonical_json({
        "kind": "clip_corrected", "at": AT, "user": "MSN", "channel": "instagram", "source_name": "sports.mp4",
        "source_sha256": SOURCE_SHA, "correction": correction})
    assert pinned(ClipCorrectionUndone(undoes_seq=41, **common)) == canonical_json({
        "kind": "clip_correction_undone", "at": AT, "user": "MSN", "channel": "instagram", "source_name": "sports.mp4",
        "source_sha256": SOURCE_SHA, "undoes_seq": 41, "correction": correction})


POST = PostApproved(
    at=AT, user="MSN", channel="instagram", caption_sha256="c" * 64,
    media=({"kind": "photo", "audit_seq": 3, "source_name": "a.jpg", "source_sha256": SOURCE_SHA, "output_name": "a.jpg",
            "output_sha256": OUTPUT_SHA},),
    named_person_ids=(4,), shown_person_ids=(4, 9),
    confirmations=({"start": 3, "end": 8, "person_ids": [4, 5], "reason": "the parent agreed"},),
    warnings=({"kind": "ambiguous_name", "start": 3, "end": 8},), checks=("Caption checked",), pack="Sports day",
    hashes_sha256="d" * 64,
)


def test_post_approved_payload_is_pinned():
    """An approved post logs its caption's hash, each file by seq and hashes, the people named and shown by id, the
    confirmations, warnings and checks, the pack's folder name and the hash of hashes.txt, as lists."""
    assert pinned(POST) == canonical_json({
        "kind": "post_approved", "at": AT, "user": "MSN", "channel": "instagram", "caption_sha256": "c" * 64,
        "media": [dict(POST.media[0])], "named_person_ids": [4], "shown_person_ids": [4, 9],
        "confirmations": [dict(POST.confirmations[0])], "warnings": [dict(POST.warnings[0])],
        "checks": ["Caption checked"], "pack": "Sports day", "hashes_sha256": "d" * 64,
    })
    assert all(type(value) is list for key, value in POST.to_payload().items()
               if key in ("media", "named_person_ids", "shown_person_ids", "confirmations", "warnings", "checks"))


def test_entries_read_back_from_their_payloads():
    """from_payload gives back the entry that was logged; another kind gives None; odd fields read as empty."""
    assert PostApproved.from_payload(POST.to_payload()) == POST
    photo = PhotoVetted(user="MSN", channel="instagram", source_name="a.jpg", source_sha256=SOURCE_SHA,
                        output_name="a.jpg", output_sha256=OUTPUT_SHA, decision="approved", reason="r",
                        faces=({"person_id": 4},), corrections=({"action": "show_face"},), origin="desktop", at=AT)
    assert PhotoVetted.from_payload(photo.to_payload()) == photo
    assert PhotoVetted.from_payload(POST.to_payload()) is None and PostApproved.from_payload(photo.to_payload()) is None
    odd = PostApproved.from_payload({"kind": "post_approved", "named_person_ids": "4", "media": [1, {"a": 1}]})
    assert odd.named_person_ids == () and odd.media == ({"a": 1},) and odd.pack is None


def test_payload_of_takes_a_typed_entry_or_a_plain_one():
    """The repository is handed a typed entry's payload, or a plain entry as it is."""
    plain = audit_entry("signed_in", "MSN")
    assert payload_of(plain) is plain
    assert payload_of(POST) == POST.to_payload()


@pytest.mark.parametrize("entry", [POST, ClipCorrected(user="MSN", channel="x", source_name="a", source_sha256=None,
                                                       correction={})])
def test_typed_entries_are_frozen(entry):
    """An entry cannot be changed once built: what was decided is what is logged."""
    with pytest.raises(AttributeError):
        entry.user = "someone else"
