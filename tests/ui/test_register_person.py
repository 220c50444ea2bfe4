"""The per-person panel: photo consent edited in place with each validation error, biometric consent with
the 2012 Act's rule on screen, and a person's details added and changed."""
from __future__ import annotations

from datetime import date, timedelta

from rws_desktop.core.kernel.consent import BIOMETRIC_RULE_ADULT, BIOMETRIC_RULE_CHILD, ConsentStatus, academic_year_end
from rws_desktop.ui.register.people_model import CONSENT_COLUMN

from register_window import add_pupils, audit, choose, settle, today


def edit_consent(editor, channel: str, status: str, given_on: str, expires_on: str = "", given_by: str = "",
                 named: bool = False) -> None:
    editor.choose_channel(channel)
    editor.status.setCurrentIndex(editor.status.findData(status))
    editor.given_on.setText(given_on)
    if editor.expires_on.isEnabled():
        editor.expires_on.setText(expires_on)
    editor.given_by.setText(given_by)
    if editor.may_be_named.isEnabled():
        editor.may_be_named.setChecked(named)


def save(qtbot, workspace) -> None:
    workspace.panel.consent.save.click()
    settle(qtbot, workspace)


def test_each_consent_validation_error_is_explained_and_nothing_is_saved(qtbot, register_ui):
    """A grant, refusal or withdrawal without a date, an expiry before the date given, and text that is not a
    date are each refused with a sentence beside the form; what was typed stays, and no record or audit entry
    is written. A refusal or withdrawal cannot take an expiry or permission to name; 'given by' is capped."""
    workspace, _answers, db, _ids = register_ui
    pupil = add_pupils(workspace, [("Ada Ashby", "UPN-A1", 8, "8B")])["Ada Ashby"]
    workspace.reload()
    settle(qtbot, workspace)
    choose(qtbot, workspace, pupil)
    editor = workspace.panel.consent
    entries = len(audit(db))
    cases = [
        (("instagram", "granted", ""), "Consent needs the date it was given."),
        (("instagram", "refused", ""), "A refusal needs the date it was made."),
        (("all", "withdrawn", ""), "A withdrawal needs the date it was made."),
        (("instagram", "granted", "01/09/2026", "31/08/2026"),
         "The expiry date (31 Aug 2026) is before the date consent was given (1 Sep 2026)."),
        (("instagram", "granted", "31/02/2026"), "Date given: '31/02/2026' is not a date (use dd/mm/yyyy)."),
        (("instagram", "granted", "01/09/2026", "next summer"), "Expires: 'next summer' is not a date (use dd/mm/yyyy)."),
    ]
    for args, message in cases:
        edit_consent(editor, *args, given_by="Mother, by letter")
        save(qtbot, workspace)
        assert editor.error.text() == message
        assert editor.given_by.text() == "Mother, by letter" and editor.given_on.text() == args[2]
    assert len(audit(db)) == entries
    assert all(line.record is None for line in workspace.panel.details.channels)

    assert {editor.table.item(row, 1).text() for row in range(editor.table.rowCount())} == {"Not recorded"}
    label = editor._form.labelForField(editor.given_by)
    for status, who in (("refused", "Refused by:"), ("withdrawn", "Withdrawn by:")):
        editor.status.setCurrentIndex(editor.status.findData(status))
        assert not editor.expires_on.isEnabled() and not editor.may_be_named.isEnabled()
        assert "does not expire" in editor.expires_on.toolTip() and label.text() == who
    editor.status.setCurrentIndex(editor.status.findData("granted"))
    assert label.text() == "Given by:"
    assert editor.expires_on.isEnabled() and editor.may_be_named.isEnabled()
    assert editor.given_by.maxLength() == 200


