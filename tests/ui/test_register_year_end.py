"""Year end (renew or expire photo consent in bulk, after a preview), leavers, and consent expiring soon."""
from __future__ import annotations

from datetime import timedelta

import numpy as np
from PySide6.QtCore import Qt

from rws_desktop.core.kernel.consent import BiometricConsent, ConsentStatus, academic_year_end, format_day

from register_window import add_pupils, audit, settle, table_names, today

STAFF = 5  # the enrolled register's five staff all consent to all channels


def consent(workspace, person_id: int, channel: str):
    details = workspace.app.register.person_details(person_id, today())
    return next(line.record for line in details.channels if line.channel == channel)


def test_year_end_previews_who_is_affected_then_renews_the_ticked_and_expires_the_rest(qtbot, register_ui):
    """The preview lists everyone with a grant running at this year's end (not a refusal), a leaver's tick is
    disabled, and ticking Renew changes that person's outcome. Declining the confirmation changes nothing;
    applying renews the ticked grant to the next 31 August, cuts a longer grant back to this one, and
    audits each change."""
    workspace, answers, db, _ids = register_ui
    pupils = add_pupils(workspace, [("Ada Ashby", "P1", 7, "7A"), ("Bea Birch", "P2", 8, "8A"),
                                    ("Cal Castle", "P3", 9, "9A"), ("Dot Dorn", "P4", 13, "13A")])
    register, given = workspace.app.register, today() - timedelta(days=30)
    this_end = academic_year_end(today())
    next_end = academic_year_end(this_end + timedelta(days=1))
    register.set_photo_consent(pupils["Ada Ashby"], "all", ConsentStatus.GRANTED, given)
    register.set_photo_consent(pupils["Bea Birch"], "instagram", ConsentStatus.GRANTED, given, next_end - timedelta(days=60))
    register.set_photo_consent(pupils["Cal Castle"], "all", ConsentStatus.REFUSED, given)
    register.set_photo_consent(pupils["Dot Dorn"], "all", ConsentStatus.GRANTED, given)
    register.mark_left(pupils["Dot Dorn"], today())
    workspace.year_end_button.click()
    settle(qtbot, workspace)
    dialog = workspace.dialogs["year_end"]
    table = dialog.list.table
    names = [table.item(r, 1).text() for r in range(table.rowCount())]
    assert len(names) == STAFF + 3 and "Cal Castle" not in names
    row = {name: r for r, name in enumerate(names)}
    assert not table.item(row["Dot Dorn"], 0).flags() & Qt.ItemFlag.ItemIsEnabled
    assert "Has left" in table.item(row["Dot Dorn"], 0).toolTip()
    assert table.item(row["Bea Birch"], 4).text() == "RWS Instagram"
    assert table.item(row["Ada Ashby"], 5).text() == f"expires {format_day(this_end)}"
    table.item(row["Ada Ashby"], 0).setCheckState(Qt.CheckState.Checked)
    assert table.item(row["Ada Ashby"], 5).text() == f"renewed to {format_day(next_end)}"
    assert dialog.summary.text() == f"{STAFF + 3} people with consent running: 1 renewed, {STAFF + 2} expire."

    answers.confirm = False
    entries = len(audit(db))
    dialog.apply.click()
    settle(qtbot, workspace)
    assert answers.asked[-1][0] == "Apply the year end?" and len(audit(db)) == entries
    answers.confirm = True
    dialog.apply.click()
    settle(qtbot, workspace)
    assert answers.asked[-1][1].startswith(f"Renew the photo consent of 1 person to {format_day(next_end)}, and let "
                                           f"that of {STAFF + 2} people expire on {format_day(this_end)}?")
    assert consent(workspace, pupils["Ada Ashby"], "all").expires_on == next_end
    assert consent(workspace, pupils["Bea Birch"], "instagram").expires_on == this_end
    assert consent(workspace, pupils["Cal Castle"], "all").status is ConsentStatus.REFUSED
    new = audit(db)[entries:]
    assert [(e.get("person_id"), e.get("via")) for e in new if e["kind"] == "photo_consent_set"] == [
        (pupils["Bea Birch"], "year_end_expire"), (pupils["Ada Ashby"], "year_end_renew")]
    assert new[-1]["kind"] == "year_end_applied" and new[-1]["renewed"] == [pupils["Ada Ashby"]]
    assert dialog.summary.text().startswith("<b>Done:</b> 1 person renewed") and not dialog.apply.isEnabled()


