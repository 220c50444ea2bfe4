"""`rws-desktop`: open the window on the embedded database (created and upgraded on first start)."""
from __future__ import annotations

import multiprocessing
import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from ..app import App, database_url
from ..paths import APP_AUTHOR, APP_NAME


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # worker processes in a packaged app
    qt_app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    qt_app.setOrganizationName(APP_AUTHOR)
    qt_app.setApplicationName(APP_NAME)
    try:
        app = App.open()
    except Exception as exc:
        QMessageBox.critical(None, f"{APP_NAME} cannot start", startup_problem(exc, database_url()))
        return 1
    from .main_window import MainWindow  # after QApplication exists
    from .sign_in import sign_in_at_start

    if not sign_in_at_start(app):
        app.close()
        return 0
    app.hold_window_lock()
    window = MainWindow(app, QSettings())
    window.show()
    try:
        return qt_app.exec()
    finally:
        app.close()


def startup_problem(exc: Exception, url: str) -> str:
    return (f"The database could not be opened.\n\n{exc}\n\nDatabase: {url}\n\n"
            "If it is on another computer, check the network and try again. If the problem stays, "
            "ask IT support and quote this message. No photos or records were changed.")