def test_a_valid_consent_is_saved_shown_and_audited_and_a_withdrawal_wins(qtbot, register_ui):
    """A grant for Instagram without an expiry runs to the 31 August ending the school year, shows as Shown on
    that line and in the table, and is audited under the user's name; a later withdrawal for all channels
    blurs the Instagram line too."""
    workspace, _answers, db, _ids = register_ui
    pupil = add_pupils(workspace, [("Ada Ashby", "UPN-A1", 8, "8B")])["Ada Ashby"]
    workspace.reload()
    settle(qtbot, workspace)
    workspace.filters.choose_channel("instagram")
    choose(qtbot, workspace, pupil)
    editor = workspace.panel.consent
    given = today() - timedelta(days=3)
    edit_consent(editor, "instagram", "granted", f"{given:%d/%m/%Y}", given_by="Mother, on the admission form", named=True)
    save(qtbot, workspace)
    assert editor.error.text() == ""
    line = next(l for l in workspace.panel.details.channels if l.channel == "instagram")
    record = line.record
    assert (record.status, record.given_on, record.expires_on) == (ConsentStatus.GRANTED, given, academic_year_end(given))
    assert line.record.given_by == "Mother, on the admission form" and line.record.may_be_named
    row = [l.channel for l in workspace.panel.details.channels].index("instagram")
    assert [editor.table.item(row, c).text() for c in (1, 3, 4)] == ["Granted", "Yes", "Shown"]
    assert editor.channel_key == "instagram"  # the line edited stays selected
    assert workspace.model.index(workspace.model.row_of(pupil), CONSENT_COLUMN).data() == "Granted, may be named"
    entry = audit(db)[-1]
    assert (entry["kind"], entry["person_id"], entry["channel"]) == ("photo_consent_set", pupil, "instagram")
    assert entry["user"] == "TST"  # the account the register tests sign in as
    assert "Mother" not in str(entry)  # 'given by' names a parent: it stays out of the log
    assert "recorded in the audit log" in workspace.message.text()

    edit_consent(editor, "all", "withdrawn", f"{today():%d/%m/%Y}")
    save(qtbot, workspace)
    assert editor.table.item(0, 1).text() == "Withdrawn"
    others = [r for r, l in enumerate(workspace.panel.details.channels) if l.record is None]
    assert others and {editor.table.item(r, 1).text() for r in others} == {"As all channels"}
    assert editor.table.item(row, 4).text() == "Blurred"
    editor.choose_channel("instagram")
    assert "consent withdrawn" in editor.effect.text() and "for all channels" in editor.effect.text()
    assert workspace.model.index(workspace.model.row_of(pupil), CONSENT_COLUMN).data() == "Withdrawn"


def test_biometric_consent_spells_out_the_act_and_what_follows(qtbot, register_ui):
    """A pupil is asked the child's questions under the 2012 Act's rule and, without a parent's consent,
    'cannot be recognised: will always be blurred' (no faces can be added); choosing a parent's consent says at
    once what saving it would mean, and saving makes them recognisable. Staff are asked the adult's questions; an objection deletes their reference faces, after
    the workspace asked, and nothing changes when the answer is no."""
    workspace, answers, db, ids = register_ui
    pupil = add_pupils(workspace, [("Ada Ashby", "UPN-A1", 8, "8B")])["Ada Ashby"]
    workspace.reload()
    settle(qtbot, workspace)
    choose(qtbot, workspace, pupil)
    box, faces = workspace.panel.biometric, workspace.panel.faces
    assert box.rule.text() == BIOMETRIC_RULE_CHILD
    visible = {name for name, combo in box.answers.items() if box.form.isRowVisible(combo)}
    assert visible == {"parent_consent", "parent_objection", "pupil_objection"}
    assert "Cannot be recognised: will always be blurred (no biometric consent recorded)" in box.verdict.text()
    assert not faces.add.isEnabled() and "no biometric consent recorded" in faces.add.toolTip()
    box.answers["parent_consent"].setCurrentIndex(box.answers["parent_consent"].findData(True))
    assert "If you save these answers: <b>Can be recognised (a parent consented in writing" in box.verdict.text()
    box.save.click()
    settle(qtbot, workspace)
    assert "Can be recognised (a parent consented in writing" in box.verdict.text()
    assert faces.add.isEnabled()
    assert audit(db)[-1]["kind"] == "biometric_consent_set" and audit(db)[-1]["valid"] is True
    assert not box.answers["parent_consent"].model().item(0).isEnabled()  # cannot go back to 'not recorded'

    choose(qtbot, workspace, ids["obama"])
    assert box.rule.text() == BIOMETRIC_RULE_ADULT
    visible = {name: box.form.labelForField(combo).text()
               for name, combo in box.answers.items() if box.form.isRowVisible(combo)}
    assert visible == {"adult_consent": "They consent for themself:", "pupil_objection": "They object:"}
    assert faces.faces.count() > 0
    held = faces.faces.count()
    box.answers["pupil_objection"].setCurrentIndex(box.answers["pupil_objection"].findData(True))
    answers.confirm = False
    entries = len(audit(db))
    box.save.click()
    settle(qtbot, workspace)
    title, question = answers.asked[-1]
    assert title == "Delete their reference faces?" and f"their {held} reference face{'s' if held != 1 else ''}" in question
    assert len(workspace.app.register.reference_faces(ids["obama"])) == held and len(audit(db)) == entries
    answers.confirm = True
    box.save.click()
    settle(qtbot, workspace)
    assert faces.faces.count() == 0 and not workspace.app.register.reference_faces(ids["obama"])
    assert "cannot be recognised: will always be blurred" in box.verdict.text().lower()
    assert audit(db)[-1]["reference_faces_deleted"] == held


