"""Import from the MIS in the window: columns recognised or mapped, a preview of every row, then the valid
rows imported in one go; importing the same file again changes nothing."""
from __future__ import annotations

from datetime import date

from rws_desktop.core.kernel.consent import PersonKind
from rws_desktop.core.register.mis_csv import MisField
from rws_desktop.core.register.mis_import import RowStatus
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.ui.register.import_dialog import ImportDialog

from register_window import audit, settle, table_names

HEADER = "UPN,Legal Surname,Legal Forename,Preferred Forename,Year,Reg Group,DOB,Photo Consent,Consent Date"
ROWS = [
    "A2001,Ashby,Adaline,Ada,Year 7,7A,01/02/2014,Yes,07/09/2026",  # 2: new, with consent
    "A1000,Birch,Beatrice,Bea,Year 9,9B,05/05/2012,,",  # 3: changed (the register has Year 8, 8B)
    "A1001,Castle,Callum,Cal,Year 10,10C,06/06/2011,,",  # 4: unchanged
    "A2002,Dorn,Dorothy,Dot,Year 8,8A,03/03/2013,No,10/09/2026",  # 5: new
    "A2002,Dorn,Dorothy,Dot,Year 8,8A,03/03/2013,No,10/09/2026",  # 6: the same row again
    "A2003,Eyre,Eli,,Year 11,11E,31/02/2010,,",  # 7: no 31 February
    "A2004,Fox,Fen,,Year 14,14F,01/01/2009,,",  # 8: no Year 14 here
    "A2005,,Gus,,Year 7,7B,02/02/2014,,",  # 9: no surname
    "A2006,Gale,Hana,,Year 7,7C,03/02/2014,Yes,sometime",  # 10: consent date is not a date
]
EXPECTED = {
    2: (RowStatus.NEW, ""), 3: (RowStatus.CHANGED, ""), 4: (RowStatus.UNCHANGED, ""), 5: (RowStatus.NEW, ""),
    6: (RowStatus.INVALID, "duplicate of row 5"),
    7: (RowStatus.INVALID, "bad date of birth: '31/02/2010' is not a date (use dd/mm/yyyy)"),
    8: (RowStatus.INVALID, "unknown year 'Year 14' (this school has Years 7 to 13)"),
    9: (RowStatus.INVALID, "missing name"),
    10: (RowStatus.INVALID, "bad consent date: 'sometime' is not a date (use dd/mm/yyyy)"),
}


def write_export(path, header: str = HEADER, rows: list[str] = ROWS) -> None:
    """As Excel on Windows saves it: a UTF-8 byte-order mark and CRLF line endings."""
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode("utf-8-sig"))


def existing_pupils(workspace) -> None:
    register = workspace.app.register
    register.add_person(NewPerson("Bea Birch", PersonKind.PUPIL, "A1000", 8, "8B", date(2012, 5, 5),
                                  legal_forename="Beatrice"))
    register.add_person(NewPerson("Cal Castle", PersonKind.PUPIL, "A1001", 10, "10C", date(2011, 6, 6),
                                  legal_forename="Callum"))
    register.add_person(NewPerson("Ola Orme", PersonKind.PUPIL, "A0999", 12, "12A", date(2009, 9, 9)))


def open_import(qtbot, workspace, answers, path) -> ImportDialog:
    answers.mis_file = path
    workspace.import_button.click()
    settle(qtbot, workspace)
    return workspace.dialogs["import"]


def cells(dialog: ImportDialog, row: int) -> list[str]:
    return [dialog.rows.index(row, column).data() for column in range(dialog.rows.columnCount())]


def test_preview_marks_every_row_then_imports_only_the_valid_ones_once(qtbot, register_ui, tmp_path):
    """A SIMS-style export (BOM, CRLF) is recognised without a mapping step; the preview marks each row
    new, changed, unchanged or invalid with the reason, and lists the current pupil missing from the file.
    Import adds and updates the valid rows only, audited, and the table shows them; re-importing the file
    previews every valid row as unchanged, offers nothing to import and writes no audit entry."""
    workspace, answers, db, _ids = register_ui
    existing_pupils(workspace)
    export = tmp_path / "sims-export.csv"
    write_export(export)
    dialog = open_import(qtbot, workspace, answers, export)
    assert dialog.pages.currentIndex() == 2  # straight to the preview
    preview = dialog.preview
    assert {row.row: (row.status, row.reason) for row in preview.rows} == EXPECTED
    assert dialog.summary.text() == "<b>9 rows: 2 new, 1 changed, 1 unchanged, 5 invalid.</b>"
    assert cells(dialog, 1)[1:8] == ["Changed", "A1000", "Bea Birch", "9", "9B", "5 May 2012", "year: 8 → 9; form: 8B → 9B"]
    assert cells(dialog, 6)[7] == "Not imported: unknown year 'Year 14' (this school has Years 7 to 13)"
    assert dialog.do_import.text() == "Import 3 rows" and dialog.do_import.isEnabled()
    assert "1 current pupil is not in this file" in dialog.absent.text() and not dialog.review_leavers.isHidden()
    dialog.only.setCurrentIndex(dialog.only.findData(RowStatus.INVALID.value))
    assert [cells(dialog, r)[0] for r in range(dialog.rows.rowCount())] == ["6", "7", "8", "9", "10"]

    before = len(audit(db))
    dialog.do_import.click()
    settle(qtbot, workspace)
    assert "Imported: 2 added, 1 updated" in dialog.outcome.text() and not dialog.do_import.isEnabled()
    register = workspace.app.register
    ada = register.find_person("A2001")
    assert (ada.name, ada.year_group, ada.form, ada.date_of_birth) == ("Ada Ashby", 7, "7A", date(2014, 2, 1))
    assert register.find_person("A1000").year_group == 9
    assert {"Ada Ashby", "Dot Dorn"} <= set(table_names(workspace))
    assert not {"Eli Eyre", "Fen Fox", "Hana Gale"} & set(table_names(workspace))
    kinds = [e["kind"] for e in audit(db)[before:]]
    assert kinds.count("person_added") == 2 and kinds.count("person_updated") == 1 and kinds[-1] == "mis_import"
    consent = next(l for l in register.person_details(ada.id, date.today()).channels if l.channel == "all")
    assert consent.record.status.value == "granted" and consent.record.given_on == date(2026, 9, 7)

    after_first = len(audit(db))
    again = open_import(qtbot, workspace, answers, export)
    assert again is not dialog and again.preview.count(RowStatus.NEW) == 0
    assert again.preview.count(RowStatus.CHANGED) == 0 and again.preview.count(RowStatus.UNCHANGED) == 4
    assert again.do_import.text() == "Nothing to import" and not again.do_import.isEnabled()
    assert len(audit(db)) == after_first


