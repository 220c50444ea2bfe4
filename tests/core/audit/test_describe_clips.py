"""Clip entries in the audit views, in plain words: a clip_vetted entry's one-line summary and its faces
(the tracks, with their frames and any correction), a clip correction and its undo."""
from __future__ import annotations

import json

from rws_desktop.core.audit.describe import EntryDescriber, kind_label
from rws_desktop.core.audit.names import NameResolver
from rws_desktop.core.kernel.audit_chain import AuditRecord


def track(number, person_id, action, consent, first, last):
    return {"track": number, "first_frame": first, "last_frame": last, "box": [10, 10, 50, 50], "person_id": person_id,
            "distance": 0.31 if person_id else None, "consent": consent, "action": action, "best_frame": first,
            "median_distance": None, "looks": 4, "may_be_named": False, "reason": "why"}


SHOW_TRACK_2 = {"action": "show_track", "track": 2, "person_id": 7, "box": None, "first_frame": None, "last_frame": None,
                "reason": "his mother confirmed", "user": "MSN", "at": "2026-07-02T09:00:00.000000Z", "seq": 12}
AREA = {"action": "blur_area", "track": None, "person_id": None, "box": [5, 5, 40, 40], "first_frame": 2, "last_frame": 5,
        "reason": "a name badge", "user": "MSN", "at": "2026-07-02T09:01:00.000000Z", "seq": 13}
CLIP = {"kind": "clip_vetted", "at": "2026-07-02T09:02:00.000000Z", "user": "MSN", "channel": "instagram",
        "source_name": "sports_day.mp4", "source_sha256": "a" * 64, "output_name": "sports_day.mp4", "output_sha256": "b" * 64,
        "decision": "redacted", "reason": "1 of 2 faces blurred", "duration_s": 65.2, "frame_count": 1630, "frame_rate": 25.0,
        "tracks": [track(1, None, "blurred", "unknown", 0, 99), track(2, 7, "shown", "granted", 40, 1629)],
        "corrections": [SHOW_TRACK_2, AREA]}


def describer() -> EntryDescriber:
    return EntryDescriber(NameResolver({7: "Ada Lovelace"}), None)


def record(content: dict, seq: int = 14) -> AuditRecord:
    return AuditRecord(seq=seq, previous_hash="0" * 64, entry_hash="1" * 64, content_json=json.dumps(content))


def test_a_clip_entry_is_summarised_with_its_length_faces_and_corrections():
    """The row says it is a clip, how long, what was decided, how many faces were followed and how many shown."""
    assert kind_label("clip_vetted") == "Clip vetted"
    summary = describer().summary(CLIP)
    assert summary == ("sports_day.mp4 (clip, 1:05, 1630 frames): redacted; 2 faces followed, 1 shown, "
                       "1 blurred for the whole clip; 2 corrections")


def test_a_clip_entrys_faces_are_its_tracks_with_frames_names_and_their_own_corrections():
    """Each track is a face with its frames counted from 1 and its name from the register; the correction
    that showed track 2 is attached to that face only; the area is described with its frames."""
    detail = describer().detail(record(CLIP), [])
    first, second = detail.faces
    assert first.describe() == "face 1 (not identified): blurred, consent unknown, frames 1–100"
    assert second.describe() == ("face 2 (Ada Lovelace): shown, consent granted, distance 0.31, frames 41–1630; "
                                 "corrected: showed face (Ada Lovelace): his mother confirmed")
    assert first.corrections == () and second.final_action == "shown"
    assert detail.corrections[1].describe() == "blurred an area on frames 3–6: a name badge"


def test_a_clip_correction_and_its_undo_are_described_in_words():
    """clip_corrected and clip_correction_undone entries read as the photo ones do, with the clip's name."""
    corrected = {"kind": "clip_corrected", "source_name": "sports_day.mp4", "correction": AREA}
    undone = {"kind": "clip_correction_undone", "source_name": "sports_day.mp4", "undoes_seq": 13, "correction": AREA}
    assert kind_label("clip_corrected") == "Clip corrected" and kind_label("clip_correction_undone") == "Clip correction undone"
    assert describer().summary(corrected) == "sports_day.mp4: blurred an area on frames 3–6: a name badge"
    assert describer().summary(undone) == "sports_day.mp4: undid blurred an area on frames 3–6: a name badge"

