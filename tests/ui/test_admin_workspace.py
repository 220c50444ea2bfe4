"""The Admin workspace's widgets: each admin action from its buttons, run off the UI thread, problems shown in red."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate

from admin_helpers import HEAD, admin_app, audit_kinds
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.ui.admin.workspace import AdminWorkspace


@pytest.fixture
def workspace(qtbot, tmp_path):
    app = admin_app(tmp_path)
    workspace = AdminWorkspace(app)
    qtbot.addWidget(workspace)
    told: list[tuple[str, str]] = []
    workspace.tell = lambda title, text: told.append((title, text))
    workspace.confirm = lambda title, question: True
    workspace.told = told
    settle(qtbot, workspace)
    yield workspace
    workspace.background.wait()
    app.close()


def settle(qtbot, workspace: AdminWorkspace) -> None:
    qtbot.waitUntil(lambda: not workspace.busy, timeout=10_000)


def table(workspace: AdminWorkspace) -> dict[str, list[str]]:
    return {workspace.table.item(r, 0).text(): [workspace.table.item(r, c).text() for c in range(4)]
            for r in range(workspace.table.rowCount())}


def test_an_added_account_is_listed_and_its_temporary_password_shown(qtbot, workspace):
    """Add account… adds the account through the core and tells the admin the temporary password to hand over."""
    workspace.ask_new_account = lambda: ("awi", "Test Sixth Form", [Role.COMMS])
    workspace.add_button.click()
    settle(qtbot, workspace)
    assert table(workspace)["AWI"] == ["AWI", "Test Sixth Form", "comms", "must choose a new password"]
    title, text = workspace.told[-1]
    assert title == "Account added" and "temporary password" in text
    password = text.split("\n\n")[1]
    assert workspace.app.sign_ins.sign_in("AWI", password).must_change_password


def test_roles_lock_unlock_and_reset_from_the_buttons(qtbot, workspace):
    """With an account selected, Roles…, Lock, Unlock and New temporary password… each change it and are audited."""
    workspace.presenter.add_account("AUD", "Test Auditor", [Role.AUDITOR])
    workspace.refresh()
    settle(qtbot, workspace)
    workspace.select("AUD")
    workspace.ask_roles = lambda row: [Role.AUDITOR, Role.OFFICE]
    workspace.roles_button.click()
    settle(qtbot, workspace)
    assert table(workspace)["AUD"][2] == "office, auditor"
    workspace.select("AUD")
    assert workspace.lock_button.isEnabled() and not workspace.unlock_button.isEnabled()
    workspace.lock_button.click()
    settle(qtbot, workspace)
    assert table(workspace)["AUD"][3] == "locked by an admin"
    workspace.select("AUD")
    workspace.unlock_button.click()
    settle(qtbot, workspace)
    workspace.select("AUD")
    workspace.reset_button.click()
    settle(qtbot, workspace)
    assert workspace.told[-1][0] == "Temporary password"
    kinds = audit_kinds(workspace.app)
    assert [k for k in kinds if k in ("account_roles_changed", "account_locked", "account_unlocked", "password_reset")] \
        == ["account_roles_changed", "account_locked", "account_unlocked", "password_reset"]


def test_a_refused_change_is_shown_in_red_and_nothing_changes(qtbot, workspace):
    """Locking the only admin is refused: the reason is on screen and the account stays active."""
    workspace.select(HEAD)
    workspace.lock_button.click()
    settle(qtbot, workspace)
    assert workspace.problem.isVisibleTo(workspace) and "only admin" in workspace.problem.text()
    assert table(workspace)[HEAD][3] == "active"


def test_channel_admins_are_prefilled_from_the_policy_and_saved(qtbot, workspace):
    """The channel form starts with the policy's initials; a changed list is saved through the core and audited."""
    edits = workspace.channel_form.edits
    assert edits["whatsapp"].text() == "MSN, MGL" and edits["instagram"].text() == "MSN"
    assert "no account yet: MSN, MGL" in workspace.channel_form.notes["whatsapp"].text()
    edits["instagram"].setText("MSN, AWI")
    workspace.save_channels.click()
    settle(qtbot, workspace)
    assert workspace.channel_form.edits["instagram"].text() == "MSN, AWI"
    assert f"set by {HEAD}" in workspace.channel_form.notes["instagram"].text()
    assert audit_kinds(workspace.app).count("channel_admins_changed") == 1


def test_recording_the_dpia_from_its_page(qtbot, workspace):
    """The DPIA page says recognition is off, records the DPIA through the core, then says it is on."""
    assert "recognition is off" in workspace.dpia_state.text()
    workspace.dpia_form.reference.setText("DPIA-2026-1")
    workspace.dpia_form.assessed_on.setDate(QDate(2026, 9, 1))
    workspace.dpia_form.dpo.setText("Test DPO")
    workspace.record_dpia_button.click()
    settle(qtbot, workspace)
    assert "DPIA-2026-1" in workspace.dpia_state.text() and "Face recognition is on" in workspace.dpia_state.text()
    assert workspace.app.dpia.current().assessed_on == date(2026, 9, 1)


def test_the_key_is_exported_and_imported_with_a_passphrase(qtbot, workspace, tmp_path):
    """Export… writes a sealed key file; Import… with the same passphrase keeps it; a wrong one is explained."""
    path = tmp_path / "key.rwskey"
    workspace.ask_key_file = lambda exporting: path
    workspace.ask_passphrase = lambda exporting: "the school's key phrase"
    workspace.export_key_button.click()
    settle(qtbot, workspace)
    assert path.exists() and workspace.told[-1][0] == "Key exported"
    workspace.ask_passphrase = lambda exporting: "not the phrase at all"
    workspace.import_key_button.click()
    settle(qtbot, workspace)
    assert "passphrase does not open" in workspace.problem.text()
    workspace.ask_passphrase = lambda exporting: "the school's key phrase"
    workspace.import_key_button.click()
    settle(qtbot, workspace)
    assert workspace.told[-1][0] == "Key imported" and "holds the key" in workspace.key_state.text()


def test_the_overview_says_what_is_on_and_off_and_where_the_database_is(workspace):
    """The overview lists recognition off until the DPIA, and names this computer's database file."""
    assert "off until the DPIA is recorded" in workspace.summary.text()
    assert "rws.sqlite3" in workspace.database.text()
