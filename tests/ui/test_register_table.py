"""The people table: search as you type, filters, sorting by column, and choosing someone."""
from __future__ import annotations

from datetime import timedelta

import pytest

from PySide6.QtCore import QPoint, Qt

from rws_desktop.core.kernel.consent import ConsentStatus, PersonKind
from rws_desktop.ui.register.people_model import COLUMNS, CONSENT_COLUMN, LEAVING_COLUMN

from register_window import add_pupils, choose, settle, table_names, today

PUPILS = [("Zoë Quill", "UPN-Q1", 7, "7A"), ("Ada Ashby", "UPN-A1", 8, "8B"), ("Cal Ashby", "UPN-A2", 13, "13C"),
          ("Bea Marsh", "UPN-M1", 8, "8A")]
STAFF = ["Biden", "Kit Harington", "Alex Lacamoire", "Rose Leslie", "Obama"]  # by surname


def filled(qtbot, workspace):
    ids = add_pupils(workspace, PUPILS)
    workspace.reload()
    settle(qtbot, workspace)
    return ids


def test_search_as_you_type_finds_names_mis_ids_and_forms(qtbot, register_ui):
    """Each keystroke narrows the table at once: by name (accents ignored), MIS id or form, every word
    matching; the count says how many of everyone are shown, and clearing brings everyone back."""
    workspace, _answers, _db, _ids = register_ui
    filled(qtbot, workspace)
    assert workspace.count.text() == "9 of 9 people"
    qtbot.keyClicks(workspace.search, "zoe")
    assert table_names(workspace) == ["Zoë Quill"]
    workspace.search.clear()
    qtbot.keyClicks(workspace.search, "upn-a")
    assert table_names(workspace) == ["Ada Ashby", "Cal Ashby"]
    workspace.search.clear()
    qtbot.keyClicks(workspace.search, "8b")
    assert table_names(workspace) == ["Ada Ashby"]
    workspace.search.clear()
    qtbot.keyClicks(workspace.search, "ashby 13")
    assert table_names(workspace) == ["Cal Ashby"] and workspace.count.text() == "1 of 9 people"
    workspace.search.clear()
    assert len(table_names(workspace)) == 9


def test_filters_by_kind_year_enrolment_consent_and_leavers(qtbot, register_ui):
    """Pupils or staff, year group, enrolled or not, consent state for a chosen channel and leavers each
    narrow the table; the consent column reports the chosen channel's consent and its header's tip names it."""
    workspace, _answers, _db, ids = register_ui
    pupils = filled(qtbot, workspace)
    register = workspace.app.register
    register.set_photo_consent(pupils["Ada Ashby"], "instagram", ConsentStatus.GRANTED, today())
    register.set_photo_consent(pupils["Bea Marsh"], "all", ConsentStatus.WITHDRAWN, today())
    register.set_photo_consent(ids["obama"], "instagram", ConsentStatus.REFUSED, today())
    register.mark_left(pupils["Cal Ashby"], today() - timedelta(days=1))
    workspace.reload()
    settle(qtbot, workspace)
    filters = workspace.filters
    assert "Cal Ashby" not in table_names(workspace)  # leavers are hidden by default
    assert workspace.table.isColumnHidden(LEAVING_COLUMN)

    filters.kind.setCurrentIndex(filters.kind.findData(PersonKind.STAFF.value))
    assert table_names(workspace) == STAFF
    filters.kind.setCurrentIndex(filters.kind.findData(PersonKind.PUPIL.value))
    assert table_names(workspace) == ["Ada Ashby", "Bea Marsh", "Zoë Quill"]
    filters.year.setCurrentIndex(filters.year.findData(8))
    assert table_names(workspace) == ["Ada Ashby", "Bea Marsh"]
    filters.year.setCurrentIndex(0)
    filters.kind.setCurrentIndex(0)

    filters.enrolled.setCurrentIndex(filters.enrolled.findData(True))
    assert table_names(workspace) == STAFF
    filters.enrolled.setCurrentIndex(filters.enrolled.findData(False))
    assert table_names(workspace) == ["Ada Ashby", "Bea Marsh", "Zoë Quill"]
    filters.enrolled.setCurrentIndex(0)

    filters.choose_channel("instagram")
    header = workspace.model.headerData(CONSENT_COLUMN, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert header == "Photo consent for RWS Instagram"
    filters.consent.setCurrentIndex(filters.consent.findText("Granted"))
    assert table_names(workspace) == ["Ada Ashby", "Biden", "Kit Harington", "Alex Lacamoire", "Rose Leslie"]
    filters.consent.setCurrentIndex(filters.consent.findText("Not shown (any reason)"))
    assert table_names(workspace) == ["Bea Marsh", "Obama", "Zoë Quill"]
    consent = {row.person.name: workspace.model.index(i, CONSENT_COLUMN).data() for i, row in enumerate(workspace.model.rows)}
    assert consent == {"Obama": "Refused", "Bea Marsh": "Withdrawn", "Zoë Quill": "No consent"}
    tip = workspace.model.index(workspace.model.row_of(pupils["Bea Marsh"]), CONSENT_COLUMN).data(Qt.ItemDataRole.ToolTipRole)
    assert "withdrawn" in tip and "all channels" in tip
    filters.consent.setCurrentIndex(filters.consent.findText("Refused"))
    assert table_names(workspace) == ["Obama"]
    filters.consent.setCurrentIndex(0)

    filters.leavers.setCurrentIndex(filters.leavers.findData(True))
    assert table_names(workspace) == ["Cal Ashby"]
    assert not workspace.table.isColumnHidden(LEAVING_COLUMN)
    assert workspace.model.index(0, CONSENT_COLUMN).data() == "Left"
    filters.leavers.setCurrentIndex(filters.leavers.findData(None))
    assert len(table_names(workspace)) == 9
    assert workspace.settings.value("register/channel") == "instagram"  # remembered for next time


def test_column_headers_sort_through_the_core(qtbot, register_ui):
    """Name sorts by surname; clicking Year sorts by year and again reverses it; people without a year
    (staff here) always come last."""
    workspace, _answers, _db, _ids = register_ui
    filled(qtbot, workspace)
    assert table_names(workspace)[:4] == ["Ada Ashby", "Cal Ashby", "Biden", "Kit Harington"]
    year = next(i for i, column in enumerate(COLUMNS) if column.title == "Year")
    header = workspace.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_section_centre(header, year))
    assert table_names(workspace)[:4] == ["Zoë Quill", "Ada Ashby", "Bea Marsh", "Cal Ashby"]
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_section_centre(header, year))
    assert table_names(workspace)[:4] == ["Cal Ashby", "Ada Ashby", "Bea Marsh", "Zoë Quill"]
    assert set(table_names(workspace)[-5:]) == set(STAFF)
    assert workspace.model.sort_key.value == "year" and workspace.model.descending


