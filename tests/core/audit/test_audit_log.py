"""The audit log service the log view and `rws audit` use: filters, pages, detail, chain status, exports.

A real SQLite store holds a small log written the way the app writes it: register changes through
RegisterService and desktop-style photo entries (with corrections) appended as the desktop will.
Times straddle the switch to 1 July in London (BST), so date filters are tested in local days.
"""
from __future__ import annotations

import csv
import re
from datetime import date, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from rws_desktop.core.audit.log_service import AuditFilter, AuditLogService, AuditReportError
from rws_desktop.core.kernel.channels import ChannelCatalogue
from rws_desktop.core.kernel.consent import ConsentStatus
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.core.kernel.ports import NewPerson, PersonNotFound
from rws_desktop.core.register.service import RegisterService
from rws_desktop.paths import channels_file
from sessions import migrated_database, signed_in

LONDON = ZoneInfo("Europe/London")
PHOTO_A, PHOTO_B = "a" * 64, "b" * 64


def face(person_id, action, consent, distance):
    return {"box": [10, 10, 50, 50], "person_id": person_id, "distance": distance, "consent": consent,
            "action": action, "may_be_named": False}


def correction(action, face_index, person_id, reason, at="2026-07-02T09:00:00.000000Z"):
    return {"action": action, "face": face_index, "person_id": person_id, "shape": "ellipse",
            "box": [10, 10, 50, 50], "reason": reason, "user": "MSN", "at": at}


@pytest.fixture
def store(tmp_path):
    database = migrated_database(tmp_path, keyed=False)
    yield database
    database.close()


def dpo_register(store) -> RegisterService:
    channels = ChannelCatalogue.from_toml(channels_file())
    return RegisterService(store, channels, signed_in(store, channels, "DPO", Role.OFFICE))


@pytest.fixture
def people(store) -> dict[str, int]:
    """Entries 1 to 4: Ada (MIS A1), Ben, Cara added; Ada granted Instagram consent."""
    register = dpo_register(store)
    ids = {name: register.add_person(NewPerson(f"{name} Smith", mis_id=mis)).id
           for name, mis in (("Ada", "A1"), ("Ben", None), ("Cara", None))}
    register.set_photo_consent(ids["Ada"], "instagram", ConsentStatus.GRANTED, date(2026, 6, 1))
    return ids


@pytest.fixture
def log(store, people) -> dict[str, int]:
    """Entries 5 to 9 (photos, corrections, a sign-in); then Cara is erased from the register."""
    ada, ben, cara = people["Ada"], people["Ben"], people["Cara"]
    entries = [
        {"kind": "photo_vetted", "at": "2026-06-30T22:30:00.000000Z", "user": "MSN", "channel": "instagram",
         "source_name": "sports.jpg", "source_sha256": PHOTO_A, "output_name": "sports.jpg", "output_sha256": "c" * 64,
         "decision": "redacted", "reason": "2 faces blurred", "source": "desktop",
         "faces": [face(ada, "shown", "granted", 0.31), face(ben, "blurred", "no_consent", 0.35), face(None, "blurred", "unknown", None)],
         "corrections": []},
        {"kind": "photo_vetted", "at": "2026-06-30T23:30:00.000000Z", "user": "MGL", "channel": "whatsapp",
         "source_name": "trip.jpg", "source_sha256": PHOTO_B, "output_name": "trip.jpg", "output_sha256": "d" * 64,
         "decision": "approved", "reason": "everyone may be shown", "source": "desktop",
         "faces": [face(cara, "shown", "granted", 0.28)],
         "corrections": [correction("blur_face", 0, cara, "parent phoned"), correction("blur_area", None, None, "name badge")]},
        {"kind": "photo_corrected", "at": "2026-07-02T09:00:00.000000Z", "user": "MSN", "channel": "instagram",
         "source_name": "sports.jpg", "source_sha256": PHOTO_A, "correction": correction("blur_face", 0, ada, "Ada asked")},
        {"kind": "correction_undone", "at": "2026-07-02T09:05:00.000000Z", "user": "MSN", "channel": "instagram",
         "source_name": "sports.jpg", "source_sha256": PHOTO_A, "correction": correction("blur_face", 0, ada, "Ada asked")},
        {"kind": "signed_in", "at": "2026-07-03T08:00:00.000000Z", "user": "MSN"},
    ]
    with store.transaction() as tx:
        for content in entries:
            tx.audit.append(content)
    with store.engine.begin() as connection:
        connection.exec_driver_sql(f"DELETE FROM person WHERE id = {cara}")  # as erasure will
    return people


@pytest.fixture
def auditor(store, channels):
    return signed_in(store, channels, "AUD", Role.AUDITOR)