def test_people_are_added_and_changed_with_their_details_checked(qtbot, register_ui):
    """Add person opens an empty form; a missing name, a date that is not a date, a birthday in the future
    and an MIS id already used are each explained beside the form and keep what was typed; a good person is
    added, audited and opened on their consent. Changing their form shows in the table."""
    workspace, _answers, db, _ids = register_ui
    add_pupils(workspace, [("Ada Ashby", "UPN-A1", 8, "8B")])
    workspace.add_button.click()
    panel, form = workspace.panel, workspace.panel.form
    assert panel.adding and panel.save_details.text() == "Add to register"
    assert not panel.tabs.isTabEnabled(0)
    form.mis_id.setText("UPN-B1")
    form.year.setCurrentIndex(form.year.findData(9))
    attempts = [
        ("", "", "A person needs a name."),
        ("Bea Birch", "1st May", "Date of birth: '1st May' is not a date (use dd/mm/yyyy)."),
        ("Bea Birch", f"{today() + timedelta(days=2):%d/%m/%Y}", "is in the future."),
    ]
    for name, born, problem in attempts:
        form.name.setText(name)
        form.date_of_birth.setText(born)
        panel.save_details.click()
        settle(qtbot, workspace)
        assert problem in panel.details_error.text()
        assert form.mis_id.text() == "UPN-B1" and form.date_of_birth.text() == born
    form.date_of_birth.setText("05/05/2013")
    form.mis_id.setText("UPN-A1")
    panel.save_details.click()
    settle(qtbot, workspace)
    assert panel.details_error.text() == "Someone with MIS id UPN-A1 is already in the register."
    added_before = sum(e["kind"] == "person_added" for e in audit(db))
    form.mis_id.setText("UPN-B1")
    panel.save_details.click()
    settle(qtbot, workspace)
    assert panel.details_error.text() == "" and not panel.adding
    person = panel.details.person
    assert (person.name, person.mis_id, person.year_group) == ("Bea Birch", "UPN-B1", 9)
    assert person.date_of_birth == date(2013, 5, 5)
    assert panel.tabs.currentIndex() == 0 and workspace.table.currentIndex().row() == workspace.model.row_of(person.id)
    assert sum(e["kind"] == "person_added" for e in audit(db)) == added_before + 1

    panel.tabs.setCurrentIndex(2)
    form.form.setText("9C")
    panel.save_details.click()
    settle(qtbot, workspace)
    assert workspace.model.rows[workspace.model.row_of(person.id)].person.form == "9C"
    assert audit(db)[-1]["kind"] == "person_updated" and audit(db)[-1]["changed"] == ["form"]


def test_the_legal_forename_the_mis_import_fills_is_shown_kept_and_edited(qtbot, register_ui):
    """The Details form shows the legal forename an MIS import recorded (Elizabeth for Libby); saving another
    detail keeps it (the form used to send none, so saving wiped it); editing it saves and audits the change, and
    emptying the field clears it."""
    from rws_desktop.core.register.mis_csv import read_csv

    workspace, _answers, db, _ids = register_ui
    export = ("UPN,Legal Surname,Legal Forename,Preferred Forename,Year,Reg Group\r\n"
              "L3001,Lowe,Elizabeth,Libby,Year 8,8L\r\n").encode("utf-8")
    workspace.app.mis_import.import_table(read_csv(export), None, today())
    libby = workspace.app.register.find_person("L3001")
    assert (libby.name, libby.legal_forename) == ("Libby Lowe", "Elizabeth")
    workspace.reload()
    settle(qtbot, workspace)
    choose(qtbot, workspace, libby.id)
    panel, form = workspace.panel, workspace.panel.form
    panel.tabs.setCurrentIndex(2)
    assert form.legal_forename.text() == "Elizabeth"
    assert form.layout().labelForField(form.legal_forename).text() == "Legal forename:"
    assert "preferred" in form.legal_forename.toolTip()

    form.form.setText("8M")
    panel.save_details.click()
    settle(qtbot, workspace)
    kept = workspace.app.register.person(libby.id)
    assert (kept.form, kept.legal_forename) == ("8M", "Elizabeth")
    assert audit(db)[-1]["changed"] == ["form"]

    form.legal_forename.setText("  Elisabeth ")
    panel.save_details.click()
    settle(qtbot, workspace)
    assert workspace.app.register.person(libby.id).legal_forename == "Elisabeth"
    assert audit(db)[-1]["kind"] == "person_updated" and audit(db)[-1]["changed"] == ["legal_forename"]
    assert form.legal_forename.text() == "Elisabeth"

    form.legal_forename.setText("")
    panel.save_details.click()
    settle(qtbot, workspace)
    assert workspace.app.register.person(libby.id).legal_forename is None
    assert audit(db)[-1]["changed"] == ["legal_forename"]
