"""The audit log end to end: a log built by vetting the shared test photos and changing the register,
then read back through the service the window uses and through `rws audit`."""
from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import date, timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from rws_desktop.core.audit.log_service import AuditFilter, AuditLogService
from rws_desktop.core.kernel.channels import ChannelCatalogue
from rws_desktop.core.kernel.consent import ConsentStatus, PersonKind
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.core.faces.matching import MatchPolicy
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.core.register.service import RegisterService
from rws_desktop.core.vetting.analysis import PhotoAnalyser
from rws_desktop.core.vetting.service import VettingService
from rws_desktop.paths import channels_file
from rws_desktop.core.keys.service import unlock_keys
from rws_desktop.storage import open_database
from rws_cli import rws
from sessions import record_dpia, signed_in

# short name: (name, MIS id, folder of photos/people/train)
ENROLLED = {"kit": ("Kit Harington", "K1", "kit_harington"), "rose": ("Rose Leslie", "R1", "rose_leslie")}


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def built_log(testdata, detector, encoder, tmp_path_factory, private_keys_and_quick_hashes):
    """Kit and Rose enrolled, consenting to all channels, and Ada (a pupil, not enrolled) who leaves.
    kit_with_rose.jpg is vetted for Instagram before and after Rose refuses Instagram, then for
    WhatsApp; finally Kit is erased from the register."""
    folder = tmp_path_factory.mktemp("audit")
    db_path = folder / "rws.sqlite3"
    database = open_database(f"sqlite:///{db_path}")
    database.migrate()
    # Keys from the tests' key store, as App.open finds them, so `rws` can check the seals later.
    assert unlock_keys(database, private_keys_and_quick_hashes).ready
    record_dpia(database)
    channels = ChannelCatalogue.from_toml(channels_file())
    office = RegisterService(database, channels, signed_in(database, channels, "OFF", Role.OFFICE))
    signed_in(database, channels, "TST", *Role)  # the account the command line tests run as
    today = date.today()
    ids = {}
    for short, (name, mis_id, train_folder) in ENROLLED.items():
        ids[short] = office.add_person(NewPerson(name, PersonKind.STAFF, mis_id=mis_id)).id
        office.set_biometric_consent(ids[short], today, adult_consent=True)
        office.set_photo_consent(ids[short], "all", ConsentStatus.GRANTED, today)
        train = sorted((testdata / "photos/people/train" / train_folder).iterdir())
        assert all(result.added for result in office.enrol(ids[short], train, detector, encoder, today))
    ids["ada"] = office.add_person(NewPerson("Ada Pupil", mis_id="A1")).id
    office.set_photo_consent(ids["ada"], "whatsapp", ConsentStatus.GRANTED, today)
    office.mark_left(ids["ada"], today)
    analyser = PhotoAnalyser(detector, encoder, MatchPolicy())

    def vetting(initials: str) -> VettingService:
        return VettingService(database, channels, analyser, signed_in(database, channels, initials, Role.COMMS), workers=1)

    photo = testdata / "photos/people/test/kit_with_rose.jpg"
    seqs = {}
    (result,) = vetting("MSN").vet([photo], "instagram", folder / "out1")
    seqs["before_refusal"] = result.audit_seq
    dpo = signed_in(database, channels, "DPO", Role.OFFICE)
    RegisterService(database, channels, dpo).set_photo_consent(ids["rose"], "instagram", ConsentStatus.REFUSED, today)
    (result,) = vetting("MSN").vet([photo], "instagram", folder / "out2")
    seqs["after_refusal"] = result.audit_seq
    (result,) = vetting("MGL").vet([photo], "whatsapp", folder / "out3")
    seqs["whatsapp"] = result.audit_seq
    with database.engine.begin() as connection:
        connection.exec_driver_sql(f"DELETE FROM person WHERE id = {ids['kit']}")  # as erasure will
    with database.snapshot() as tx:
        seqs["last"] = tx.audit.head()[0]
    database.close()
    return db_path, ids, seqs


def auditor(database):
    return signed_in(database, ChannelCatalogue.from_toml(channels_file()), "AUD", Role.AUDITOR)


@pytest.fixture
def service(built_log, private_keys_and_quick_hashes):
    database = open_database(f"sqlite:///{built_log[0]}")
    unlock_keys(database, private_keys_and_quick_hashes)
    yield AuditLogService(database, auditor(database), tz=timezone.utc)
    database.close()


