"""The search terms derived from an audit entry: who it involves, when, and what it was."""
from datetime import datetime

from rws_desktop.core.kernel.audit_index import AuditQuery, involved_people, parse_utc, terms_of


def test_a_desktop_vetting_involves_every_face_and_correction_person_once():
    """People come from faces and corrections, in first-seen order, without None, repeats or booleans."""
    content = {
        "kind": "photo_vetted",
        "faces": [{"person_id": 4}, {"person_id": None}, {"person_id": 2}, {"person_id": 4}],
        "corrections": [{"action": "show_face", "face": 1, "person_id": 9}, {"action": "blur_area", "person_id": None}],
    }
    assert involved_people(content) == [4, 2, 9]
    assert involved_people({"faces": [{"person_id": True}], "person_id": "7"}) == []


def test_register_and_correction_entries_involve_their_person():
    """A register change names its person_id; a photo_corrected entry names its correction's person."""
    assert involved_people({"kind": "person_left", "person_id": 12}) == [12]
    assert involved_people({"kind": "photo_corrected", "correction": {"action": "blur_face", "person_id": 3}}) == [3]


def test_terms_hold_the_filterable_fields_and_utc_time():
    """Kind, user, channel, decision and photo are copied; the time becomes naive UTC whatever offset it was written with."""
    terms = terms_of(5, {
        "kind": "photo_vetted", "at": "2026-06-30T23:30:00.000000Z", "user": "MSN", "channel": "instagram",
        "decision": "approved", "source_sha256": "ab" * 32, "faces": [],
    })
    assert (terms.seq, terms.kind, terms.user, terms.channel, terms.decision) == (5, "photo_vetted", "MSN", "instagram", "approved")
    assert terms.at_utc == datetime(2026, 6, 30, 23, 30) and terms.source_sha256 == "ab" * 32
    assert parse_utc("2026-07-01T00:30:00+01:00") == datetime(2026, 6, 30, 23, 30)


def test_odd_entries_give_empty_terms_instead_of_failing():
    """An entry with missing or wrongly typed fields is still indexed, with None for what cannot be read."""
    terms = terms_of(1, {"at": "yesterday", "kind": 3, "faces": "none", "corrections": [1, "x"], "channel": None})
    assert (terms.at_utc, terms.kind, terms.channel, terms.person_ids) == (None, None, None, frozenset())
    assert AuditQuery().is_everything and not AuditQuery(person_id=1).is_everything
