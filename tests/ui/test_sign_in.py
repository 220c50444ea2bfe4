"""Signing in to the window, and the window mirroring what the signed-in person may do."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel

from rws_cli import add_staff, rws
from rws_desktop.app import App
from rws_desktop.ui import main as ui_main
from rws_desktop.ui.admin.setup_assistant import SetupAssistant
from rws_desktop.ui.sign_in import ChangePasswordDialog, SignInDialog, sign_in_at_start
from sessions import TEST_PASSWORD
from vetting_window import open_window


def answering(fill):
    """An exec() for a dialog class that fills its fields as a person would, presses OK and reports the result."""

    def exec_(dialog) -> int:
        fill(dialog)
        dialog.accept()
        return dialog.result()

    return exec_


def test_a_wrong_password_is_explained_and_the_right_one_signs_in(qtbot, tmp_path):
    """The sign-in dialog stays open saying why after a wrong password (and clears it), then signs in."""
    db = tmp_path / "rws.sqlite3"
    add_staff(db, "NEF", "comms")
    app = App.open(f"sqlite:///{db}", workers=1)
    dialog = SignInDialog(app)
    qtbot.addWidget(dialog)
    dialog.initials.setText("nef")
    dialog.password.setText("not it")
    dialog.ok.click()
    assert dialog.result() != QDialog.DialogCode.Accepted and "do not match" in dialog.problem.text()
    assert dialog.password.text() == "" and app.session is None
    dialog.password.setText(TEST_PASSWORD)
    dialog.ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and app.user == "NEF"
    app.close()


def test_the_first_start_creates_the_first_admin_and_signs_them_in(qtbot, tmp_path, monkeypatch):
    """With no account yet the setup assistant asks for the first admin; mismatched passwords are explained first."""
    app = App.open(f"sqlite:///{tmp_path / 'rws.sqlite3'}", workers=1)

    def run(assistant: SetupAssistant) -> int:
        qtbot.addWidget(assistant)
        assistant.show()  # as exec would
        page = assistant.first_admin
        page.initials.setText("msn")
        page.name.setText("Test Head")
        page.password.setText(TEST_PASSWORD)
        page.again.setText("something else")
        assistant.next()
        assert "not the same" in page.problem.text() and not app.sign_ins.has_accounts()
        page.again.setText(TEST_PASSWORD)
        assistant.next()
        qtbot.waitUntil(lambda: not assistant.busy and app.session is not None, timeout=10_000)
        return 0

    monkeypatch.setattr(SetupAssistant, "exec", run)
    assert sign_in_at_start(app)
    assert app.session.describe() == "MSN (Test Head; admin)"
    app.close()


def test_a_temporary_password_is_changed_before_the_window_opens(tmp_path, monkeypatch):
    """Someone signing in with the password an admin gave them must choose their own first; giving up closes the app."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "user", "add", "AWI", "--name", "Test Sixth Form", "--role", "comms", new_password="temporary pass 1") == 0
    app = App.open(f"sqlite:///{db}", workers=1)
    monkeypatch.setattr(SignInDialog, "exec", answering(lambda d: (d.initials.setText("AWI"), d.password.setText("temporary pass 1"))))
    monkeypatch.setattr(ChangePasswordDialog, "exec", lambda dialog: 0)
    assert not sign_in_at_start(app)
    monkeypatch.setattr(ChangePasswordDialog, "exec", answering(lambda d: (d.password.setText("my own password"), d.again.setText("my own password"))))
    assert sign_in_at_start(app)
    assert not app.session.must_change_password
    app.close()


def test_office_staff_see_the_vet_workspace_disabled_with_the_reason(qtbot, register, settings):
    """Signed in as office staff, Vet photos and the Audit log are disabled with why, Add and Export are off,
    the window opens on the Consent register, and the status bar says who is signed in."""
    db, _ids = register
    add_staff(db, "OFF", "office")
    window, _answers = open_window(qtbot, db, settings, user="OFF")
    tabs = window.tabs
    enabled = {tabs.tabText(i): tabs.isTabEnabled(i) for i in range(tabs.count())}
    assert enabled == {"Vet photos": False, "Consent register": True, "Audit log": False}
    assert "comms role" in tabs.tabToolTip(0) and "auditor role" in tabs.tabToolTip(2)
    assert tabs.currentIndex() == 1
    assert not window.open_action.isEnabled() and not window.export_action.isEnabled() and not window.acceptDrops()
    assert "Signed in as OFF (Test OFF; office)" in [label.text() for label in window.statusBar().findChildren(QLabel)]
    window.close()
    window.app.close()


def test_giving_up_at_sign_in_closes_the_app_quietly(qtbot, tmp_path, monkeypatch):
    """Cancelling the sign-in exits with 0 and opens no window."""
    db = tmp_path / "rws.sqlite3"
    add_staff(db, "NEF", "comms")
    monkeypatch.setenv("RWS_DB", f"sqlite:///{db}")
    monkeypatch.setattr(SignInDialog, "exec", lambda dialog: 0)
    assert ui_main.main([]) == 0


def test_a_sign_in_error_is_shown_whole_without_squashing_the_fields(qtbot, tmp_path):
    """After a wrong password the dialog grows: the wrapped message has all the height it needs, and the fields
    keep theirs."""
    db = tmp_path / "rws.sqlite3"
    add_staff(db, "NEF", "comms")
    app = App.open(f"sqlite:///{db}", workers=1)
    dialog = SignInDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.initials.setText("NEF")
    dialog.password.setText("not it")
    dialog.ok.click()
    qtbot.wait(50)
    problem = dialog.problem
    assert problem.height() >= problem.heightForWidth(problem.width())
    assert dialog.password.height() >= dialog.password.sizeHint().height()
    app.close()