@pytest.fixture
def service(store, auditor) -> AuditLogService:
    return AuditLogService(store, auditor, tz=LONDON)


def seqs(service, audit_filter=AuditFilter()) -> list[int]:
    return [row.seq for row in service.page(audit_filter).rows]


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize(
    "audit_filter, expected",
    [
        (AuditFilter(), [9, 8, 7, 6, 5, 4, 3, 2, 1]),
        (AuditFilter(date_from=date(2026, 6, 30), date_to=date(2026, 6, 30)), [5]),
        (AuditFilter(date_from=date(2026, 7, 1), date_to=date(2026, 7, 3)), [9, 8, 7, 6]),
        (AuditFilter(channel="instagram"), [8, 7, 5, 4]),
        (AuditFilter(user="MGL"), [6]),
        (AuditFilter(decision="redacted"), [5]),
        (AuditFilter(kind="signed_in"), [9]),
        (AuditFilter(person_id=1), [8, 7, 5, 4, 1]),
        (AuditFilter(person_id=3), [6, 3]),
        (AuditFilter(source_sha256=PHOTO_A), [8, 7, 5]),
        (AuditFilter(channel="instagram", person_id=2, date_to=date(2026, 6, 30)), [5]),
        (AuditFilter(channel="", user="", kind=""), [9, 8, 7, 6, 5, 4, 3, 2, 1]),
    ],
    ids=["none", "30-june-london", "1-to-3-july-london", "channel", "user", "decision", "kind", "person",
         "erased-person", "photo", "combined", "empty-strings-mean-any"],
)
def test_filters_select_the_entries_they_name_newest_first(log, service, audit_filter, expected):
    """Each filter alone and combined; dates are whole local days (22:30 UTC on 30 June is still 30 June in London)."""
    assert seqs(service, audit_filter) == expected
    assert service.count(audit_filter) == len(expected)


def test_pages_follow_on_by_seq_without_gaps_or_repeats(store, service):
    """450 entries in pages of 200: newest first, each page continuing below the last, the last page saying so."""
    with store.transaction() as tx:
        for number in range(450):
            tx.audit.append({"kind": "signed_in", "user": f"user{number % 3}", "at": "2026-07-03T08:00:00.000000Z"})
    first = service.page()
    second = service.page(before_seq=first.next_before)
    third = service.page(before_seq=second.next_before)
    assert [len(p.rows) for p in (first, second, third)] == [200, 200, 50]
    assert [row.seq for p in (first, second, third) for row in p.rows] == list(range(450, 0, -1))
    assert third.next_before is None
    filtered = service.page(AuditFilter(user="user1"), limit=100)
    assert [row.seq for row in filtered.rows] == [seq for seq in range(450, 0, -1) if (seq - 1) % 3 == 1][:100]


def test_photo_detail_shows_each_face_with_name_consent_distance_and_corrections(log, service):
    """A vetted photo's detail: every face, its person (or none), action, consent, distance, and later entries for the photo."""
    detail = service.entry(5)
    assert detail.row.kind_label == "Photo vetted" and detail.row.user == "MSN" and detail.row.channel == "instagram"
    assert [(f.person.name if f.person else None, f.action, f.consent, f.distance) for f in detail.faces] == [
        ("Ada Smith", "shown", "granted", 0.31), ("Ben Smith", "blurred", "no_consent", 0.35), (None, "blurred", "unknown", None),
    ]
    assert detail.seal_intact and detail.source_name == "sports.jpg" and detail.reason == "2 faces blurred"
    assert [row.seq for row in detail.related] == [8, 7]
    assert ("source_sha256", PHOTO_A) in detail.fields
    assert detail.row.at.isoformat() == "2026-06-30T23:30:00+01:00"


def test_corrections_attach_to_their_face_with_reason_and_erased_names(log, service):
    """Corrections sit on the face they changed (area ones apart); Cara, erased since, shows as erased person #3."""
    detail = service.entry(6)
    (cara,) = detail.faces
    assert cara.person.name == "erased person #3" and cara.person.erased
    assert [(c.action, c.reason) for c in cara.corrections] == [("blur_face", "parent phoned")]
    assert cara.action == "shown" and cara.final_action == "blurred"
    area = [c for c in detail.corrections if c.face is None]
    assert [(c.action, c.reason, c.shape) for c in area] == [("blur_area", "name badge", "ellipse")]
    corrected = service.entry(7)
    assert [(c.action, c.person.name, c.reason) for c in corrected.corrections] == [("blur_face", "Ada Smith", "Ada asked")]
    assert corrected.row.summary == "sports.jpg: blurred face 1 (Ada Smith): Ada asked"
    assert service.entry(8).row.summary.startswith("sports.jpg: undid blurred face 1")
    assert service.entry(99) is None


