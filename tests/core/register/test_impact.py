"""Withdrawal impact: the exported photos that showed a person, read from the audit log, and their CSV."""
from __future__ import annotations

import csv
import io

import pytest

from rws_desktop.core.register.impact import (
    IMPACT_CSV_COLUMNS, SHOWN_BY_CORRECTION, SHOWN_WHEN_VETTED, withdrawal_impact, write_impact_csv,
)

ADA, BEN = 7, 8


def vetted(channel: str, name: str, faces: list[tuple[int | None, str]], exported: bool = True, **extra) -> dict:
    """An entry shaped like VettingService's: one face dict per (person_id, action)."""
    return {
        "kind": "photo_vetted", "at": "2026-11-20T10:00:00.000000Z", "user": "msn", "channel": channel,
        "source_name": name, "source_sha256": "a" * 64,
        "output_name": name if exported else None, "output_sha256": "b" * 64 if exported else None,
        "decision": "redacted", "reason": "",
        "faces": [{"box": [0, 0, 9, 9], "person_id": pid, "action": action, "consent": "granted"} for pid, action in faces],
        **extra,
    }


@pytest.fixture
def log(store):
    """Photos Ada is shown in, blurred in, or not exported; Ben's photo; a correction that showed Ada; and a register change."""
    entries = [
        vetted("instagram", "sports-day.jpg", [(ADA, "shown"), (None, "blurred")]),
        vetted("instagram", "choir.jpg", [(ADA, "blurred")]),
        vetted("whatsapp", "trip.jpg", [(ADA, "shown")], exported=False),
        vetted("whatsapp", "science.jpg", [(BEN, "shown"), (ADA, "shown")]),
        {"kind": "photo_consent_set", "person_id": ADA, "channel": "all", "status": "withdrawn"},
        vetted("sport-x", "match.jpg", [(None, "blurred")], kind="photo_corrected",
               corrections=[{"face": 0, "action": "show_face", "person_id": ADA}]),
        vetted("instagram", "art.jpg", [(BEN, "shown")]),
    ]
    with store.transaction() as tx:
        for entry in entries:
            tx.audit.append(entry)


def test_every_export_that_showed_the_person_is_listed(store, log):
    """Photos exported with the person shown, or shown by a later correction, are listed oldest first with their audit entry."""
    photos = withdrawal_impact(store, ADA)
    assert [(p.audit_seq, p.channel, p.output_name, p.how) for p in photos] == [
        (1, "instagram", "sports-day.jpg", SHOWN_WHEN_VETTED),
        (4, "whatsapp", "science.jpg", SHOWN_WHEN_VETTED),
        (6, "sport-x", "match.jpg", SHOWN_BY_CORRECTION),
    ]
    assert photos[0].source_sha256 == "a" * 64 and photos[0].output_sha256 == "b" * 64 and photos[0].user == "msn"


def test_a_channel_narrows_the_list_and_all_channels_does_not(store, log):
    """A withdrawal for one channel lists only that channel's exports; 'all' lists every channel's."""
    assert [p.output_name for p in withdrawal_impact(store, ADA, "whatsapp")] == ["science.jpg"]
    assert [p.output_name for p in withdrawal_impact(store, ADA, "all")] == ["sports-day.jpg", "science.jpg", "match.jpg"]
    assert withdrawal_impact(store, ADA, "art-instagram") == []


def test_the_list_exports_as_csv(store, log):
    """The CSV has a header and one row per photo, with ids, channels, file names and hashes."""
    buffer = io.StringIO(newline="")
    write_impact_csv(withdrawal_impact(store, BEN), buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows[0] == list(IMPACT_CSV_COLUMNS)
    assert [(r[0], r[2], r[5], r[8]) for r in rows[1:]] == [
        ("4", "whatsapp", "science.jpg", SHOWN_WHEN_VETTED), ("7", "instagram", "art.jpg", SHOWN_WHEN_VETTED)
    ]


def test_file_names_that_look_like_formulas_are_defused_in_the_csv(store):
    """A file name such as "=HYPERLINK(...)" or "@SUM(...)" reaches the CSV as text Excel shows, never as a formula it runs."""
    with store.transaction() as tx:
        tx.audit.append(vetted("instagram", '=HYPERLINK("http://x.invalid","open me").jpg', [(ADA, "shown")]))
        tx.audit.append(vetted("instagram", "@SUM(1+1).jpg", [(ADA, "shown")]))
    buffer = io.StringIO(newline="")
    write_impact_csv(withdrawal_impact(store, ADA), buffer)
    names = [row[5] for row in list(csv.reader(io.StringIO(buffer.getvalue())))[1:]]
    assert names == ["'=HYPERLINK(\"http://x.invalid\",\"open me\").jpg", "'@SUM(1+1).jpg"]
