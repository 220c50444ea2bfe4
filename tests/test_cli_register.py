"""The `rws` commands for keeping the register true: MIS import, people lists, leavers, year end, expiring consent."""
from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from rws_cli import register_entries, rws
from rws_desktop.cli import main
from rws_desktop.core.kernel.consent import academic_year_end

EXPORT = (
    "\ufeffAdno,UPN,Legal Surname,Legal Forename,Forename,Year,Reg,DOB\r\n"
    "0101,K2001,Ashby,Zoë,Zoë,Year 7,7RW,02/03/2014\r\n"
    "0102,K2002,Castle,Amirah,Amy,Y13,13AB,31/01/2008\r\n"
    "0103,K2003,Dorn,Lou,Lou,Reception,R,14/05/2020\r\n"
)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "rws.sqlite3"


@pytest.fixture
def export(tmp_path) -> Path:
    path = tmp_path / "sims.csv"
    path.write_bytes(EXPORT.encode("utf-8"))
    return path


def audit_count(db: Path) -> int:
    """Entries about the register (each command's sign-in adds one of its own)."""
    return len(register_entries(db))


def test_an_export_that_cannot_be_imported_is_refused_before_the_database_is_opened(db, tmp_path, capsys, monkeypatch):
    """`rws person import` of a file over the size limit, and `leavers --absent-from` of a workbook, are refused
    with the plain reason right after the command line is read: no database is opened, nobody signs in. `main`
    returns 1 (it does not raise SystemExit from inside argument parsing), so a caller in the same process gets
    the exit code."""
    monkeypatch.setattr("rws_desktop.app.App.open", lambda *args, **kwargs: pytest.fail("the database was opened"))
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as handle:
        handle.truncate(21 * 1024 * 1024)  # sparse: no disk used
    workbook = tmp_path / "workbook.csv"
    workbook.write_bytes(b"PK\x03\x04" + bytes(100))
    for command, reason in ((["person", "import", str(huge)], "The file is 21 MB"),
                            (["person", "leavers", "--absent-from", str(workbook)], "Excel workbook")):
        assert main(["--db", f"sqlite:///{db}", "--user", "TST", *command]) == 1
        said = capsys.readouterr().err
        assert said.startswith("rws: ") and reason in said and "Traceback" not in said
    assert not db.exists()


