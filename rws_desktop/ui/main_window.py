"""The main window: one workspace per job, desktop menus, and photos dropped anywhere on it."""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget

from .. import __version__
from ..app import App
from ..logs import log_file
from .audit.workspace import AuditWorkspace
from .permissions_view import mirror_permissions
from .register.workspace import RegisterWorkspace
from .dialog_questions import DialogQuestions
from .questions import Questions
from .tasks import Jobs
from .vetting.workspace import VettingWorkspace
from .account_settings import for_account
from .window_hooks import add_account_actions, add_admin_tab, add_help_actions, window_action

MIN_SIZE = (1000, 640)  # fits a 1366x768 screen with room for the taskbar


class MainWindow(QMainWindow):
    def __init__(self, app: App, settings: QSettings, questions: Questions | None = None, warm_workers: bool = True):
        """`questions` answers for the person (tests pass their own); `warm_workers` starts the worker processes
        in the background at once, so the first photo's result comes quickly."""
        super().__init__()
        settings = for_account(settings, app.user)  # each account its own last channel, folders and tab
        self.app, self.settings = app, settings
        self.signed_out = False
        self.questions = questions or DialogQuestions(self)
        self.setWindowTitle("RWS Photo Check")
        self.setMinimumSize(*MIN_SIZE)
        self.resize(1280, 720)
        self.setAcceptDrops(True)
        self.jobs = Jobs(self)
        self.vetting = VettingWorkspace(app, settings, self.jobs, self.questions, self)
        if isinstance(self.questions, DialogQuestions):
            self.questions.keep_clear = self.vetting.view.attention_on_screen
            self.questions.face_image = self.vetting.selected_face_image
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.vetting, "Vet photos")
        self.register = RegisterWorkspace(app, settings, self.jobs, self.questions, self)
        self.tabs.addTab(self.register, "Consent register")
        self.audit = AuditWorkspace(app, settings, self.jobs, self.questions, self)
        self.tabs.addTab(self.audit, "Audit log")
        self.admin = add_admin_tab(self)
        self.setCentralWidget(self.tabs)
        for workspace in (self.vetting, self.audit):
            workspace.message.connect(self.statusBar().showMessage)
        self.statusBar().addPermanentWidget(QLabel(f"Signed in as {app.signed_in().describe()}"))
        self._build_menus()
        self._restore()
        mirror_permissions(self)
        if warm_workers:
            self.vetting.keep_workers_warm()

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file = menu.addMenu("&File")
        self.open_action = window_action(self, "&Add photos…", QKeySequence.StandardKey.Open, self._open_photos)
        self.export_action = window_action(self, "&Export safe copies…", "Ctrl+E", self._export)
        file.addActions([self.open_action, self.export_action])
        file.addSeparator()
        quit_action = window_action(self, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        file.addAction(quit_action)
        self.change_password_action, self.sign_out_action = add_account_actions(self, file, quit_action)
        edit = menu.addMenu("&Edit")
        self.undo_action = window_action(self, "&Undo correction", QKeySequence.StandardKey.Undo, self.vetting.undo)
        edit.addAction(self.undo_action)
        self.undo_action.setEnabled(False)
        self.vetting.undo_available.connect(self.undo_action.setEnabled)
        view = menu.addMenu("&View")
        self.safe_action = window_action(self, "Show &safe version", "Space", self.vetting.toggle_safe)
        self.vetting.safe_shown.connect(lambda safe: self.safe_action.setText("Show &original" if safe else "Show &safe version"))
        view.addActions([
            self.safe_action,
            window_action(self, "&Next photo", "Right", lambda: self.vetting.select_next(1)),
            window_action(self, "&Previous photo", "Left", lambda: self.vetting.select_next(-1)),
            window_action(self, "Zoom &in", QKeySequence.StandardKey.ZoomIn, self.vetting.view.zoom_in),
            window_action(self, "Zoom &out", QKeySequence.StandardKey.ZoomOut, self.vetting.view.zoom_out),
            window_action(self, "&Fit to window", "Ctrl+0", self.vetting.view.fit),
        ])
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(window_action(self, "&About RWS Photo Check", None, self.show_about))
        self.guide_action = add_help_actions(self, help_menu)

    def _open_photos(self) -> None:
        self.tabs.setCurrentWidget(self.vetting)
        self.vetting.open_photos()

    def _export(self) -> None:
        self.tabs.setCurrentWidget(self.vetting)
        self.vetting.export()

    def about_text(self) -> str:
        return (f"<b>RWS Photo Check {__version__}</b><br>Checks photos against the consent register before they "
                f"are published, and blurs anyone without consent for the channel.<br><br>"
                f"Database: {self.app.database.url}<br>Signed in as: {self.app.user}<br>"
                f"Log file (for IT support): {html.escape(str(log_file()))}")

    def show_about(self) -> None:
        QMessageBox.about(self, "About RWS Photo Check", self.about_text())

    # Dropping photos and folders

    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.tabs.setCurrentWidget(self.vetting)
            self.vetting.add_paths(paths)

    # Settings and closing

    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.tabs.setCurrentIndex(int(self.settings.value("window/tab", 0)))

    def closeEvent(self, event) -> None:
        if self.vetting.has_unsaved_work() and not self.questions.confirm(
                "Quit without exporting?",
                "Some checked photos have not been exported. Their corrections are already in the audit log, "
                "but the photos would need checking again. Quit anyway?"):
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/tab", self.tabs.currentIndex())
        self.vetting.save_settings()
        self.settings.sync()
        self.vetting.shutdown()  # cancels every job and waits for them; App.close stops the worker processes
        if self.admin is not None:
            self.admin.background.wait()
        event.accept()
