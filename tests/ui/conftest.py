"""A real main window on a private copy of the enrolled register."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from vetting_window import open_window


@pytest.fixture(autouse=True)
def no_modal_questions(monkeypatch):
    """Windows a test builds without scripted answers must never wait on a real modal dialog: offscreen
    nobody can answer it, and a "Quit without exporting?" question at teardown hung the suite. Confirmations
    answer yes and explanations are kept in `told`, so a test can still read them."""
    from rws_desktop.ui.dialog_questions import DialogQuestions

    told: list[tuple[str, str]] = []
    monkeypatch.setattr(DialogQuestions, "confirm", lambda self, title, question: True)
    monkeypatch.setattr(DialogQuestions, "explain", lambda self, title, text: told.append((title, text)))
    monkeypatch.setattr(DialogQuestions, "find_person", lambda self, title, people: None)
    return told


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, register, settings):
    db, _ids = register
    window, answers = open_window(qtbot, db, settings)
    yield window, answers
    window.close()
    window.app.close()


@pytest.fixture
def register_ui(qtbot, register, settings):
    """The window on the Consent register tab, over a private copy of the enrolled register."""
    from register_window import open_register

    db, ids = register
    window, workspace, answers = open_register(qtbot, db, settings)
    yield workspace, answers, db, ids
    window.close()
    window.app.close()


@pytest.fixture
def head(tmp_path):
    """HT holding every role and signed in, so every workspace and control is built (the accessible-name and
    keyboard walks)."""
    from admin_helpers import HEAD, admin_app
    from rws_desktop.core.kernel.permissions import Role
    from sessions import TEST_PASSWORD

    app = admin_app(tmp_path)
    app.accounts.set_roles(HEAD, list(Role))
    app.sign_in(HEAD, TEST_PASSWORD)
    yield app
    app.close()