def test_rows_summarise_register_changes_with_names_from_the_register(log, service):
    """Register entries hold ids only; their rows name the person as the register does now."""
    rows = {row.seq: row for row in service.page().rows}
    assert rows[1].summary == "Added Ada Smith (pupil)"
    assert rows[3].summary == "Added erased person #3 (pupil)"
    assert rows[4].summary == "Ada Smith: photo consent granted for instagram, until 2026-08-31"
    assert rows[9].summary == "MSN signed in" and rows[9].kind_label == "Signed in"
    assert [p.name for p in rows[5].people] == ["Ada Smith", "Ben Smith"]


def test_filter_choices_come_from_the_log(log, service):
    """The view's drop-downs offer the kinds, users, channels and decisions actually logged."""
    choices = service.filter_choices()
    assert ("photo_corrected", "Photo corrected") in choices.kinds
    assert choices.users == ("DPO", "MGL", "MSN")
    assert choices.channels == ("instagram", "whatsapp") and choices.decisions == ("approved", "redacted")


def test_a_reversed_period_is_refused_in_plain_words(service):
    """A period ending before it starts is a mistake to point out, not an empty result."""
    with pytest.raises(AuditReportError, match="ends .* before it starts"):
        service.page(AuditFilter(date_from=date(2026, 7, 2), date_to=date(2026, 7, 1)))


def test_chain_status_verifies_up_to_the_last_entry_with_its_hash(log, service, store):
    """An untouched log verifies to its last entry; progress ends at the total; the hash is the head's."""
    reported = []
    status = service.chain_status(progress=lambda done, total: reported.append((done, total)))
    with store.snapshot() as tx:
        head = tx.audit.head()
    assert status.ok and status.verified_up_to == 9 == status.entries and status.last_hash == head[1]
    assert status.describe() == "Verified up to entry 9." and reported[-1] == (9, 9)


def test_chain_status_names_an_entry_whose_byte_was_changed(log, service, store):
    """Changing one byte of entry 6 in the database makes the status broken at 6, intact up to 5."""
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER audit_entry_no_update")
        connection.exec_driver_sql("UPDATE audit_entry SET content = REPLACE(content, 'trip.jpg', 'trip.jpe') WHERE seq = 6")
    status = service.chain_status()
    assert not status.ok and status.bad_seq == 6 and status.verified_up_to == 5
    assert status.describe() == "Broken at entry 6: its content or hash was altered."
    assert not service.entry(6).seal_intact and service.entry(5).seal_intact


@pytest.mark.parametrize(
    "statement, problem",
    [("DELETE FROM audit_person WHERE seq = 5 AND person_id = 1", "search index terms were altered"),
     ("UPDATE audit_index SET channel = 'whatsapp' WHERE seq = 5", "search index terms were altered"),
     ("DELETE FROM audit_index WHERE seq = 5", "missing from the search index")],
    ids=["person-removed", "channel-changed", "row-removed"],
)
def test_chain_status_catches_an_altered_search_index(log, service, store, statement, problem):
    """Hiding an entry from a filter by editing the index (triggers dropped) is reported at that entry."""
    with store.engine.begin() as connection:
        for table in ("audit_index", "audit_person"):
            for change in ("update", "delete"):
                connection.exec_driver_sql(f"DROP TRIGGER {table}_no_{change}")
        connection.exec_driver_sql(statement)
    status = service.chain_status()
    assert not status.ok and status.bad_seq == 5 and status.verified_up_to == 4
    assert problem in status.problem


def test_csv_export_opens_in_excel_and_never_runs_a_formula(store, people, service, tmp_path):
    """UTF-8 with BOM, CRLF, a header, one row per entry; a name starting with = gets a leading apostrophe."""
    register = dpo_register(store)
    register.add_person(NewPerson('=HYPERLINK("http://x","Zoë")'))
    path = tmp_path / "log.csv"
    assert service.export_csv(AuditFilter(), path) == 5
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:6] == ["seq", "at", "kind", "user", "channel", "decision"] and len(rows) == 6
    assert rows[5][6] == '\'=HYPERLINK("http://x","Zoë") (#4)' and rows[5][7].startswith("Added =HYPERLINK")
    assert rows[4][7] == "Ada Smith: photo consent granted for instagram, until 2026-08-31"
    assert rows[1][9].startswith('{"at":') and len(rows[1][11]) == 64


def test_csv_export_of_a_filter_has_only_those_entries(log, service, tmp_path):
    """The export follows the filter, oldest first, with names and the exact UTC time."""
    path = tmp_path / "ada.csv"
    assert service.export_csv(AuditFilter(person_id=1, channel="instagram"), path) == 4
    text = path.read_text(encoding="utf-8-sig")
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == ["4", "5", "7", "8"]
    assert "2026-06-30T22:30:00.000000Z" in text and "2026-06-30 23:30:00" in text