def test_leavers_by_year_group_lose_their_reference_faces_at_once(qtbot, register_ui):
    """Listing Year 13 ticks everyone in it with their reference faces counted; unticking someone keeps them;
    a leaving date that is not a date is refused. Marking deletes the leaver's faces at once, audits it,
    and hides them from the current people."""
    workspace, answers, db, _ids = register_ui
    pupils = add_pupils(workspace, [("Yan Yew", "P13a", 13, "13A"), ("Zed Zorn", "P13b", 13, "13B"),
                                    ("Uma Vale", "P12", 12, "12A")])
    with workspace.app.database.transaction() as tx:  # two made-up reference faces, as if enrolled
        tx.register.put_biometric_consent(BiometricConsent(pupils["Yan Yew"], parent_consent=True))
        for seed in (1, 2):
            encoding = np.random.default_rng(seed).normal(size=128)
            tx.register.add_reference_face(pupils["Yan Yew"], encoding, "ab" * 32, today())
    workspace.reload()
    settle(qtbot, workspace)
    workspace.leavers_button.click()
    dialog = workspace.dialogs["leavers"]
    dialog.year.setCurrentIndex(dialog.year.findData(13))
    dialog.list_year.click()
    settle(qtbot, workspace)
    table = dialog.list.table
    rows = [[table.item(r, c).text() for c in (1, 5, 6)] for r in range(table.rowCount())]
    assert rows == [["Yan Yew", "in Year 13", "2"], ["Zed Zorn", "in Year 13", "0"]]
    assert dialog.list.ticked() == [pupils["Yan Yew"], pupils["Zed Zorn"]]
    dialog.list.set_ticked(pupils["Zed Zorn"], False)
    assert dialog.apply.text() == "Mark 1 as leaver…"
    dialog.leaving_date.setText("end of term")
    dialog.apply.click()
    assert dialog.error.text() == "Leaving date: 'end of term' is not a date (use dd/mm/yyyy)."
    dialog.leaving_date.setText(f"{today():%d/%m/%Y}")
    dialog.apply.click()
    settle(qtbot, workspace)
    assert answers.asked[-1][0] == "Mark as leavers?"
    assert "1 marked as leaver" in dialog.outcome.text() and "2 reference faces deleted" in dialog.outcome.text()
    assert not workspace.app.register.reference_faces(pupils["Yan Yew"])
    assert workspace.app.register.person(pupils["Zed Zorn"]).leaving_date is None
    left = [e for e in audit(db) if e["kind"] == "person_left"]
    assert [(e["person_id"], e["reference_faces_deleted"]) for e in left] == [(pupils["Yan Yew"], 2)]
    assert "Yan Yew" not in table_names(workspace) and "Zed Zorn" in table_names(workspace)
    assert "No photo exported shows Yan Yew: nothing to take down." in workspace.message.text()


def test_consent_expiring_in_the_next_30_days_is_listed_and_opens_the_person(qtbot, register_ui):
    """The button counts grants lapsing within 30 days; the list shows when, how many days are left, who and
    for which channel, and double-clicking opens that person."""
    workspace, _answers, _db, _ids = register_ui
    pupils = add_pupils(workspace, [("Ada Ashby", "P1", 7, "7A"), ("Bea Birch", "P2", 8, "8A")])
    register, given = workspace.app.register, today() - timedelta(days=100)
    register.set_photo_consent(pupils["Ada Ashby"], "instagram", ConsentStatus.GRANTED, given, today() + timedelta(days=10))
    register.set_photo_consent(pupils["Bea Birch"], "all", ConsentStatus.GRANTED, given, today() + timedelta(days=40))
    workspace.reload()
    settle(qtbot, workspace)
    assert workspace.expiring_button.text() == "Expiring soon (1)"
    workspace.expiring_button.click()
    dialog = workspace.dialogs["expiring"]
    row = [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]
    assert row == [format_day(today() + timedelta(days=10)), "10", "Ada Ashby", "7", "7A", "RWS Instagram"]
    dialog.table.cellDoubleClicked.emit(0, 2)
    settle(qtbot, workspace)
    assert workspace.panel.person_id == pupils["Ada Ashby"]
