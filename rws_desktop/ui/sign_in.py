"""Signing in when the window opens: the setup assistant on the very first start (it creates the first
admin), then everyone's sign-in, and choosing one's own password when the one given was temporary."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from ..app import App
from ..core.kernel.account_rules import AccountError
from ..core.accounts.passwords import MIN_PASSWORD_LENGTH


class _FormDialog(QDialog):
    """Fields in a form, a line for what went wrong, and OK/Cancel; `submit` does the work."""

    def __init__(self, title: str, intro: str, ok_text: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.form = QFormLayout()
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def field(self, label: str, secret: bool = False) -> QLineEdit:
        edit = QLineEdit()
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(label, edit)
        return edit

    def accept(self) -> None:
        try:
            self.submit()
        except AccountError as exc:
            self.problem.setText(str(exc))
            self.adjustSize()  # grow to the wrapped message instead of squashing the fields under it
            return
        super().accept()

    def submit(self) -> None:
        raise NotImplementedError


class SignInDialog(_FormDialog):
    def __init__(self, app: App, parent=None):
        super().__init__("Sign in to RWS Photo Check", "", "Sign in", parent)
        self.app = app
        self.initials = self.field("Your initials:")
        self.password = self.field("Password:", secret=True)

    def submit(self) -> None:
        try:
            self.app.sign_in(self.initials.text(), self.password.text())
        finally:
            self.password.clear()


class ChangePasswordDialog(_FormDialog):
    def __init__(self, app: App, parent=None):
        super().__init__(
            "Choose your own password",
            "The password you were given was temporary. Choose your own before going on.", "Change password", parent)
        self.app = app
        self.password = self.field(f"New password (at least {MIN_PASSWORD_LENGTH} characters):", secret=True)
        self.again = self.field("The same again:", secret=True)

    def submit(self) -> None:
        if self.password.text() != self.again.text():
            raise AccountError("The two passwords are not the same.")
        self.app.accounts.change_own_password(self.password.text())


def sign_in_at_start(app: App, parent=None) -> bool:
    """True once someone is signed in with a password of their own; False if they gave up.
    On an empty database the setup assistant runs instead: its first page creates the first admin."""
    if not app.sign_ins.has_accounts():
        from .admin.setup_assistant import SetupAssistant

        SetupAssistant(app, parent).exec()
        return app.session is not None
    if not SignInDialog(app, parent).exec():
        return False
    if app.signed_in().must_change_password:
        return bool(ChangePasswordDialog(app, parent).exec())
    return True