def test_filters_find_the_vettings_and_register_changes(built_log, service):
    """Channel, decision, user, kind, person (present and erased) and date filters over the built log."""
    _, ids, seqs = built_log
    vettings = [seqs["whatsapp"], seqs["after_refusal"], seqs["before_refusal"]]
    assert [row.seq for row in service.page(AuditFilter(kind="photo_vetted")).rows] == vettings
    instagram = service.page(AuditFilter(channel="instagram")).rows
    assert [(row.kind, row.decision) for row in instagram] == [
        ("photo_vetted", "redacted"), ("photo_consent_set", ""), ("photo_vetted", "approved"),
    ]
    assert [row.seq for row in service.page(AuditFilter(decision="approved")).rows] == [seqs["whatsapp"], seqs["before_refusal"]]
    assert [row.summary for row in service.page(AuditFilter(user="DPO")).rows] == ["Rose Leslie: photo consent refused for instagram"]
    rose = service.page(AuditFilter(person_id=ids["rose"])).rows
    assert {row.kind for row in rose} == {"person_added", "biometric_consent_set", "photo_consent_set", "reference_face_added", "photo_vetted"}
    assert [row.seq for row in rose if row.kind == "photo_vetted"] == vettings
    kit = service.page(AuditFilter(person_id=ids["kit"])).rows
    assert [row.seq for row in kit if row.kind == "photo_vetted"] == vettings
    assert {p.name for row in kit for p in row.people if p.id == ids["kit"]} == {f"erased person #{ids['kit']}"}
    assert [row.kind for row in service.page(AuditFilter(person_id=ids["ada"])).rows] == ["person_left", "photo_consent_set", "person_added"]
    today = date.today()
    assert service.count(AuditFilter(date_from=today - timedelta(days=1), date_to=today + timedelta(days=1))) == seqs["last"]
    assert service.count(AuditFilter(date_to=today - timedelta(days=2))) == 0


def test_detail_of_a_vetted_photo_shows_each_face(built_log, service):
    """After Rose's refusal: Rose blurred (refused) and Kit shown (granted, since erased), each with a distance;
    the other vettings of the same photo are listed as related."""
    _, ids, seqs = built_log
    detail = service.entry(seqs["after_refusal"])
    by_person = {face.person.id: face for face in detail.faces if face.person}
    rose, kit = by_person[ids["rose"]], by_person[ids["kit"]]
    assert (rose.person.name, rose.action, rose.consent) == ("Rose Leslie", "blurred", "refused")
    assert (kit.person.name, kit.action, kit.consent) == (f"erased person #{ids['kit']}", "shown", "granted")
    assert 0 < rose.distance < 0.45 and 0 < kit.distance < 0.45
    assert detail.row.decision == "redacted" and detail.source_name == "kit_with_rose.jpg" and detail.seal_intact
    assert [row.seq for row in detail.related] == [seqs["whatsapp"], seqs["before_refusal"]]
    whatsapp = service.entry(seqs["whatsapp"])
    assert {(face.person.name, face.action) for face in whatsapp.faces if face.person} == {
        (f"erased person #{ids['kit']}", "shown"), ("Rose Leslie", "shown"),
    }


def test_export_pdf_and_csv_from_the_command_line(built_log, service, tmp_path, capsys):
    """`rws audit export` writes a PDF whose text has the entries and per-channel totals, and a filtered CSV."""
    db, ids, seqs = built_log
    pdf = tmp_path / "instagram.pdf"
    assert rws(db, "audit", "export", "--format", "pdf", "--channel", "instagram", "--from", date.today() - timedelta(days=1), "--out", pdf) == 0
    assert capsys.readouterr().out.strip() == f"3 audit entries written to {pdf}"
    text = pdf_text(pdf)
    assert re.search(r"instagram\s+1\s+1\s+0\s+0\s+2", text)
    assert "kit_with_rose.jpg: approved; 2 faces, 2 shown, 0 blurred" in text
    assert "kit_with_rose.jpg: redacted; 2 faces, 1 shown, 1 blurred" in text
    assert "whatsapp" not in text
    assert "Rose Leslie: photo consent refused for instagram" in text
    with sqlite3.connect(db) as connection:  # signing in to export added an entry after the built log
        (head,) = connection.execute("SELECT max(seq) FROM audit_entry").fetchone()
    assert f"Verified up to entry {head}." in text and "Filters channel instagram" in text
    csv_path = tmp_path / "rose.csv"
    assert rws(db, "audit", "export", "--person", "R1", "--out", csv_path) == 0
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    rose_entries = service.count(AuditFilter(person_id=ids["rose"]))
    assert lines[0].startswith("seq,at,kind,user,channel,decision") and len(lines) == rose_entries + 1
    assert all("Rose Leslie" in line for line in lines[1:])


