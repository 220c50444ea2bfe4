"""Signing in when the window opens: the setup assistant on the very first start (it creates the first
admin), then everyone's sign-in, and choosing one's own password when the one given was temporary."""
from __future__ import annotations

from ..app import App
from ..core.kernel.account_rules import AccountError
from ..core.accounts.passwords import MIN_PASSWORD_LENGTH
from .form_dialog import FormDialog


class SignInDialog(FormDialog):
    def __init__(self, app: App, parent=None):
        super().__init__("Sign in to RWS Photo Check", "", "Sign in", parent=parent, min_width=420)
        self.app = app
        self.initials = self.field("Your initials:")
        self.password = self.field("Password:", secret=True)

    def check(self) -> None:
        try:
            self.app.sign_in(self.initials.text(), self.password.text())
        finally:
            self.password.clear()


class ChangePasswordDialog(FormDialog):
    def __init__(self, app: App, parent=None):
        super().__init__(
            "Choose your own password",
            "The password you were given was temporary. Choose your own before going on.", "Change password",
            parent=parent, min_width=420)
        self.app = app
        self.password = self.field(f"New password (at least {MIN_PASSWORD_LENGTH} characters):", secret=True)
        self.again = self.field("The same again:", secret=True)

    def check(self) -> None:
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
