"""The first-run setup assistant: from an empty database to a school ready for its first day.

Pages: the first admin (only while there is no account), the DPIA, each channel's admin list
(prefilled from the policy), staff accounts, the MIS import, and what is on and off. Every page
but the first admin's can be skipped, and the assistant can be reopened from the Admin workspace.
Every step goes through the same core services as the command line, so each is audited; slow
steps (password hashing, the import) run off the UI thread.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QScrollArea, QWizard

from ...app import App
from ...core.accounts.passwords import MIN_PASSWORD_LENGTH
from ...core.kernel.account_rules import AccountError
from ...core.kernel.permissions import Role
from .background import Background
from .forms import ChannelAdminsForm, DpiaForm, RoleChoice
from .presenter import AdminPresenter
from .setup_page import AssistantPage
from .setup_people import MisPage, StaffPage

FIRST_ADMIN, DPIA, CHANNELS, STAFF, MIS, SUMMARY = range(6)
SKIP = QWizard.WizardButton.CustomButton1
# The pages: the first admin, the DPIA, channel admins and the summary here; staff and the MIS import in
# setup_people.py; the base every page shares (Next does its work off the UI thread) in setup_page.py.


class FirstAdminPage(AssistantPage):
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


class DpiaPage(AssistantPage):
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


class ChannelsPage(AssistantPage):
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


class SummaryPage(AssistantPage):
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

    def __init__(self, app: App, parent=None, settings=None):
        """`settings`: the machine's (or the window's) settings, where the pickers remember their folders per
        account; QSettings() when none is given."""
        super().__init__(parent)
        self.app = app
        self.machine_settings = settings
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
        if isinstance(page, AssistantPage) and page.skippable:
            page.skipped = True
            self.next()

    def _custom(self, which: int) -> None:
        if which == SKIP.value or which == SKIP:
            self.skip()

    def _page_changed(self, _id: int) -> None:
        page = self.currentPage() or self.page(self.startId())
        self.button(SKIP).setVisible(isinstance(page, AssistantPage) and page.skippable)

    def _show_busy(self, busy: bool) -> None:
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton,
                      QWizard.WizardButton.FinishButton, SKIP):
            self.button(which).setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def reject(self) -> None:
        if self.busy:
            return  # a step is being saved; closing now would hide whether it was
        super().reject()
