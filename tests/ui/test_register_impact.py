"""Withdrawal impact: after photos were vetted and exported, withdrawing consent or marking a leaver lists
every exported photo showing them (from the audit log), exportable as CSV for staff taking them down."""
from __future__ import annotations

import csv

from rws_desktop.core.register.impact import IMPACT_CSV_COLUMNS, SHOWN_WHEN_VETTED
from rws_desktop.ui.register.tables import cell_texts

from register_window import choose, settle, today


def test_withdrawal_and_leaving_list_the_exported_photos_to_take_down(qtbot, register_ui, testdata, tmp_path):
    """Obama and Biden are vetted and exported for Instagram. Withdrawing Obama's Instagram consent opens the
    list of that export (channel, file names, audit entry), which saves as CSV without names; withdrawing
    for WhatsApp, where nothing was exported, says there is nothing to take down. Setting Biden's leaving
    date deletes his faces after asking, and lists the same photo for him."""
    workspace, answers, _db, ids = register_ui
    results = workspace.app.vetting.vet([testdata / "photos/two_people.jpg"], "instagram", tmp_path / "safe")
    assert results[0].output is not None
    exported = results[0].output.name
    choose(qtbot, workspace, ids["obama"])
    editor = workspace.panel.consent
    editor.choose_channel("instagram")
    editor.status.setCurrentIndex(editor.status.findData("withdrawn"))
    editor.given_on.setText(f"{today():%d/%m/%Y}")
    editor.save.click()
    settle(qtbot, workspace)

    dialog = workspace.dialogs["impact"]
    assert dialog.isVisible()
    assert "Obama's photo consent for RWS Instagram was withdrawn." in dialog.heading.text()
    assert "1 photo exported for RWS Instagram shows Obama." in dialog.heading.text()
    (row,) = cell_texts(dialog.table)
    assert row[1:7] == ["RWS Instagram", exported, "two_people.jpg", "Obama", SHOWN_WHEN_VETTED, str(results[0].audit_seq)]

    answers.csv_destination = tmp_path / "take-down.csv"
    dialog.save.click()
    text = answers.csv_destination.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == list(IMPACT_CSV_COLUMNS) and len(rows) == 2
    assert rows[1][2] == "instagram" and rows[1][5] == exported and "Obama" not in text
    assert str(answers.csv_destination) in workspace.message.text()

    editor.choose_channel("whatsapp")
    editor.status.setCurrentIndex(editor.status.findData("withdrawn"))
    editor.given_on.setText(f"{today():%d/%m/%Y}")
    editor.save.click()
    settle(qtbot, workspace)
    assert workspace.dialogs["impact"] is dialog
    assert "No photo exported for RWS WhatsApp Channel shows Obama: nothing to take down." in workspace.message.text()

    choose(qtbot, workspace, ids["biden"])
    faces = len(workspace.panel.details.reference_faces)
    workspace.panel.tabs.setCurrentIndex(2)
    workspace.panel.form.leaving_date.setText(f"{today():%d/%m/%Y}")
    workspace.panel.save_details.click()
    settle(qtbot, workspace)
    assert answers.asked[-1][0] == "Mark as leaving?" and f"Biden's {faces} reference face{'s' if faces != 1 else ''}" in answers.asked[-1][1]
    assert not workspace.app.register.reference_faces(ids["biden"])
    leaving = workspace.dialogs["impact"]
    assert leaving is not dialog and "Biden is marked as leaving" in leaving.heading.text()
    assert [r[2] for r in cell_texts(leaving.table)] == [exported]


def test_the_panel_lists_exports_on_request_even_when_there_are_none(qtbot, register_ui):
    """'Exported photos of them…' always opens the list, saying when no exported photo shows the person."""
    workspace, _answers, _db, ids = register_ui
    choose(qtbot, workspace, ids["kit"])
    workspace.panel.impact.click()
    settle(qtbot, workspace)
    dialog = workspace.dialogs["impact"]
    assert "No photo exported shows Kit Harington." in dialog.heading.text()
    assert dialog.table.rowCount() == 0 and not dialog.save.isEnabled()
