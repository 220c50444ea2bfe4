"""The setup assistant's pages that bring people in: staff accounts, and pupils from the MIS export."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton

from ...core.kernel.account_rules import AccountError
from ...core.kernel.permissions import Action, Role
from ...core.register.mis_csv import CsvTable, read_csv_file
from ..account_settings import account_settings
from ..folders import MIS_EXPORTS, remember_folder, start_folder
from ..form_dialog import show_problem
from ..register.import_dialog import ImportDialog
from .forms import AccountForm
from .presenter import plain
from .setup_page import AssistantPage


class StaffPage(AssistantPage):
    def __init__(self, assistant):
        super().__init__(assistant, "Staff accounts",
                         "Add an account for each member of staff who uses the app. Each gets a temporary password "
                         "to give them in person; they choose their own at their first sign-in.")
        self.from_policy = QComboBox()
        self.from_policy.setAccessibleName("Initials named in the policy without an account")
        self.from_policy.activated.connect(self._pick_from_policy)
        self.form = AccountForm()
        self.add_button = QPushButton("&Add this account")
        self.add_button.clicked.connect(self.add_account)
        self.added = QLabel("")
        self.added.setWordWrap(True)
        self.added.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.added.setAccessibleName("Accounts added, with their temporary passwords")
        policy = QHBoxLayout()
        policy.addWidget(QLabel("Named in the policy, no account yet:"))
        policy.addWidget(self.from_policy, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        self.layout_.addLayout(policy)
        self.layout_.addWidget(self.form)
        self.layout_.addLayout(buttons)
        self.layout_.addWidget(self.problem)
        self.layout_.addWidget(self.added)
        self.layout_.addStretch(1)
        self.lines: list[str] = []

    def initializePage(self) -> None:  # noqa: N802
        super().initializePage()
        self._fill_policy()

    def _fill_policy(self) -> None:
        self.from_policy.clear()
        self.from_policy.addItem("(choose initials)", None)
        for initials in self.assistant.presenter.policy_initials_without_account():
            self.from_policy.addItem(initials, initials)

    def _pick_from_policy(self) -> None:
        initials = self.from_policy.currentData()
        if initials:
            self.form.initials.setText(initials)
            self.form.roles.set_roles({Role.COMMS})
            self.form.name.setFocus()

    def add_account(self) -> None:
        initials, name, roles = self.form.initials.text(), self.form.name.text(), self.form.roles.roles()
        if not initials.strip() or not name.strip() or not roles:
            show_problem(self.problem, "Give the initials, the full name and at least one role.")
            return
        show_problem(self.problem, "")
        presenter = self.assistant.presenter
        self.assistant.run(lambda: presenter.add_account(initials, name, roles), self._added, self._failed)

    def _added(self, new) -> None:
        account = new.account
        self.lines.append(f"{account.initials} ({account.name}; {', '.join(r.value for r in Role if r in account.roles)}): "
                          f"temporary password <b>{new.temporary_password}</b>")
        self.added.setText("<b>Added</b> (write the passwords down for each person now):<br>" + "<br>".join(self.lines))
        self.form.clear()
        self._fill_policy()

    def work(self):
        if self.form.initials.text().strip() or self.form.name.text().strip():
            raise AccountError("Add the account typed above (Add this account), or clear its fields, before going on.")
        return None


class MisPage(AssistantPage):
    def __init__(self, assistant):
        super().__init__(assistant, "Pupils from the MIS",
                         "Import the pupils from a CSV export of Arbor, SIMS or Bromcom: names, year, form, date of "
                         "birth and any photo consent the MIS holds. You can also do this later from the Consent "
                         "register.")
        self.state = QLabel("")
        self.state.setWordWrap(True)
        self.choose = QPushButton("&Choose the MIS export…")
        self.choose.clicked.connect(self.import_from_mis)
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose)
        buttons.addStretch(1)
        self.layout_.addWidget(self.state)
        self.layout_.addLayout(buttons)
        self.layout_.addWidget(self.problem)
        self.layout_.addStretch(1)
        self.dialog: ImportDialog | None = None

    def initializePage(self) -> None:  # noqa: N802
        super().initializePage()
        reason = self.assistant.app.signed_in().refusal(Action.CHANGE_REGISTER)
        self.choose.setEnabled(reason is None)
        if reason is None:
            self.state.setText("Choose the file; you see every row before anything is imported.")
        else:
            self.state.setText("The MIS import needs the office role, which your account does not have (you can give "
                               "it yourself on the first page next time, or from Admin > Accounts). Someone with the "
                               "office role imports the file from the Consent register. Skip this step.")

    def mis_file_start(self) -> Path:
        """Where the MIS-export picker opens: the folder the signed-in account last took an MIS export from, else
        Documents (the register's own import remembers the same folder)."""
        return start_folder(self._settings(), MIS_EXPORTS)

    def _settings(self):
        return account_settings(self.assistant.machine_settings, self.assistant.app)

    def ask_mis_file(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, "The MIS export", str(self.mis_file_start()),
                                              "CSV files (*.csv);;All files (*)")
        if not name:
            return None
        remember_folder(self._settings(), MIS_EXPORTS, Path(name).parent)
        return Path(name)

    def import_from_mis(self) -> None:
        path = self.ask_mis_file()
        if path is None:
            return
        self.assistant.run(lambda: read_csv_file(path), lambda table: self._open(path, table),
                           lambda error: show_problem(self.problem, f"That file cannot be imported: {plain(error)}"))

    def _open(self, path: Path, table: CsvTable) -> None:
        dialog = ImportDialog(path.name, table, self)
        dialog.review_leavers.hide()  # nobody has left a register that is being filled for the first time
        dialog.preview_requested.connect(lambda mapping: self._preview(dialog, table, mapping))
        dialog.import_requested.connect(lambda mapping: self._import(dialog, table, mapping))
        self.dialog = dialog
        dialog.show()
        dialog.request_preview()

    def _preview(self, dialog: ImportDialog, table: CsvTable, mapping) -> None:
        service, today = self.assistant.app.mis_import, date.today()
        self.assistant.run(lambda: service.preview(table, mapping, today), dialog.show_preview,
                           lambda error: dialog.show_mapping(plain(error)))

    def _import(self, dialog: ImportDialog, table: CsvTable, mapping) -> None:
        service, today = self.assistant.app.mis_import, date.today()

        def imported(result) -> None:
            dialog.show_imported(result)
            self.state.setText(f"Imported: {result.created} added, {result.updated} updated.")

        self.assistant.run(lambda: service.import_table(table, mapping, today), imported,
                           lambda error: dialog.show_import_failed(plain(error)))
