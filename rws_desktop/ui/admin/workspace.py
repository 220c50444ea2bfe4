"""The Admin workspace (admin role only): accounts, channel admin lists, the DPIA, the reference-face key,
and where this computer's database is. A view over AdminPresenter; every change runs off the UI thread."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QLabel, QMessageBox,
                               QPushButton, QScrollArea, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from ...app import App
from ...core.kernel.permissions import Role
from ...paths import data_dir
from .background import Background
from .dialogs import NewAccountDialog, PassphraseDialog, RolesDialog
from ..account_settings import account_settings
from ..folders import KEY_FILES, remember_folder, start_folder
from ..form_dialog import problem_label, show_problem
from .forms import ChannelAdminsForm, DpiaForm, hint
from .presenter import AccountRow, AdminPresenter, AdminProblem, plain
from .reference_key import KEY_FILE_FILTER

ACCOUNT_COLUMNS = ("Initials", "Name", "Roles", "State")
KEY_FILE_NAME = "rws-reference-face.rwskey"


class AdminWorkspace(QWidget):
    message = Signal(str)  # for the status bar
    setup_requested = Signal()  # "Open the setup assistant…"

    def __init__(self, app: App, parent=None, settings=None):
        """`settings`: the signed-in account's (for the folder the key-file picker opens in); the machine's
        QSettings seen through this account's group when none is given."""
        super().__init__(parent)
        self.app = app
        self.settings = account_settings(settings, app)
        self.presenter = AdminPresenter(app)
        self.background = Background(self)
        self.background.busy_changed.connect(self._show_busy)
        self.rows: list[AccountRow] = []
        self.sections = QTabWidget()
        self.sections.addTab(self._overview_page(), "Overview")
        self.sections.addTab(self._accounts_page(), "Accounts")
        self.sections.addTab(self._channels_page(), "Channel admins")
        self.sections.addTab(self._dpia_page(), "DPIA")
        self.sections.addTab(self._key_page(), "Reference-face key")
        self.problem = problem_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addWidget(self.sections, 1)
        self.refresh()

    @property
    def busy(self) -> bool:
        return self.background.busy

    # Questions to the admin (tests replace these)

    def ask_new_account(self) -> tuple[str, str, list[Role]] | None:
        dialog = NewAccountDialog(self)
        if not dialog.exec():
            return None
        form = dialog.form
        return form.initials.text(), form.name.text(), form.roles.roles()

    def ask_roles(self, row: AccountRow) -> list[Role] | None:
        dialog = RolesDialog(row.initials, row.roles, self)
        return dialog.choice.roles() if dialog.exec() else None

    def ask_passphrase(self, exporting: bool) -> str | None:
        dialog = PassphraseDialog(exporting, self)
        return dialog.passphrase.text() if dialog.exec() else None

    def key_file_start(self, exporting: bool) -> Path:
        """Where the key-file picker opens: the folder last used for key files (else Documents), with the
        suggested file name when exporting."""
        folder = start_folder(self.settings, KEY_FILES)
        return folder / KEY_FILE_NAME if exporting else folder

    def ask_key_file(self, exporting: bool) -> Path | None:
        start = str(self.key_file_start(exporting))
        if exporting:
            name, _ = QFileDialog.getSaveFileName(self, "Export the reference-face key", start, KEY_FILE_FILTER)
        else:
            name, _ = QFileDialog.getOpenFileName(self, "Import the reference-face key", start, KEY_FILE_FILTER)
        if not name:
            return None
        remember_folder(self.settings, KEY_FILES, Path(name).parent)
        return Path(name)

    def confirm(self, title: str, question: str) -> bool:
        return QMessageBox.question(self, title, question) == QMessageBox.StandardButton.Yes

    def tell(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()

    # Pages

    def _overview_page(self) -> QWidget:
        page = QWidget()
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.database = QLabel("")
        self.database.setWordWrap(True)
        self.database.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setup_button = QPushButton("Open the &setup assistant…")
        self.setup_button.setToolTip("Walk through the first-day set-up again; every step can be skipped")
        self.setup_button.clicked.connect(self.setup_requested.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.setup_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("<b>What is on and off</b>"))
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("<b>This computer</b>"))
        layout.addWidget(self.database)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _accounts_page(self) -> QWidget:
        page = QWidget()
        self.table = QTableWidget(0, len(ACCOUNT_COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab moves on to the next control; arrows move within
        self.table.setHorizontalHeaderLabels(ACCOUNT_COLUMNS)
        self.table.setAccessibleName("Accounts")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.add_button = QPushButton("&Add account…")
        self.roles_button = QPushButton("&Roles…")
        self.lock_button = QPushButton("&Lock")
        self.lock_button.setToolTip("Stop this account signing in (someone leaving, say) until it is unlocked")
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setToolTip("Let a locked account sign in again, also after too many wrong passwords")
        self.reset_button = QPushButton("New &temporary password…")
        self.reset_button.setToolTip("For someone who forgot theirs: they choose their own at their next sign-in")
        self.add_button.clicked.connect(self.add_account)
        self.roles_button.clicked.connect(self.change_roles)
        self.lock_button.clicked.connect(self.lock)
        self.unlock_button.clicked.connect(self.unlock)
        self.reset_button.clicked.connect(self.reset_password)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.roles_button, self.lock_button, self.unlock_button, self.reset_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        return page

    def _channels_page(self) -> QWidget:
        page = QWidget()
        self.channel_form = ChannelAdminsForm()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.channel_form)
        self.save_channels = QPushButton("Save &channel admins")
        self.save_channels.clicked.connect(self.save_channel_admins)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_channels)
        layout = QVBoxLayout(page)
        layout.addWidget(hint("Only a channel's admins (and anyone with the admin role) may vet and export for it. "
                              "Type initials separated by commas; leave a list empty for admins only. Each change "
                              "is recorded in the audit log with the list before and after."))
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        return page

    def _dpia_page(self) -> QWidget:
        page = QWidget()
        self.dpia_state = QLabel("")
        self.dpia_state.setWordWrap(True)
        self.dpia_form = DpiaForm()
        self.record_dpia_button = QPushButton("&Record the DPIA")
        self.record_dpia_button.clicked.connect(self.record_dpia)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.record_dpia_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.dpia_state)
        layout.addWidget(hint("UK GDPR Article 35: recognising children's faces needs a data protection impact "
                              "assessment first. Record it once the data protection officer has signed it off; "
                              "recognition is off until then."))
        layout.addWidget(self.dpia_form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _key_page(self) -> QWidget:
        page = QWidget()
        self.key_state = QLabel("")
        self.key_state.setWordWrap(True)
        self.key_state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_key_button = QPushButton("&Export for another PC…")
        self.import_key_button = QPushButton("&Import from another PC…")
        self.export_key_button.clicked.connect(self.export_key)
        self.import_key_button.clicked.connect(self.import_key)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_key_button)
        buttons.addWidget(self.import_key_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.key_state)
        layout.addWidget(hint("Reference faces are encrypted with a key kept on this computer, never in the database. "
                              "When several PCs share one database, export the key here with a passphrase and "
                              "import it on the other PC; delete the file afterwards."))
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    # Reading

    def refresh(self) -> None:
        presenter = self.presenter

        def read() -> dict[str, Any]:
            return {"accounts": presenter.accounts(), "channels": presenter.channels(), "dpia": presenter.dpia_text(),
                    "key": presenter.key_status().message, "summary": presenter.summary(),
                    "database": presenter.database_location()}

        self.background.run(read, self._show, lambda error: show_problem(
            self.problem, f"The admin details could not be read: {error}"))

    def _show(self, data: dict[str, Any]) -> None:
        self.rows = data["accounts"]
        selected = self.selected()
        self.table.setRowCount(len(self.rows))
        for number, row in enumerate(self.rows):
            for column, text in enumerate((row.initials, row.name, row.roles_text, row.state)):
                self.table.setItem(number, column, QTableWidgetItem(text))
        for column in range(len(ACCOUNT_COLUMNS) - 1):
            self.table.resizeColumnToContents(column)
        if selected is not None:
            self.select(selected.initials)
        self._selection_changed()
        self.channel_form.set_rows(data["channels"])
        self.dpia_state.setText(data["dpia"])
        self.key_state.setText(data["key"])
        self.summary.setText("".join(f"<p>{'✔' if on else '✘'} {text}</p>" for on, text in data["summary"]))
        self.database.setText(f"{data['database']}.<br>Data folder (settings, the key file where there is no "
                              f"keyring): {data_dir()}")

    def selected(self) -> AccountRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def select(self, initials: str) -> None:
        for number, row in enumerate(self.rows):
            if row.initials == initials:
                self.table.selectRow(number)

    def _selection_changed(self) -> None:
        row = self.selected()
        for button in (self.roles_button, self.reset_button):
            button.setEnabled(row is not None and not self.busy)
        self.lock_button.setEnabled(row is not None and not row.locked and not self.busy)
        self.unlock_button.setEnabled(row is not None and (row.locked or "locked" in row.state) and not self.busy)

    # Accounts

    def add_account(self) -> None:
        answer = self.ask_new_account()
        if answer is None:
            return
        initials, name, roles = answer
        presenter = self.presenter

        def added(new) -> None:
            self.tell("Account added", f"{new.account.initials} ({new.account.name}) can now sign in with the temporary "
                      f"password\n\n{new.temporary_password}\n\nGive it to them in person; they choose their own "
                      "password at their first sign-in.")
            self.refresh()

        self._run(lambda: presenter.add_account(initials, name, roles), added)

    def change_roles(self) -> None:
        row = self.selected()
        roles = self.ask_roles(row) if row else None
        if roles is None:
            return
        presenter = self.presenter
        self._run(lambda: presenter.set_roles(row.initials, roles), lambda account: self._done(
            f"{account.initials} now has: {', '.join(r.value for r in Role if r in account.roles)}."))

    def lock(self) -> None:
        row = self.selected()
        if row is None or not self.confirm("Lock the account?", f"Lock {row.initials} ({row.name})? They cannot sign "
                                           "in or do anything until an admin unlocks the account."):
            return
        presenter = self.presenter
        self._run(lambda: presenter.lock(row.initials), lambda a: self._done(f"{a.initials} is locked."))

    def unlock(self) -> None:
        row = self.selected()
        if row is None:
            return
        presenter = self.presenter
        self._run(lambda: presenter.unlock(row.initials), lambda a: self._done(f"{a.initials} is unlocked."))

    def reset_password(self) -> None:
        row = self.selected()
        if row is None or not self.confirm("Give a new temporary password?",
                                           f"Replace the password of {row.initials} ({row.name}) with a temporary one? "
                                           "Their present password stops working."):
            return
        presenter = self.presenter

        def reset(password: str) -> None:
            self.tell("Temporary password", f"{row.initials} can now sign in with\n\n{password}\n\nand then chooses "
                      "their own password.")
            self.refresh()

        self._run(lambda: presenter.reset_password(row.initials), reset)

    # Channels, DPIA, key

    def save_channel_admins(self) -> None:
        changes = self.channel_form.changed()
        if not changes:
            self.message.emit("No channel admin list was changed.")
            return
        presenter = self.presenter

        def save() -> int:
            for key, text in changes.items():
                presenter.set_channel_admins(key, text)
            return len(changes)

        self._run(save, lambda count: self._done(f"{count} channel admin list{'s' if count != 1 else ''} saved."))

    def record_dpia(self) -> None:
        reference, assessed_on, dpo = self.dpia_form.values()
        presenter = self.presenter
        self._run(lambda: presenter.record_dpia(reference, assessed_on, dpo), lambda text: self._done(text))

    def export_key(self) -> None:
        path = self.ask_key_file(True)
        passphrase = self.ask_passphrase(True) if path else None
        if path is None or passphrase is None:
            return
        presenter = self.presenter
        self._run(lambda: presenter.export_key(path, passphrase), lambda text: (self.tell("Key exported", text),
                                                                                 self.refresh()))

    def import_key(self) -> None:
        path = self.ask_key_file(False)
        passphrase = self.ask_passphrase(False) if path else None
        if path is None or passphrase is None:
            return
        presenter = self.presenter
        self._run(lambda: presenter.import_key(path, passphrase), lambda text: (self.tell("Key imported", text),
                                                                                 self.refresh()))

    # Running

    def _done(self, text: str) -> None:
        self.message.emit(text)
        self.refresh()

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        show_problem(self.problem, "")
        self.background.run(work, done, self._failed)

    def _failed(self, error: Exception) -> None:
        text = str(error) if isinstance(error, AdminProblem) else plain(error)
        show_problem(self.problem, f"Not done: {text}")
        self.message.emit(f"Not done: {text}")
        self.refresh()

    def _show_busy(self, busy: bool) -> None:
        for button in (self.add_button, self.save_channels, self.record_dpia_button, self.export_key_button,
                       self.import_key_button, self.setup_button):
            button.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)
        self._selection_changed()
