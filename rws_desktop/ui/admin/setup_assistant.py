"""The first-run setup assistant: from an empty database to a school ready for its first day.

Pages: the first admin (only while there is no account), the DPIA, each channel's admin list
(prefilled from the policy), staff accounts, the MIS import, and what is on and off. Every page
but the first admin's can be skipped, and the assistant can be reopened from the Admin workspace.
Every step goes through the same core services as the command line, so each is audited; slow
steps (password hashing, the import) run off the UI thread.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QScrollArea, QVBoxLayout, QWizard, QWizardPage)

from ...app import App
from ...core.accounts.passwords import MIN_PASSWORD_LENGTH
from ...core.kernel.account_rules import AccountError
from ...core.kernel.permissions import Action, Role
from ...core.register.mis_csv import CsvTable, read_csv_file
from ..register.import_dialog import ImportDialog
from .background import Background
from ..form_dialog import problem_label, show_problem
from .forms import AccountForm, ChannelAdminsForm, DpiaForm, RoleChoice
from .presenter import AdminPresenter, AdminProblem, plain

FIRST_ADMIN, DPIA, CHANNELS, STAFF, MIS, SUMMARY = range(6)
SKIP = QWizard.WizardButton.CustomButton1


class _Page(QWizardPage):
    """A page whose Next first does its work off the UI thread, then moves on; a problem keeps it open."""

    skippable = True

    def __init__(self, assistant: "SetupAssistant", title: str, subtitle: str):
        super().__init__()
        self.assistant = assistant
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.problem = problem_label()
        self.layout_ = QVBoxLayout(self)
        self._done = False
        self.skipped = False

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        self._done = False
        self.skipped = False
        show_problem(self.problem, "")

    def work(self) -> Callable[[], Any] | None:
        """What Next does (run off the UI thread), or None when there is nothing to do."""
        return None

    def finished(self, result: Any) -> None:
        """On the UI thread, after `work` succeeded."""

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        if self._done or self.skipped:
            return True
        try:
            work = self.work()
        except (AccountError, AdminProblem) as error:
            show_problem(self.problem, str(error))
            return False
        if work is None:
            return True
        show_problem(self.problem, "")
        self.assistant.run(work, self._succeeded, self._failed)
        return False

    def _succeeded(self, result: Any) -> None:
        self.finished(result)
        self._done = True
        self.assistant.next()

    def _failed(self, error: Exception) -> None:
        show_problem(self.problem, str(error) if isinstance(error, AdminProblem) else plain(error))


class FirstAdminPage(_Page):
    skippable = False

    def __init__(self, assistant):
        super().__init__(assistant, "The first admin",
                         "Nobody has an account yet. The first admin is the Headteacher or Deputy, who then adds "
                         "everyone else. Tick the other roles your own job needs.")
        self.initials = QLineEdit()
        self.initials.setAccessibleName("Initials")
        self.initials.setMaxLength(5)
        self.name = QLineEdit()
        self.name.setAccessibleName("Full name")
        self.password = QLineEdit()
        self.password.setAccessibleName("Password")
        self.again = QLineEdit()
        self.again.setAccessibleName("The same password again")
        for edit in (self.password, self.again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.roles = RoleChoice(fixed=frozenset({Role.ADMIN}))
        form = QFormLayout()
        form.addRow("&Initials (as in the policy):", self.initials)
        form.addRow("Full &name:", self.name)
        form.addRow(f"&Password (at least {MIN_PASSWORD_LENGTH} characters):", self.password)
        form.addRow("The same &again:", self.again)
        form.addRow("Roles:", self.roles)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.problem)
        self.setCommitPage(True)

    def work(self):
        if self.password.text() != self.again.text():
            raise AccountError("The two passwords are not the same.")
        app, initials, name, password = self.assistant.app, self.initials.text(), self.name.text(), self.password.text()
        roles = self.roles.roles()

        def create() -> str:
            account = app.sign_ins.create_first_admin(initials, name, password)
            app.sign_in(account.initials, password)
            if set(roles) != {Role.ADMIN}:
                app.accounts.set_roles(account.initials, roles)
                app.session.refresh()
            return account.initials

        return lambda: self.assistant.presenter.attempt(create)

    def finished(self, initials: str) -> None:
        self.password.clear()
        self.again.clear()


class DpiaPage(_Page):
    def __init__(self, assistant):
        super().__init__(assistant, "The data protection impact assessment (DPIA)",
                         "UK GDPR Article 35: recognising children's faces needs a DPIA signed off by the data "
                         "protection officer. Until it is recorded, recognition is off and every face is blurred "
                         "unless comms staff show it by hand. Skip this step if it is not signed off yet.")
        self.state = QLabel("")
        self.state.setWordWrap(True)
        self.form = DpiaForm()
        self.layout_.addWidget(self.state)
        self.layout_.addWidget(self.form)
        self.layout_.addWidget(self.problem)
        self.layout_.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        super().initializePage()
        self.state.setText(self.assistant.presenter.dpia_text())

    def work(self):
        if self.form.is_empty():
            return None
        reference, assessed_on, dpo = self.form.values()
        presenter = self.assistant.presenter
        return lambda: presenter.record_dpia(reference, assessed_on, dpo)


class ChannelsPage(_Page):
    def __init__(self, assistant):
        super().__init__(assistant, "Who may post on each channel",
                         "Each channel's admins, as the school's social media policy lists them. Only they (and "
                         "anyone with the admin role) may vet and export photos for it. Change a list if the "
                         "policy has changed; type initials separated by commas.")
        self.form = ChannelAdminsForm()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.layout_.addWidget(scroll, 1)
        self.layout_.addWidget(self.problem)

    def initializePage(self) -> None:  # noqa: N802
        super().initializePage()
        self.form.set_rows(self.assistant.presenter.channels())

    def work(self):
        changes = self.form.changed()
        if not changes:
            return None
        presenter = self.assistant.presenter

        def save() -> None:
            for key, text in changes.items():
                presenter.set_channel_admins(key, text)

        return save


class StaffPage(_Page):
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


class MisPage(_Page):
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

    def ask_mis_file(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, "The MIS export", str(Path.home()), "CSV files (*.csv);;All files (*)")
        return Path(name) if name else None

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


class SummaryPage(_Page):
    skippable = False

    def __init__(self, assistant):
        super().__init__(assistant, "What is on and off",
                         "Everything here can be changed later in the Admin workspace, where this assistant can "
                         "also be opened again.")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAccessibleName("What is on and off")
        self.layout_.addWidget(self.summary)
        self.layout_.addWidget(self.problem)
        self.layout_.addStretch(1)
        self.lines: list[tuple[bool, str]] = []

    def initializePage(self) -> None:  # noqa: N802
        super().initializePage()
        self.lines = self.assistant.presenter.summary()
        self.summary.setText("".join(f"<p>{'✔' if on else '✘'} {text}</p>" for on, text in self.lines))


class SetupAssistant(QWizard):
    SKIP_BUTTON = SKIP

    def __init__(self, app: App, parent=None):
        super().__init__(parent)
        self.app = app
        self.presenter = AdminPresenter(app)
        self.background = Background(self)
        self.background.busy_changed.connect(self._show_busy)
        self.setWindowTitle("Set up RWS Photo Check")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(SKIP, "S&kip this step")
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Create and sign in")
        self.button(SKIP).setToolTip("Nothing on this page is saved; you can do it later from the Admin workspace")
        self.customButtonClicked.connect(self._custom)
        self.first_admin = FirstAdminPage(self)
        self.dpia = DpiaPage(self)
        self.channels = ChannelsPage(self)
        self.staff = StaffPage(self)
        self.mis = MisPage(self)
        self.summary = SummaryPage(self)
        for number, page in zip((FIRST_ADMIN, DPIA, CHANNELS, STAFF, MIS, SUMMARY),
                                (self.first_admin, self.dpia, self.channels, self.staff, self.mis, self.summary)):
            self.setPage(number, page)
        self.setStartId(FIRST_ADMIN if not app.sign_ins.has_accounts() else DPIA)
        self.currentIdChanged.connect(self._page_changed)
        self.resize(820, 600)
        self._page_changed(self.startId())

    @property
    def busy(self) -> bool:
        return self.background.busy

    def run(self, work: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[Exception], None]) -> None:
        self.background.run(work, done, failed)

    def skip(self) -> None:
        page = self.currentPage()
        if isinstance(page, _Page) and page.skippable:
            page.skipped = True
            self.next()

    def _custom(self, which: int) -> None:
        if which == SKIP.value or which == SKIP:
            self.skip()

    def _page_changed(self, _id: int) -> None:
        page = self.currentPage() or self.page(self.startId())
        self.button(SKIP).setVisible(isinstance(page, _Page) and page.skippable)

    def _show_busy(self, busy: bool) -> None:
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton,
                      QWizard.WizardButton.FinishButton, SKIP):
            self.button(which).setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def reject(self) -> None:
        if self.busy:
            return  # a step is being saved; closing now would hide whether it was
        super().reject()