def test_person_report_from_the_command_line(built_log, tmp_path, capsys):
    """`rws audit person` by MIS id gives Rose's consent history and photos; by id, an erased person's CSV."""
    db, ids, seqs = built_log
    pdf = tmp_path / "rose.pdf"
    assert rws(db, "audit", "person", "R1", "--out", pdf) == 0
    assert capsys.readouterr().out.strip() == f"Person report with {6 + 3} audit entries written to {pdf}"
    text = pdf_text(pdf)
    assert "person report for Rose Leslie" in text and "Biometric consent (recognition): valid today" in text
    assert "Register and consent history (6 entries)" in text and "(3 entries)" in text
    assert "Rose Leslie: photo consent refused for instagram" in text and re.search(r"instagram\s+refused", text)
    assert re.search(r"face \d \(Rose Leslie\): blurred, consent refused, distance 0\.\d\d", text)
    assert len(re.findall(r"face \d \(Rose Leslie\): shown, consent granted", text)) == 2
    assert "erased person" not in text  # Kit, in the same photos, is not disclosed
    erased = tmp_path / "kit.csv"
    assert rws(db, "audit", "person", ids["kit"], "--out", erased) == 0
    rows = erased.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert [row.split(",")[0] for row in rows if ",photo_vetted," in row] == [str(seqs[k]) for k in ("before_refusal", "after_refusal", "whatsapp")]
    assert all(f"erased person #{ids['kit']}" in row for row in rows if ",photo_vetted," in row)
    assert rws(db, "audit", "person", "nobody", "--out", tmp_path / "x.pdf") == 1
    assert "no person nobody" in capsys.readouterr().err


def test_a_changed_byte_is_reported_by_the_command_line_and_the_service(built_log, tmp_path, capsys):
    """One byte of one entry changed in the file (trigger dropped): `rws audit verify` fails naming it; so does chain_status."""
    source, _, seqs = built_log
    db = tmp_path / "tampered.sqlite3"
    shutil.copy(source, db)
    assert rws(db, "audit", "verify") == 0
    with sqlite3.connect(db) as connection:  # signing in to verify added an entry after the built log
        (head,) = connection.execute("SELECT max(seq) FROM audit_entry").fetchone()
    assert head > seqs["last"]
    assert capsys.readouterr().out.startswith(f"OK: verified up to entry {head}; hash of entry {head}: ")
    target = seqs["after_refusal"]
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TRIGGER audit_entry_no_update")
        (content,) = connection.execute("SELECT content FROM audit_entry WHERE seq = ?", (target,)).fetchone()
        tampered = content.replace('"decision":"redacted"', '"decision":"redacteD"')
        assert sum(a != b for a, b in zip(content, tampered)) == 1 and len(tampered) == len(content)
        connection.execute("UPDATE audit_entry SET content = ? WHERE seq = ?", (tampered, target))
    assert rws(db, "audit", "verify") == 1
    out = capsys.readouterr().out
    assert out.startswith(f"BROKEN at entry {target}: its content or hash was altered.")
    assert f"Entries up to {target - 1} are intact." in out
    database = open_database(f"sqlite:///{db}")
    status = AuditLogService(database, auditor(database)).chain_status()
    database.close()
    assert not status.ok and status.bad_seq == target and status.verified_up_to == target - 1


def test_an_export_that_cannot_be_written_is_a_plain_error(tmp_path, capsys):
    """Writing over a folder (as over a file open in Excel) fails with the reason, not a traceback."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "audit", "verify") == 0 and capsys.readouterr().out.startswith("OK: verified up to entry ")
    assert rws(db, "audit", "export", "--out", tmp_path) == 1
    assert f"rws: could not write {tmp_path}: " in capsys.readouterr().err


def test_one_entry_exported_is_counted_in_the_singular(tmp_path, capsys):
    """An export of a single entry says "1 audit entry", not "1 audit entries" (the first admin's account_added
    is the only entry of its kind in a new database)."""
    from rws_cli import ensure_staff

    db = tmp_path / "rws.sqlite3"
    ensure_staff(db)
    out = tmp_path / "added.csv"
    assert rws(db, "audit", "export", "--kind", "account_added", "--out", out) == 0
    assert capsys.readouterr().out.strip() == f"1 audit entry written to {out}"
