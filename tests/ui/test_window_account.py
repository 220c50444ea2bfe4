"""The window's account features: the Admin tab for admins only, Sign out / Switch user, Change my password,
settings kept per account, and Help > User guide."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from admin_helpers import HEAD, admin_app
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.ui import main as ui_main
from rws_desktop.ui import sign_in as sign_in_module
from rws_desktop.ui import window_hooks
from rws_desktop.ui.admin.dialogs import ChangeMyPasswordDialog
from rws_desktop.ui.admin.workspace import AdminWorkspace
from rws_desktop.ui.help.guide import GuideDialog, what_does_this_mean
from rws_desktop.ui.main_window import MainWindow
from sessions import TEST_PASSWORD


@pytest.fixture
def school(tmp_path):
    """A database with HT (admin) signed in, and AUD (auditor) and MSN (comms, a policy channel admin) with their own passwords."""
    app = admin_app(tmp_path)
    for initials, role in (("AUD", Role.AUDITOR), ("MSN", Role.COMMS)):
        app.sign_in(HEAD, TEST_PASSWORD)
        app.accounts.add_account(initials, f"Test {initials}", [role], "temporary password 1")
        app.sign_in(initials, "temporary password 1")
        app.accounts.change_own_password(TEST_PASSWORD)
    app.sign_in(HEAD, TEST_PASSWORD)
    yield app
    app.close()


def open_as(qtbot, app, settings, initials: str) -> MainWindow:
    if app.session is None or app.user != initials:
        app.sign_in(initials, TEST_PASSWORD)
    window = MainWindow(app, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def tab_titles(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def test_the_admin_tab_is_there_for_admins_only(qtbot, school, settings):
    """The admin sees an Admin tab holding the Admin workspace; the auditor does not see one at all."""
    window = open_as(qtbot, school, settings, HEAD)
    assert tab_titles(window)[-1] == "Admin" and isinstance(window.admin, AdminWorkspace)
    qtbot.waitUntil(lambda: not window.admin.busy, timeout=10_000)
    window.close()
    auditor = open_as(qtbot, school, settings, "AUD")
    assert "Admin" not in tab_titles(auditor) and auditor.admin is None
    auditor.close()


def test_sign_out_closes_the_window_and_forgets_who_was_signed_in(qtbot, school, settings):
    """File > Sign out / Switch user closes the window and ends the session; the next person's window shows them."""
    window = open_as(qtbot, school, settings, "AUD")
    assert "Sign &out / Switch user…" in [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    window.sign_out_action.trigger()
    assert not window.isVisible() and window.signed_out and school.session is None
    other = open_as(qtbot, school, settings, "MSN")
    assert "MSN" in window_status(other) and not other.signed_out
    other.close()


def test_sign_out_is_called_off_when_the_person_keeps_unsaved_work(qtbot, school, settings, monkeypatch):
    """With photos checked but not exported, answering No keeps the window open and the person signed in."""
    window = open_as(qtbot, school, settings, "MSN")
    monkeypatch.setattr(window.vetting, "has_unsaved_work", lambda: True)
    monkeypatch.setattr(window.questions, "confirm", lambda title, question: False)
    assert not window_hooks.sign_out(window)
    assert window.isVisible() and school.user == "MSN" and not window.signed_out
    monkeypatch.setattr(window.questions, "confirm", lambda title, question: True)
    assert window_hooks.sign_out(window)


def test_switching_user_returns_to_the_sign_in_and_opens_the_next_persons_window(qtbot, school, monkeypatch):
    """The app's main loop: after a sign-out it asks who signs in next and opens their window; giving up there
    ends the app."""
    school.sign_out()
    people = iter(["AUD", "MSN"])
    seen: list[str] = []

    def sign_in_at_start(app, parent=None) -> bool:
        initials = next(people, None)
        if initials is None:
            return False
        app.sign_in(initials, TEST_PASSWORD)
        return True

    def exec_(_app) -> int:
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        seen.append(window.app.user)
        window_hooks.sign_out(window)
        return 0

    monkeypatch.setattr(ui_main.App, "open", classmethod(lambda cls, *a, **k: school))
    monkeypatch.setattr(sign_in_module, "sign_in_at_start", sign_in_at_start)
    monkeypatch.setattr(QApplication, "exec", exec_)
    monkeypatch.setattr(school, "close", lambda: None)  # the fixture closes it
    assert ui_main.main([]) == 0
    assert seen == ["AUD", "MSN"]


def test_change_my_password_needs_the_current_one(qtbot, school, settings, monkeypatch):
    """File > Change my password refuses a wrong current password on screen, then changes it with the right one."""
    window = open_as(qtbot, school, settings, "AUD")

    def fill(dialog: ChangeMyPasswordDialog) -> int:
        dialog.current.setText("not my password")
        dialog.password.setText("my new long password")
        dialog.again.setText("my new long password")
        dialog.accept()
        assert "not your current password" in dialog.problem.text()
        dialog.current.setText(TEST_PASSWORD)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(ChangeMyPasswordDialog, "exec", fill)
    window.change_password_action.trigger()
    assert window.statusBar().currentMessage() == "Your password is changed."
    window.close()
    school.sign_out()
    assert school.sign_in("AUD", "my new long password").initials == "AUD"


def test_each_account_reopens_on_its_own_tab(qtbot, school, settings):
    """The tab a person last used is remembered for their account, not for whoever used the PC last."""
    window = open_as(qtbot, school, settings, HEAD)
    window.tabs.setCurrentWidget(window.admin)
    qtbot.waitUntil(lambda: not window.admin.busy, timeout=10_000)
    window.close()
    auditor = open_as(qtbot, school, settings, "AUD")
    assert auditor.tabs.tabText(auditor.tabs.currentIndex()) == "Audit log"
    auditor.close()
    again = open_as(qtbot, school, settings, HEAD)
    assert again.tabs.currentWidget() is again.admin
    qtbot.waitUntil(lambda: not again.admin.busy, timeout=10_000)
    again.close()
    assert settings.value(f"accounts/{HEAD}/window/tab") is not None


def test_the_user_guide_opens_at_the_page_for_the_persons_job(qtbot, school, settings):
    """Help > User guide (F1) opens the auditor's page for the auditor; its links move between pages."""
    window = open_as(qtbot, school, settings, "AUD")
    assert window.guide_action.shortcut().toString() == "F1"
    window.guide_action.trigger()
    guide = next(w for w in QApplication.topLevelWidgets() if isinstance(w, GuideDialog) and w.isVisible())
    assert guide.topic == "audit" and "Verify" in guide.browser.toPlainText()
    guide.contents.click()
    assert guide.topic == "index" and "Vetting photos" in guide.browser.toPlainText()
    guide.close()
    window.close()


def test_what_does_this_mean_opens_the_guide_at_the_rule(qtbot):
    """The link placed beside the biometric rule opens the biometric page; an unknown topic is refused."""
    link = what_does_this_mean("biometric")
    qtbot.addWidget(link)
    assert link.text().endswith("What does this mean?</a>") and link.accessibleName()
    link.linkActivated.emit("biometric")
    guide = next(w for w in QApplication.topLevelWidgets() if isinstance(w, GuideDialog) and w.isVisible())
    assert guide.topic == "biometric" and "Protection of Freedoms Act 2012" in guide.browser.toPlainText()
    guide.close()
    with pytest.raises(ValueError):
        what_does_this_mean("no such topic")


def window_status(window: MainWindow) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in window.statusBar().findChildren(QLabel))


