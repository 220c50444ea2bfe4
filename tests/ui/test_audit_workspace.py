"""The Audit log workspace on a log built by vetting shared photos and changing the register: chain status,
filters, the full entry, exports, and a tampered entry reported."""
from __future__ import annotations

import csv
import sqlite3
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate

from rws_cli import rws
from rws_desktop.core.kernel.checkpoint import Checkpoint
from vetting_window import open_window

CHECK_TIMEOUT_MS = 60_000


@pytest.fixture
def logged(register, testdata, tmp_path):
    """The enrolled register, two photos vetted for Instagram, then Rose's consent withdrawn."""
    db, ids = register
    photos = testdata / "photos/people/test"
    assert rws(db, "vet", photos / "obama_and_biden.jpg", photos / "kit_with_rose.jpg", "--channel", "instagram",
               "--out", tmp_path / "out", "--workers", 1) == 0
    assert rws(db, "consent", "set", ids["rose"], "--channel", "all", "--status", "withdrawn") == 0
    return db, ids


def open_audit(qtbot, db, settings):
    window, answers = open_window(qtbot, db, settings, user="TST")  # TST holds every role, auditor included
    workspace = window.audit
    with qtbot.waitSignal(workspace.chain_checked, timeout=CHECK_TIMEOUT_MS):
        window.tabs.setCurrentWidget(workspace)
    return window, answers, workspace


def rows(workspace) -> list:
    return list(workspace.model.rows)


def test_chain_status_filters_and_the_full_entry(qtbot, logged, settings):
    """The chain shows verified up to the last entry; channel, kind, person and date filters narrow the
    list; selecting a vetted photo shows each face with its action, consent and distance."""
    db, ids = logged
    window, _answers, workspace = open_audit(qtbot, db, settings)
    total = len(rows(workspace))
    assert total < 200  # one page holds them all, so the first row is the newest entry
    assert workspace.chain.ok and workspace.chain.verified_up_to == total == rows(workspace)[0].seq
    assert f"Verified up to entry {total}" in workspace.chain_label.text()
    assert "(checked at " in workspace.chain_label.text()  # a second Verify visibly ran again
    assert [r.seq for r in rows(workspace)] == sorted((r.seq for r in rows(workspace)), reverse=True)

    workspace.kind.setCurrentIndex(workspace.kind.findData("photo_vetted"))
    assert len(rows(workspace)) == 2
    assert all(r.channel == "instagram" and r.kind == "photo_vetted" for r in rows(workspace))
    assert workspace.count_label.text() == "2 entries match"

    workspace.kind.setCurrentIndex(0)
    workspace.person.setText(str(ids["rose"]))
    workspace.person.editingFinished.emit()
    rose_rows = rows(workspace)
    assert rose_rows and all(any(p.id == ids["rose"] for p in r.people) for r in rose_rows)
    assert {"photo_vetted", "photo_consent_set"} <= {r.kind for r in rose_rows}

    workspace.person.setText("")
    workspace.person.editingFinished.emit()
    workspace.date_to.setDate(QDate(date.today() - timedelta(days=1)))
    assert rows(workspace) == [] and workspace.count_label.text() == "0 entries match"
    workspace.date_to.setDate(QDate(2000, 1, 1))

    workspace.kind.setCurrentIndex(workspace.kind.findData("photo_vetted"))
    row = next(i for i, r in enumerate(rows(workspace)) if "obama_and_biden" in r.summary)
    workspace.table.selectRow(row)
    html = workspace.detail.toHtml()
    assert "Obama" in html and "Biden" in html and "not identified" in html
    assert "blurred" in html and "shown" in html and "0.3" in html  # distances of the matches
    assert _answers.told == []  # nothing went wrong along the way


def test_exports_write_the_filtered_entries(qtbot, logged, settings, tmp_path):
    """CSV has a header and one row per entry shown; the governors' PDF names the school, the totals
    and the chain result; a person report with nobody chosen asks to find someone by name (cancelling
    writes nothing), then writes that person's entries."""
    db, ids = logged
    window, answers, workspace = open_audit(qtbot, db, settings)
    workspace.kind.setCurrentIndex(workspace.kind.findData("photo_vetted"))
    saves = iter([tmp_path / "log.csv", tmp_path / "governors.pdf", tmp_path / "rose.pdf"])
    workspace.ask_save_path = lambda *args: next(saves)
    with qtbot.waitSignal(workspace.export_done, timeout=CHECK_TIMEOUT_MS):
        workspace.csv_button.click()
    with open(tmp_path / "log.csv", encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert len(table) == 1 + 2 and "seq" in table[0][0].lower()
    with qtbot.waitSignal(workspace.export_done, timeout=CHECK_TIMEOUT_MS):
        workspace.pdf_button.click()
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "governors.pdf").pages)
    assert "Ravens Wood School" in text and "instagram" in text and "erified" in text
    assert "Signed checkpoint" in text and "signed by key" in text
    assert window.statusBar().currentMessage().startswith("Wrote 2 entries")

    workspace.person_button.click()  # nobody chosen, and the search is cancelled
    assert workspace.person_id is None and not (tmp_path / "rose.pdf").exists()
    answers.found_person_id = ids["rose"]
    with qtbot.waitSignal(workspace.export_done, timeout=CHECK_TIMEOUT_MS):
        workspace.person_button.click()
    assert workspace.person_id == ids["rose"] and "Rose Leslie" in workspace.person.toolTip()
    assert "Rose Leslie" in " ".join(page.extract_text() for page in PdfReader(tmp_path / "rose.pdf").pages)


def test_save_checkpoint_writes_a_signed_checkpoint_that_verify_accepts(qtbot, logged, settings, tmp_path, capsys):
    """"Save checkpoint…" writes a checkpoint whose signature holds, names its key in the status bar, and
    `rws audit verify --checkpoint` then proves the log still holds those entries."""
    db, _ = logged
    window, answers, workspace = open_audit(qtbot, db, settings)
    workspace.ask_save_path = lambda *args: tmp_path / "checkpoint.json"
    with qtbot.waitSignal(workspace.export_done, timeout=CHECK_TIMEOUT_MS):
        workspace.checkpoint_button.click()
    checkpoint = Checkpoint.from_json((tmp_path / "checkpoint.json").read_text(encoding="utf-8"))
    assert f"signed by key {checkpoint.fingerprint}" in window.statusBar().currentMessage()
    window.close()
    capsys.readouterr()
    assert rws(db, "audit", "verify", "--checkpoint", tmp_path / "checkpoint.json") == 0
    assert f"OK against the checkpoint: The log still holds exactly entries 1 to {checkpoint.entry}" in capsys.readouterr().out


def test_a_changed_byte_is_shown_as_a_broken_chain(qtbot, logged, settings):
    """One byte of one entry changed in the database file: Verify reports the chain broken at that entry."""
    db, _ids = logged
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TRIGGER audit_entry_no_update")
        target, content = connection.execute(
            "SELECT seq, content FROM audit_entry WHERE content LIKE '%\"decision\":\"redacted\"%' LIMIT 1").fetchone()
        connection.execute("UPDATE audit_entry SET content = ? WHERE seq = ?",
                           (content.replace('"decision":"redacted"', '"decision":"redacteD"'), target))
    window, _answers, workspace = open_audit(qtbot, db, settings)
    assert not workspace.chain.ok and workspace.chain.bad_seq == target
    assert f"Broken at entry {target}" in workspace.chain_label.text()
    with qtbot.waitSignal(workspace.chain_checked, timeout=CHECK_TIMEOUT_MS):
        workspace.verify_button.click()
    assert workspace.chain.bad_seq == target