def test_pdf_report_lists_the_period_totals_entries_and_chain_result(log, service, store, tmp_path):
    """The governors' PDF, read back: school, period, author, totals per channel and decision, entries, chain and last hash."""
    path = tmp_path / "report.pdf"
    count = service.export_pdf(AuditFilter(date_from=date(2026, 6, 30), date_to=date(2026, 7, 3)), path, "J. Auditor")
    assert count == 5
    text = pdf_text(path)
    with store.snapshot() as tx:
        head_hash = tx.audit.head()[1]
    assert "Ravens Wood School: audit log report" in text
    assert "30 June 2026 to 3 July 2026" in text and "Generated by J. Auditor on" in text
    assert re.search(r"instagram\s+0\s+1\s+0\s+0\s+1", text) and re.search(r"whatsapp\s+1\s+0\s+0\s+0\s+1", text)
    assert re.search(r"All channels\s+1\s+1\s+0\s+0\s+2", text)
    assert re.search(r"Photo corrected\s+1", text) and re.search(r"Total\s+5", text)
    assert f"Verified up to entry 9. Hash of entry 9: {head_hash}" in text
    assert "sports.jpg: blurred face 1 (Ada Smith): Ada asked" in text and "trip.jpg: approved" in text
    assert "Added Ada Smith" not in text  # outside the period


def test_person_report_pdf_has_consent_history_and_every_photo(log, service, tmp_path):
    """Ada's report: her register entries and current consent, and each photo with what happened to her face."""
    path = tmp_path / "ada.pdf"
    assert service.person_report(1, path, "DPO") == 5
    text = pdf_text(path)
    assert "person report for Ada Smith" in text and "MIS id A1" in text
    assert re.search(r"instagram\s+granted\s+2026-06-01\s+2026-08-31", text)
    assert "Register and consent history (2 entries)" in text and "Photos and other entries involving Ada Smith (3 entries)" in text
    assert "face 1 (Ada Smith): shown, consent granted, distance 0.31" in text
    assert "blurred face 1 (Ada Smith): Ada asked" in text
    assert "Ben Smith" not in text  # other people in her photos are not disclosed


def test_person_report_csv_and_an_erased_person(log, service, tmp_path):
    """The CSV has a row per entry involving them, marked by part; an erased person's report still works."""
    path = tmp_path / "cara.csv"
    assert service.person_report(3, path) == 2
    rows = path.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("seq,at,kind,user,channel,decision,part,about_this_person")
    assert rows[1].startswith("3,") and "register and consent" in rows[1]
    assert rows[2].startswith("6,") and "face 1 (erased person #3): shown" in rows[2] and "parent phoned" in rows[2]
    pdf = tmp_path / "cara.pdf"
    service.person_report(3, pdf)
    assert "erased person #3" in pdf_text(pdf) and "No: erased." in pdf_text(pdf)


def test_person_report_refuses_unknown_people_and_other_file_types(log, service, tmp_path):
    """Nobody with that id and no entries: PersonNotFound. A .txt file: a plain error. Nothing is written."""
    with pytest.raises(PersonNotFound):
        service.person_report(42, tmp_path / "x.pdf")
    with pytest.raises(AuditReportError, match=r"\.csv or \.pdf"):
        service.person_report(1, tmp_path / "x.txt")
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.txt").exists()


def test_people_are_found_by_id_or_mis_id(store, people, service):
    """An MIS id or an id finds the person; an id typed as someone else's MIS id must be made explicit."""
    assert service.resolve_person("A1") == people["Ada"] and service.resolve_person(" 2 ") == 2
    assert service.resolve_person("77") == 77  # perhaps erased: the report decides
    with store.transaction() as tx:
        tx.register.add_person(NewPerson("Dan", mis_id="2"))
    with pytest.raises(AuditReportError, match="id:2 or mis:2"):
        service.resolve_person("2")
    assert service.resolve_person("mis:2") == 4 and service.resolve_person("id:2") == 2
    with pytest.raises(PersonNotFound):
        service.resolve_person("nobody")


def test_times_are_shown_in_the_time_zone_given(log, store, auditor):
    """The same entry reads 23:30 in London and 22:30 in UTC; the filter day follows the zone too."""
    utc = AuditLogService(store, auditor, tz=timezone.utc)
    assert utc.entry(5).row.at.hour == 22
    assert [row.seq for row in utc.page(AuditFilter(date_from=date(2026, 7, 1), date_to=date(2026, 7, 1))).rows] == []