def test_unknown_headers_get_a_mapping_step_and_possible_leavers_can_be_marked(qtbot, register_ui, tmp_path):
    """A file whose headers are not recognised opens on the mapping step saying what is missing; choosing the
    columns previews it. A column chosen twice is refused. Pupils missing from the file are offered to the
    leavers list, unticked: nothing is marked until staff tick and confirm."""
    workspace, answers, _db, _ids = register_ui
    existing_pupils(workspace)
    export = tmp_path / "odd-export.csv"
    write_export(export, "Pupil No,Given,Family,Tutor", ["A1000,Bea,Birch,9B", "A1001,Cal,Castle,10C"])
    dialog = open_import(qtbot, workspace, answers, export)
    assert dialog.pages.currentIndex() == 1
    assert "No column for the UPN or admission number was found" in dialog.mapping_problem.text()
    columns = dialog.columns
    for field, header in ((MisField.MIS_ID, "Pupil No"), (MisField.FORENAME, "Given"), (MisField.SURNAME, "Given")):
        columns[field].setCurrentIndex(columns[field].findData(header))
    dialog.to_preview.click()
    assert dialog.pages.currentIndex() == 1 and "“Given” is chosen for 2 fields" in dialog.mapping_problem.text()
    columns[MisField.SURNAME].setCurrentIndex(columns[MisField.SURNAME].findData("Family"))
    columns[MisField.FORM].setCurrentIndex(columns[MisField.FORM].findData("Tutor"))
    dialog.to_preview.click()
    settle(qtbot, workspace)
    assert dialog.pages.currentIndex() == 2
    assert [(r.row, r.status) for r in dialog.preview.rows] == [(2, RowStatus.CHANGED), (3, RowStatus.UNCHANGED)]
    assert [p.name for p in dialog.preview.absent] == ["Ola Orme"]

    dialog.review_leavers.click()
    settle(qtbot, workspace)
    leavers = workspace.dialogs["leavers"]
    assert leavers.source.text() == "Current pupils missing from the MIS export:"
    assert [leavers.list.table.item(r, 1).text() for r in range(leavers.list.table.rowCount())] == ["Ola Orme"]
    assert leavers.list.ticked() == [] and not leavers.apply.isEnabled()  # only suspects: ticked by hand
    assert workspace.app.register.find_person("A0999").leaving_date is None


def test_the_preview_s_headers_and_problem_rows_say_what_they_mean_and_what_to_do(qtbot, register_ui, tmp_path):
    """The preview's columns have plain headers (no "MIS id") and show the year, form and date of birth read from
    the file; every header has a tooltip saying what the column means; every cell of an invalid row has a tooltip
    with the whole reason, what to fix for that problem, and that the file can then be imported again; a long
    "What happens" text is in its tooltip whole."""
    from PySide6.QtCore import Qt

    workspace, answers, _db, _ids = register_ui
    existing_pupils(workspace)
    export = tmp_path / "sims-export.csv"
    write_export(export)
    dialog = open_import(qtbot, workspace, answers, export)
    model = dialog.rows
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Row in file", "Status", "UPN or admission no.", "Name", "Year", "Form", "Date of birth",
                       "What happens", "Note"]
    tips = [model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) for c in range(model.columnCount())]
    assert all(tip and len(tip) > 40 for tip in tips)
    assert "Invalid: not imported" in tips[1] and "matched to people in the register" in tips[2]
    assert cells(dialog, 0)[:8] == ["2", "New", "A2001", "Ada Ashby", "7", "7A", "1 Feb 2014", "Added to the register"]

    def tip(row: int, column: int) -> str:
        return model.index(row, column).data(Qt.ItemDataRole.ToolTipRole)

    advice = {4: "first row is imported", 5: "dd/mm/yyyy (for example 01/09/2013)", 6: "this school has Years 7 to 13",
              7: "Add the pupil's forename and surname", 8: "date photo consent was given or withdrawn"}
    for row, words in advice.items():
        assert cells(dialog, row)[1] == "Invalid"
        for column in (1, 3, 7):
            assert f"Not imported: {EXPECTED[row + 2][1]}." in tip(row, column) and words in tip(row, column)
            assert "import it again" in tip(row, column)
    assert tip(1, 7) == "year: 8 → 9; form: 8B → 9B"
