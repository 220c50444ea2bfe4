"""The window's start-up and Help > About, as IT support sees them: the log file named and written."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from rws_desktop.logs import log_file
from rws_desktop.ui import main as ui_main


def test_about_names_the_log_file(window):
    """Help > About gives the log file's full path, for IT support."""
    window, _answers = window
    assert str(log_file()) in window.about_text()


def test_a_start_that_fails_is_logged_with_its_traceback(qtbot, tmp_path, monkeypatch):
    """A database that cannot be opened is explained on screen and recorded, with the traceback, in the log file."""
    monkeypatch.setenv("RWS_DATA_DIR", str(tmp_path / "data"))
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the database's folder should be")
    monkeypatch.setenv("RWS_DB", f"sqlite:///{blocker / 'rws.sqlite3'}")
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: None)
    assert ui_main.main([]) == 1
    text = log_file().read_text(encoding="utf-8")
    assert "The window started: version" in text
    assert "The database could not be opened" in text and "Traceback (most recent call last)" in text


def test_starting_prints_no_pkg_resources_warning():
    """The face models' package imports pkg_resources, which warns that it is deprecated on every start; importing
    the app first silences it (warnings shown as by default), so the terminal stays clean. Without the app's import
    first the warning is printed, so this test can fail."""
    import subprocess
    import sys

    def warnings_printed(code: str) -> str:
        return subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True, text=True,
                              timeout=120).stderr

    assert "pkg_resources is deprecated" in warnings_printed("import face_recognition_models")
    assert "pkg_resources is deprecated" not in warnings_printed(
        "import rws_desktop.ui.main, face_recognition_models")
