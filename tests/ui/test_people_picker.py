"""The person picker: found by name, MIS id or id, namesakes told apart, chosen by Enter or double-click."""
from __future__ import annotations

import pytest

from admin_helpers import HEAD, admin_app
from rws_desktop.core.kernel.consent import PersonKind
from rws_desktop.core.kernel.permissions import NotAllowed, Role
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.ui.people_picker import PersonPicker, PersonPickerDialog, people_source
from sessions import TEST_PASSWORD


@pytest.fixture
def school(tmp_path):
    """Made-up people added by an office account; AUD (auditor) and OFF (office) can sign in."""
    app = admin_app(tmp_path)
    for initials, role in (("OFF", Role.OFFICE), ("AUD", Role.AUDITOR), ("COM", Role.COMMS)):
        app.sign_in(HEAD, TEST_PASSWORD)
        app.accounts.add_account(initials, f"Test {initials}", [role], "temporary password 1")
        app.sign_in(initials, "temporary password 1")
        app.accounts.change_own_password(TEST_PASSWORD)
    app.sign_in("OFF", TEST_PASSWORD)
    for person in (NewPerson("Olivia Harington", PersonKind.PUPIL, "MIS100", 8, "8R"),
                   NewPerson("Olivia Harington", PersonKind.PUPIL, "MIS200", 10, "10W"),
                   NewPerson("Rose Leslie", PersonKind.STAFF)):
        app.register.add_person(person)
    yield app
    app.close()


def loaded_picker(qtbot, app) -> PersonPicker:
    picker = PersonPicker(people_source(app))
    qtbot.addWidget(picker)
    qtbot.waitUntil(lambda: not picker.busy and bool(picker.people), timeout=10_000)
    return picker


def test_the_auditor_finds_a_person_by_name_and_chooses_with_enter(qtbot, school):
    """Typing 'Harington' (the auditor's own example) lists both namesakes with year and form; narrowing by MIS
    id leaves one, and Enter chooses them."""
    school.sign_in("AUD", TEST_PASSWORD)
    picker = loaded_picker(qtbot, school)
    picker.search.setText("harington")
    shown = [picker.matches.item(i).text() for i in range(picker.matches.count())]
    assert len(shown) == 2 and "Year 8, 8R" in shown[0] and "Year 10, 10W" in shown[1]
    picker.search.setText("mis200")
    with qtbot.waitSignal(picker.chosen) as chosen:
        qtbot.keyClick(picker.search, "\r")
    assert chosen.args[0].mis_id == "MIS200" and chosen.args[0].name == "Olivia Harington"


def test_nobody_matching_is_said_in_words(qtbot, school):
    """A search that finds nobody says so, and choosing then gives nobody."""
    school.sign_in("AUD", TEST_PASSWORD)
    picker = loaded_picker(qtbot, school)
    picker.search.setText("nobody like this")
    assert picker.matches.count() == 0 and "No one matches" in picker.count.text() and picker.current() is None


def test_office_staff_pick_from_the_register_and_the_dialog_returns_the_person(qtbot, school):
    """For office staff the picker reads the register; the dialog's Choose returns the highlighted person."""
    dialog = PersonPickerDialog(people_source(school))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: bool(dialog.picker.people), timeout=10_000)
    dialog.picker.search.setText("rose")
    dialog.buttons.accepted.emit()
    assert dialog.result() == PersonPickerDialog.DialogCode.Accepted and dialog.person.name == "Rose Leslie"


def test_someone_who_may_not_look_people_up_is_refused(school):
    """Comms staff get no people source: they may read neither the log nor the register."""
    school.sign_in("COM", TEST_PASSWORD)
    with pytest.raises(NotAllowed, match="auditor or office"):
        people_source(school)
