"""One face, one correction, one reference face: the audit log's sentences and a photo's reason say "1 face", never
"1 face(s)" or "all 1 faces" (issue 14, rough text)."""
from __future__ import annotations

from types import SimpleNamespace

from rws_desktop.core.audit.describe import EntryDescriber
from rws_desktop.core.audit.names import NameResolver
from rws_desktop.core.kernel.decisions import overall_decision
from rws_desktop.core.vetting.analysis import Action

FACE = {"box": [10, 10, 50, 50], "person_id": 7, "distance": 0.31, "consent": "granted", "action": "shown",
        "reason": "consent granted", "may_be_named": False}
BLUR = {"action": "blur_face", "face": 0, "person_id": None, "box": None, "reason": "asked not to appear",
        "user": "MSN", "at": "2026-07-02T09:00:00.000000Z", "seq": 12}


def describer() -> EntryDescriber:
    return EntryDescriber(NameResolver({7: "Ada Lovelace"}), None)


def test_a_photo_with_one_face_is_approved_in_singular_words():
    """The reason a photo with one consenting face is approved reads "its one face has consent", not "all 1 faces";
    with two it still says "all 2 faces"."""
    one = [SimpleNamespace(action=Action.SHOWN)]
    assert overall_decision(one, block_hidden=False)[1] == "its one face has consent for this channel"
    assert overall_decision(one * 2, block_hidden=False)[1] == "all 2 faces have consent for this channel"


def test_a_vetted_photo_with_one_face_and_one_correction_is_summarised_in_singular_words():
    """A photo_vetted entry with one face and one correction says "1 face" and "1 correction"; two say "faces"."""
    content = {"kind": "photo_vetted", "source_name": "trip.jpg", "decision": "redacted", "faces": [FACE],
               "corrections": [BLUR]}
    summary = describer().summary(content)
    assert "trip.jpg: redacted; 1 face, " in summary and summary.endswith("; 1 correction")
    assert "(s)" not in summary
    two = describer().summary({**content, "faces": [FACE, FACE], "corrections": [BLUR, {**BLUR, "seq": 13}]})
    assert "; 2 faces, " in two and two.endswith("; 2 corrections")


def test_one_deleted_reference_face_is_said_in_the_singular():
    """An entry that deleted one reference face says "1 reference face deleted"."""
    summary = describer().summary({"kind": "person_left", "person_id": 7, "reference_faces_deleted": 1})
    assert "1 reference face deleted" in summary and "(s)" not in summary