def test_import_dry_run_then_import_then_reimport(db, export, capsys):
    """--dry-run prints the preview and changes nothing; the import adds the valid rows; importing again changes nothing."""
    assert rws(db, "person", "import", export, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "3 rows: 2 new, 0 changed, 0 unchanged, 1 invalid" in out
    assert "K2003" in out and "unknown year 'Reception'" in out
    assert "Dry run: nothing was changed." in out
    assert audit_count(db) == 0
    assert rws(db, "person", "import", export) == 0
    assert "Imported: 2 added, 0 updated." in capsys.readouterr().out
    entries = audit_count(db)
    assert rws(db, "person", "import", export) == 0
    assert "0 new, 0 changed, 2 unchanged, 1 invalid" in capsys.readouterr().out
    assert audit_count(db) == entries


def test_import_with_a_mapping_and_a_mapping_mistake(db, tmp_path, capsys):
    """--mapping names a column the export calls something else; a column that is not there is a plain error."""
    path = tmp_path / "own.csv"
    path.write_text("Pupil No,First,Last,Tutor\r\n501,Ivo,Gale,9C\r\n", encoding="utf-8")
    assert rws(db, "person", "import", path, "--mapping", "mis_id=Pupil No,forename=First,surname=Last,form=Tutor") == 0
    assert "Imported: 1 added" in capsys.readouterr().out
    assert rws(db, "person", "import", path, "--mapping", "form=Tutor Group") == 1
    assert "There is no column 'Tutor Group' in the file" in capsys.readouterr().err


def test_person_list_searches_filters_and_reports_consent(db, export, capsys):
    """`person list` finds people by any word of their name, MIS id or form and reports a channel's consent."""
    rws(db, "person", "import", export)
    rws(db, "consent", "set", 1, "--channel", "all", "--status", "granted")
    capsys.readouterr()
    assert rws(db, "person", "list", "--search", "zoe", "--channel", "instagram", "--json") == 0
    (zoe,) = json.loads(capsys.readouterr().out)
    assert (zoe["name"], zoe["mis_id"], zoe["consent"], zoe["reference_faces"]) == ("Zoë Ashby", "K2001", "granted", 0)
    assert rws(db, "person", "list", "--year", "13", "--sort", "name") == 0
    assert capsys.readouterr().out.strip().endswith("Amy Castle")
    assert rws(db, "person", "list", "--channel", "instagram", "--consent", "no_consent", "--json") == 0
    assert [p["name"] for p in json.loads(capsys.readouterr().out)] == ["Amy Castle"]


def test_leavers_are_previewed_then_marked(db, export, capsys):
    """`person leavers --year 13` lists the year; only --apply marks them."""
    rws(db, "person", "import", export)
    capsys.readouterr()
    assert rws(db, "person", "leavers", "--year", "13") == 0
    assert "1 to mark as leavers. Nothing was changed" in capsys.readouterr().out
    assert rws(db, "person", "leavers", "--year", "13", "--apply", "--date", "2027-07-16") == 0
    assert "1 marked as leavers; 0 reference faces deleted." in capsys.readouterr().out
    assert rws(db, "person", "list", "--leavers", "only", "--json") == 0
    assert [(p["name"], p["leaving_date"]) for p in json.loads(capsys.readouterr().out)] == [("Amy Castle", "2027-07-16")]


def test_consents_expiring_and_year_end(db, export, capsys):
    """`consent expiring` lists grants lapsing soon; `consent year-end` previews, then --apply renews those listed."""
    rws(db, "person", "import", export)
    today = date.today()
    rws(db, "consent", "set", 1, "--channel", "all", "--status", "granted", "--expires", today + timedelta(days=10))
    rws(db, "consent", "set", 2, "--channel", "instagram", "--status", "granted")
    capsys.readouterr()
    assert rws(db, "consent", "expiring") == 0
    out = capsys.readouterr().out
    assert "(10 days)" in out and "Zoë Ashby: all channels" in out
    assert rws(db, "consent", "year-end", "--renew", "2") == 0
    out = capsys.readouterr().out
    next_end = academic_year_end(academic_year_end(today) + timedelta(days=1))
    assert f"Amy Castle: instagram renewed to {next_end.day} Aug {next_end.year}" in out
    assert "Nothing was changed" in out
    assert rws(db, "consent", "year-end", "--renew", "2", "--apply") == 0
    assert "Done." in capsys.readouterr().out
    with sqlite3.connect(db) as connection:
        (expiry,) = connection.execute("SELECT expires_on FROM photo_consent WHERE person_id = 2").fetchone()
    assert expiry == next_end.isoformat()


def test_reference_faces_are_listed_and_removed(db, capsys):
    """`person faces` lists a person's reference faces; `person remove-face` deletes one, and an unknown one is an error.
    A thumbnail that does not open with the key (here plain bytes put in with SQL) is listed as none."""
    rws(db, "person", "add", "--name", "Ivo Gale", "--mis-id", "K3001", "--kind", "staff")
    rws(db, "biometric", "set", 1, "--adult-consent", "yes")
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO reference_face (person_id, encoding, source_sha256, added_at, thumbnail) VALUES (1, ?, ?, '2026-11-01', ?)",
            (b"\0" * 1024, "ab" * 32, b"\xff\xd8jpeg"),
        )
    capsys.readouterr()
    assert rws(db, "person", "faces", "K3001") == 0
    out = capsys.readouterr().out
    assert "from abababababab  no thumbnail" in out and "1 reference face for person 1." in out
    assert rws(db, "person", "remove-face", 1) == 0
    assert "Reference face 1 of person 1 deleted." in capsys.readouterr().out
    assert rws(db, "person", "remove-face", 1) == 1
    assert "There is no reference face 1." in capsys.readouterr().err


def test_reference_faces_held_without_valid_biometric_consent_are_deleted_when_the_app_starts(db, capsys):
    """Consent that has lapsed by date alone is caught at start: the faces go, and the deletion is logged."""
    rws(db, "person", "add", "--name", "Ivo Gale", "--kind", "staff")
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO reference_face (person_id, encoding, source_sha256, added_at) VALUES (1, ?, ?, '2026-11-01')",
            (b"\0" * 1024, "ab" * 32),
        )
    assert rws(db, "init") == 0
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM reference_face").fetchone() == (0,)
        (content,) = connection.execute("SELECT content FROM audit_entry ORDER BY seq DESC LIMIT 1").fetchone()
    assert json.loads(content)["kind"] == "reference_faces_deleted"


def legal_forenames(db: Path) -> dict[str, str | None]:
    with sqlite3.connect(db) as connection:
        return dict(connection.execute("SELECT name, legal_forename FROM person ORDER BY id").fetchall())


def test_the_legal_forename_is_imported_set_cleared_and_given_on_add(db, export, capsys):
    """The MIS import keeps Amy Castle's legal forename (Amirah) in its own column, and none for Zoë Ashby whose
    forenames agree; `person legal-forename` clears and sets it (each change audited); `person add --legal-forename`
    records one for someone added by hand; a re-import puts the file's value back."""
    assert rws(db, "person", "import", export) == 0
    assert legal_forenames(db) == {"Zoë Ashby": None, "Amy Castle": "Amirah"}
    assert rws(db, "person", "legal-forename", "K2002") == 0
    assert legal_forenames(db)["Amy Castle"] is None
    assert register_entries(db)[-1]["kind"] == "person_updated" and register_entries(db)[-1]["changed"] == ["legal_forename"]
    assert rws(db, "person", "import", export) == 0
    assert "1 changed" in capsys.readouterr().out and legal_forenames(db)["Amy Castle"] == "Amirah"
    assert rws(db, "person", "legal-forename", "K2001", "  Zoe  ") == 0
    assert legal_forenames(db)["Zoë Ashby"] == "Zoe"
    assert rws(db, "person", "add", "--name", "Bobby Reid", "--legal-forename", "Robert") == 0
    assert legal_forenames(db)["Bobby Reid"] == "Robert"