def test_the_consent_and_biometric_rules_have_a_what_does_this_mean_link(qtbot, school):
    """The register's consent editor and biometric box each carry the link to their guide page."""
    from rws_desktop.ui.register.biometric_box import BiometricBox
    from rws_desktop.ui.register.consent_editor import ConsentEditor

    editor = ConsentEditor(school.channels)
    box = BiometricBox()
    qtbot.addWidget(editor)
    qtbot.addWidget(box)
    assert 'href="consent"' in editor.meaning.text() and 'href="biometric"' in box.meaning.text()


def test_the_last_channel_is_kept_for_the_account_as_plain_text(qtbot, school, settings, tmp_path):
    """Closing MSN's window stores MSN's channel under MSN's group as a plain string, and nothing machine-wide."""
    window = open_as(qtbot, school, settings, "MSN")
    window.vetting.channel.setCurrentIndex(window.vetting.channel.findData("instagram"))
    window.close()
    settings.sync()
    assert settings.value("accounts/MSN/vet/last_channel") == "instagram"
    assert not settings.contains("vet/last_channel")
    assert "@Invalid" not in (tmp_path / "settings.ini").read_text()


def test_show_face_as_is_given_the_selected_face_from_the_vetting_workspace(qtbot, school, settings):
    """The window's questions take "Show face as…"'s thumbnail from the vetting workspace's selected face; with no
    photo selected there is none (the dialog then leaves the thumbnail out)."""
    window = open_as(qtbot, school, settings, "MSN")
    assert window.questions.face_image == window.vetting.selected_face_image
    assert window.questions.face_image() is None
    window.close()
