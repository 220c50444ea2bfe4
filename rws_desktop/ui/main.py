"""`rws-desktop`: open the window on the embedded database (created and upgraded on first start)."""
from __future__ import annotations

import logging
import multiprocessing
import sys

# Qt is imported in main(), not here: every worker process the window spawns imports the `rws-desktop`
# script's module again (so does `python -m`'s), and a worker needs neither Qt nor its memory.
from ..app import App, database_url
from ..logs import configure_logging, log_opened
from ..paths import APP_AUTHOR, APP_NAME


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # worker processes in a packaged app
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QMessageBox

    configure_logging("The window")
    qt_app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    qt_app.setOrganizationName(APP_AUTHOR)
    qt_app.setApplicationName(APP_NAME)
    try:
        app = App.open()
    except Exception as exc:
        logging.getLogger("rws_desktop.start").error("The database could not be opened", exc_info=exc)
        QMessageBox.critical(None, f"{APP_NAME} cannot start", startup_problem(exc, _shown_database()))
        return 1
    log_opened(app)
    from .main_window import MainWindow  # after QApplication exists
    from .sign_in import sign_in_at_start

    app.hold_window_lock()  # rws restore refuses while the window holds the database
    try:
        while True:  # File > Sign out / Switch user closes the window and comes back here
            # The workers load the face models while the person types their password (they hold nothing personal
            # until a batch reaches them, after sign-in); warm_workers_for stops them for someone who may not vet.
            app.warm_workers()
            if not sign_in_at_start(app):
                return 0
            warm_workers_for(app)
            window = MainWindow(app, QSettings())
            window.show()
            code = qt_app.exec()
            if not window.signed_out:
                return code
    finally:
        app.close()


def warm_workers_for(app: App) -> None:
    """For someone who may vet: keep the worker processes started before sign-in (or start them now, from this,
    the main thread) loading the face models while the window is built, so they are ready by the time photos are
    added. The window's own warm-up (VettingWorkspace.keep_workers_warm) then waits for these instead of starting
    others. For anyone else, stop them."""
    from ..core.kernel.permissions import Action

    session = app.signed_in()
    if any(session.may(Action.VET, key) for key in app.channels.keys()):
        app.warm_workers()
    else:
        app.stop_workers()


def startup_problem(exc: Exception, url: str) -> str:
    return (f"The database could not be opened.\n\n{exc}\n\nDatabase: {url}\n\n"
            "If it is on another computer, check the network and try again. If the problem stays, "
            "ask IT support and quote this message. No photos or records were changed.")


def _shown_database() -> str:
    """The database the app tried to open, with any password masked; the error itself if the settings are unreadable."""
    try:
        url = database_url()
    except Exception as exc:  # such as an unreadable settings file, which the message above explains
        return f"not known ({exc})"
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url
