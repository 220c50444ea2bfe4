"""The admin workspace's presenter: each admin action through the core services, audited, refused for others."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from admin_helpers import HEAD, admin_app, audit_kinds
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.ui.admin.presenter import AdminPresenter, AdminProblem, parse_initials_list, temporary_password
from sessions import TEST_PASSWORD


@pytest.fixture
def admin(tmp_path):
    app = admin_app(tmp_path)
    yield AdminPresenter(app)
    app.close()


def test_adding_an_account_gives_a_temporary_password_that_must_be_changed(admin):
    """An added account gets a readable temporary password; signing in with it works and asks for a new one."""
    added = admin.add_account("msn", "Test Comms", [Role.COMMS])
    assert added.account.initials == "MSN" and len(added.temporary_password) >= 10
    rows = {row.initials: row for row in admin.accounts()}
    assert rows["MSN"].roles_text == "comms" and rows["MSN"].state == "must choose a new password"
    session = admin.app.sign_ins.sign_in("MSN", added.temporary_password)
    assert session.must_change_password
    assert "account_added" in audit_kinds(admin.app)


def test_roles_lock_unlock_and_a_new_temporary_password(admin):
    """Roles change, a lock stops sign-in, an unlock lifts it, and a reset password is temporary; each is audited."""
    admin.add_account("AUD", "Test Auditor", [Role.AUDITOR])
    assert admin.set_roles("AUD", [Role.AUDITOR, Role.OFFICE]).roles == {Role.AUDITOR, Role.OFFICE}
    admin.lock("AUD")
    assert {r.initials: r.state for r in admin.accounts()}["AUD"] == "locked by an admin"
    admin.unlock("AUD")
    password = admin.reset_password("AUD")
    assert admin.app.sign_ins.sign_in("AUD", password).must_change_password
    kinds = audit_kinds(admin.app)
    for kind in ("account_roles_changed", "account_locked", "account_unlocked", "password_reset"):
        assert kind in kinds


def test_the_only_admin_cannot_lock_themself_out(admin):
    """Locking the only admin is refused in plain words, so the school never loses its admin."""
    with pytest.raises(AdminProblem, match="only admin"):
        admin.lock(HEAD)


def test_channel_lists_start_from_the_policy_and_changes_are_audited(admin):
    """Each channel shows the policy's initials and who has no account; a change is saved and logged before/after."""
    rows = {row.key: row for row in admin.channels()}
    assert rows["whatsapp"].admins == ("MSN", "MGL") and rows["whatsapp"].source == "as in the policy"
    assert "MSN" in rows["whatsapp"].without_account
    assert admin.policy_initials_without_account()[:2] == ["MSN", "MGL"]
    changed = admin.set_channel_admins("instagram", "msn, awi")
    assert changed.admins == ("MSN", "AWI") and changed.source == f"set by {HEAD}"
    with admin.app.database.transaction() as tx:
        last = json.loads(list(tx.audit.records())[-1].content_json)
    assert last["kind"] == "channel_admins_changed" and last["before"] == ["MSN"] and last["after"] == ["MSN", "AWI"]


def test_recording_the_dpia_turns_recognition_on(admin):
    """Before the DPIA the summary says recognition is off; recording it is audited and the summary says on."""
    assert "off until the DPIA is recorded" in " ".join(text for _on, text in admin.summary())
    with pytest.raises(AdminProblem, match="in the future"):
        admin.record_dpia("DPIA-1", date.today() + timedelta(days=3), "Test DPO")
    text = admin.record_dpia("DPIA-1", date.today(), "Test DPO")
    assert "Face recognition is on" in text
    assert (True, "Face recognition is on: the DPIA is recorded.") in admin.summary()
    assert "dpia_recorded" in audit_kinds(admin.app)


def test_the_key_goes_to_another_pc_with_a_passphrase(admin, tmp_path):
    """The exported file does not hold the key in the clear; the right passphrase imports it, a wrong one is refused,
    a short one is refused before anything is written, and export and import are audited."""
    path = tmp_path / "school.rwskey"
    with pytest.raises(AdminProblem, match="at least"):
        admin.export_key(path, "short")
    assert not path.exists()
    admin.export_key(path, "a passphrase for the key")
    key_id, key = admin.app.key_status.key_id, admin.app.key_store.load(admin.app.key_status.key_id)
    text = path.read_text()
    assert key_id not in text and __import__("base64").b64encode(key).decode() not in text
    with pytest.raises(AdminProblem, match="passphrase does not open"):
        admin.import_key(path, "not the passphrase at all")
    assert "holds the key" in admin.import_key(path, "a passphrase for the key")
    kinds = audit_kinds(admin.app)
    assert "reference_face_key_exported" in kinds and "reference_face_key_imported" in kinds


def test_the_database_location_is_shown(admin):
    """The machine's database file is named in words."""
    assert "rws.sqlite3" in admin.database_location() and "this computer" in admin.database_location()


@pytest.mark.parametrize("action", ["accounts", "add", "roles", "lock", "unlock", "reset", "channel", "dpia", "export",
                                    "import"])
def test_someone_without_the_admin_role_is_refused_every_admin_action(admin, tmp_path, action):
    """An office account using the same presenter is refused each admin action with the reason, and it is logged
    (importing a key file the admin exported included)."""
    sealed = tmp_path / "from-the-admin.rwskey"
    admin.export_key(sealed, "a passphrase for the key")
    admin.add_account("OFF", "Test Office", [Role.OFFICE], TEST_PASSWORD)
    admin.app.sign_in("OFF", TEST_PASSWORD)
    admin.app.accounts.change_own_password("an own password here")
    office = AdminPresenter(admin.app)
    assert not office.may_administer
    calls = {
        "accounts": lambda: office.accounts(),
        "add": lambda: office.add_account("NEW", "Someone New", [Role.COMMS]),
        "roles": lambda: office.set_roles(HEAD, [Role.OFFICE]),
        "lock": lambda: office.lock(HEAD),
        "unlock": lambda: office.unlock(HEAD),
        "reset": lambda: office.reset_password(HEAD),
        "channel": lambda: office.set_channel_admins("whatsapp", "OFF"),
        "dpia": lambda: office.record_dpia("DPIA-1", date.today(), "Test DPO"),
        "export": lambda: office.export_key(tmp_path / "k.rwskey", "a passphrase for the key"),
        "import": lambda: office.import_key(sealed, "a passphrase for the key"),
    }
    with pytest.raises(AdminProblem, match="admin role"):
        calls[action]()
    assert audit_kinds(admin.app)[-1] == "action_refused"


def test_temporary_passwords_are_long_and_differ():
    """Made-up temporary passwords meet the 10-character rule and are not repeated."""
    made = {temporary_password() for _ in range(50)}
    assert len(made) == 50 and all(len(p) == 14 for p in made)


def test_initials_lists_accept_commas_or_spaces():
    """Typed lists split on commas, semicolons or spaces, and come out in capitals."""
    assert parse_initials_list("msn, mgl;awi  spl") == ["MSN", "MGL", "AWI", "SPL"]
