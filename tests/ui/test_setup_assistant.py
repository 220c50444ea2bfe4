"""The first-run setup assistant: the first admin, the DPIA, channel admins, staff, the MIS import and a summary,
each step audited through the core, each skippable, and the assistant reopenable."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QDate

from admin_helpers import HEAD, admin_app, audit_kinds, empty_app
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.ui import sign_in as sign_in_module
from rws_desktop.ui.admin.setup_assistant import CHANNELS, DPIA, FIRST_ADMIN, MIS, STAFF, SUMMARY, SetupAssistant
from sessions import TEST_PASSWORD

HEADER = "UPN,Legal Surname,Legal Forename,Year,Reg Group,DOB,Photo Consent,Consent Date"
ROWS = ["A2001,Ashby,Ada,Year 7,7A,01/02/2014,Yes,07/09/2026", "A2002,Dorn,Dot,Year 8,8A,03/03/2013,No,10/09/2026"]


def settle(qtbot, assistant: SetupAssistant) -> None:
    qtbot.waitUntil(lambda: not assistant.busy, timeout=10_000)


def next_page(qtbot, assistant: SetupAssistant, expected: int) -> None:
    assistant.next()
    settle(qtbot, assistant)
    assert assistant.currentId() == expected, assistant.currentPage().problem.text()


@pytest.fixture
def fresh(qtbot, tmp_path):
    app = empty_app(tmp_path)
    assistant = SetupAssistant(app)
    qtbot.addWidget(assistant)
    assistant.show()
    yield assistant
    assistant.background.wait()
    app.close()


def test_the_whole_first_day_setup_goes_through_the_core_and_is_audited(qtbot, fresh, tmp_path):
    """On an empty database: the first admin (with the office role ticked) is created and signed in, the DPIA
    recorded, the policy's channel list changed for one channel, an account added from the policy's initials,
    pupils imported from the MIS, and the summary says recognition is on; every step is in the audit log."""
    assistant, app = fresh, fresh.app
    assert assistant.currentId() == FIRST_ADMIN and not assistant.button(assistant.SKIP_BUTTON).isVisible()
    page = assistant.first_admin
    page.initials.setText("ht")
    page.name.setText("Test Head")
    page.password.setText(TEST_PASSWORD)
    page.again.setText("something else")
    assistant.next()
    assert "not the same" in page.problem.text() and not app.sign_ins.has_accounts()
    page.again.setText(TEST_PASSWORD)
    page.roles.boxes[Role.OFFICE].setChecked(True)
    next_page(qtbot, assistant, DPIA)
    assert app.session.initials == HEAD and app.session.roles == {Role.ADMIN, Role.OFFICE}

    assert "recognition is off" in assistant.dpia.state.text()
    assistant.dpia.form.reference.setText("DPIA-2026-1")
    assistant.dpia.form.assessed_on.setDate(QDate(2026, 9, 1))
    assistant.dpia.form.dpo.setText("Test DPO")
    next_page(qtbot, assistant, CHANNELS)
    assert app.dpia.current().reference == "DPIA-2026-1"

    edits = assistant.channels.form.edits
    assert edits["whatsapp"].text() == "MSN, MGL"  # prefilled from the policy
    edits["instagram"].setText("MSN, AWI")
    next_page(qtbot, assistant, STAFF)
    assert {i.channel.key: i.admins for i in app.channel_admins.lists()}["instagram"] == ("MSN", "AWI")

    staff = assistant.staff
    staff.from_policy.setCurrentIndex(staff.from_policy.findData("MSN"))
    staff.from_policy.activated.emit(staff.from_policy.currentIndex())
    assert staff.form.initials.text() == "MSN" and staff.form.roles.roles() == [Role.COMMS]
    staff.form.name.setText("Test Comms")
    staff.add_button.click()
    settle(qtbot, staff.assistant)
    assert "MSN (Test Comms; comms): temporary password" in staff.added.text()
    assert staff.from_policy.findData("MSN") == -1
    next_page(qtbot, assistant, MIS)

    export = tmp_path / "arbor.csv"
    export.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    assistant.mis.ask_mis_file = lambda: export
    assert assistant.mis.choose.isEnabled()
    assistant.mis.choose.click()
    settle(qtbot, assistant)
    dialog = assistant.mis.dialog
    assert dialog.pages.currentIndex() == 2 and dialog.do_import.text() == "Import 2 rows"
    dialog.do_import.click()
    settle(qtbot, assistant)
    assert "Imported: 2 added" in assistant.mis.state.text()
    dialog.close()
    next_page(qtbot, assistant, SUMMARY)

    text = assistant.summary.summary.text()
    assert "Face recognition is on" in text and "HT, MSN" not in text and "MSN can vet and export photos" in text
    kinds = audit_kinds(app)
    for kind in ("account_added", "signed_in", "account_roles_changed", "dpia_recorded", "channel_admins_changed",
                 "mis_import"):
        assert kind in kinds, kind


def test_every_step_after_the_first_admin_can_be_skipped(qtbot, fresh):
    """Skipping the DPIA, channels, staff and the MIS import saves nothing, and the summary says what is off."""
    assistant, app = fresh, fresh.app
    page = assistant.first_admin
    page.initials.setText("HT")
    page.name.setText("Test Head")
    page.password.setText(TEST_PASSWORD)
    page.again.setText(TEST_PASSWORD)
    next_page(qtbot, assistant, DPIA)
    assistant.dpia.form.reference.setText("typed but skipped")
    for expected in (CHANNELS, STAFF, MIS, SUMMARY):
        assert assistant.button(assistant.SKIP_BUTTON).isVisible()
        assistant.skip()
        settle(qtbot, assistant)
        assert assistant.currentId() == expected
    assert not assistant.button(assistant.SKIP_BUTTON).isVisible()
    assert app.dpia.current() is None
    text = assistant.summary.summary.text()
    assert "Face recognition is off until the DPIA is recorded" in text
    assert "Nobody has the comms role yet" in text and "without an account yet: MSN, MGL" in text
    kinds = audit_kinds(app)
    assert "dpia_recorded" not in kinds and "channel_admins_changed" not in kinds


def test_the_mis_step_explains_when_the_admin_lacks_the_office_role(qtbot, fresh):
    """An admin without the office role is told who imports the file, and the import button is off."""
    assistant = fresh
    page = assistant.first_admin
    page.initials.setText("HT")
    page.name.setText("Test Head")
    page.password.setText(TEST_PASSWORD)
    page.again.setText(TEST_PASSWORD)
    next_page(qtbot, assistant, DPIA)
    for _ in range(3):
        assistant.skip()
    assert assistant.currentId() == MIS
    assert not assistant.mis.choose.isEnabled() and "needs the office role" in assistant.mis.state.text()


def test_reopened_it_starts_at_the_dpia_with_the_admin_signed_in(qtbot, tmp_path):
    """Opened again from the Admin workspace, the assistant skips the first-admin page."""
    app = admin_app(tmp_path)
    assistant = SetupAssistant(app)
    qtbot.addWidget(assistant)
    assistant.show()
    assert assistant.currentId() == DPIA and "No DPIA is recorded" in assistant.dpia.state.text()
    app.close()


def test_an_empty_database_starts_the_assistant_instead_of_the_old_dialog(qtbot, tmp_path, monkeypatch):
    """sign_in_at_start on an empty database runs the setup assistant; once its first page has created and signed
    in the admin, the window may open even if the rest was closed unfinished."""
    app = empty_app(tmp_path)
    opened: list[SetupAssistant] = []

    def run(assistant: SetupAssistant) -> int:
        opened.append(assistant)
        app.sign_ins.create_first_admin("HT", "Test Head", TEST_PASSWORD)
        app.sign_in("HT", TEST_PASSWORD)
        return 0  # closed before the end

    monkeypatch.setattr(SetupAssistant, "exec", run)
    assert sign_in_module.sign_in_at_start(app)
    assert opened and app.session.initials == "HT"
    app.close()


def test_closing_the_assistant_before_any_admin_exists_opens_nothing(qtbot, tmp_path, monkeypatch):
    """Giving up on the first page leaves no account and no window."""
    app = empty_app(tmp_path)
    monkeypatch.setattr(SetupAssistant, "exec", lambda assistant: 0)
    assert not sign_in_module.sign_in_at_start(app)
    assert not app.sign_ins.has_accounts()
    app.close()