def _section_centre(header, section) -> QPoint:
    return QPoint(header.sectionViewportPosition(section) + header.sectionSize(section) // 2, header.height() // 2)


def test_choosing_a_row_opens_the_person_and_a_filter_keeps_them_open(qtbot, register_ui):
    """Clicking a row shows that person in the panel; filtering them out of the table leaves the panel on
    them, and opening someone hidden by the filters clears the filters to show them."""
    workspace, _answers, _db, _ids = register_ui
    pupils = filled(qtbot, workspace)
    choose(qtbot, workspace, pupils["Zoë Quill"])
    assert "Zoë Quill" in workspace.panel.name.text()
    assert "Year 7, form 7A, MIS id UPN-Q1" in workspace.panel.summary.text()
    qtbot.keyClicks(workspace.search, "ashby")
    assert "Zoë Quill" not in table_names(workspace) and workspace.panel.person_id == pupils["Zoë Quill"]
    workspace.select_person(pupils["Bea Marsh"])
    settle(qtbot, workspace)
    assert workspace.search.text() == "" and workspace.panel.person_id == pupils["Bea Marsh"]
    assert workspace.table.currentIndex().row() == workspace.model.row_of(pupils["Bea Marsh"])


@pytest.mark.parametrize("width, height", [(1366, 700), (1280, 660)])
def test_the_workspace_fits_a_laptop_screen(qtbot, register_ui, width, height):
    """At 1366x768 and 1280x720 (less the taskbar) the people table shows every column without scrolling
    sideways and no cell is cut, and so does the open person's consent table; each dialog fits on the
    screen, its table without scrolling sideways."""
    workspace, _answers, _db, ids = register_ui
    window = workspace.window()
    window.resize(width, height)
    choose(qtbot, workspace, ids["obama"])
    qtbot.waitUntil(lambda: workspace.table.viewport().width() > 0)
    table = workspace.table
    assert workspace.table.horizontalScrollBar().maximum() == 0
    header = table.horizontalHeader()
    cut = [COLUMNS[c].title for c in range(len(COLUMNS)) if not table.isColumnHidden(c)
           and max(table.sizeHintForColumn(c), header.sectionSizeHint(c)) > table.columnWidth(c)]
    assert cut == []
    consent = workspace.panel.consent.table
    assert consent.horizontalScrollBar().maximum() == 0
    # No consent cell is cut ("Not …", "As all …"); at 1366 wide no channel name either.
    whole = range(0 if width >= 1366 else 1, consent.columnCount())
    assert [c for c in whole if consent.sizeHintForColumn(c) > consent.columnWidth(c)] == []
    workspace.year_end_button.click()
    workspace.leavers_button.click()
    workspace.expiring_button.click()
    workspace.panel.impact.click()
    settle(qtbot, workspace)
    assert set(workspace.dialogs) == {"year_end", "leavers", "expiring", "impact"}
    for dialog in workspace.dialogs.values():
        qtbot.waitExposed(dialog)
        assert dialog.width() <= width and dialog.height() <= height, type(dialog).__name__
        table = dialog.table if hasattr(dialog, "table") else dialog.list.table
        assert table.horizontalScrollBar().maximum() == 0, type(dialog).__name__
