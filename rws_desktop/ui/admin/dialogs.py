"""Small dialogs: a new account, an account's roles, a key passphrase, and changing one's own password.

Each checks what it can before closing and keeps a problem on screen in red; the work itself is
done by the caller (off the UI thread where it is slow)."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from ...app import App
from ...core.accounts.passwords import MIN_PASSWORD_LENGTH
from ...core.kernel.account_rules import AccountError
from ...core.kernel.permissions import Role
from ..form_dialog import FormDialog
from .forms import AccountForm, RoleChoice
from .reference_key import MIN_PASSPHRASE


class NewAccountDialog(FormDialog):
    def __init__(self, parent=None):
        self.form = AccountForm()
        super().__init__("Add an account",
                         "A temporary password is made up for the new account; give it to the person, who chooses "
                         "their own at their first sign-in.", "Add account", self.form, parent)

    def check(self) -> None:
        if not self.form.initials.text().strip() or not self.form.name.text().strip():
            raise AccountError("Give the person's initials and full name.")
        if not self.form.roles.roles():
            raise AccountError("Tick at least one role.")


class RolesDialog(FormDialog):
    def __init__(self, initials: str, roles: frozenset[Role], parent=None):
        self.choice = RoleChoice(roles)
        super().__init__(f"Roles of {initials}", "Tick every role this person's job needs.", "Save roles", self.choice,
                         parent)

    def check(self) -> None:
        if not self.choice.roles():
            raise AccountError("An account needs at least one role; lock it instead if the person should not sign in.")


def _secret(accessible: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(accessible)
    return edit


class PassphraseDialog(FormDialog):
    """A passphrase for the key file: typed twice when exporting, once when importing."""

    def __init__(self, exporting: bool, parent=None):
        body = QWidget()
        form = QFormLayout(body)
        form.setContentsMargins(0, 0, 0, 0)
        self.passphrase = _secret("Passphrase")
        form.addRow(f"&Passphrase (at least {MIN_PASSPHRASE} characters):" if exporting else "&Passphrase:",
                    self.passphrase)
        self.again = _secret("The same passphrase again") if exporting else None
        if self.again is not None:
            form.addRow("The same &again:", self.again)
        intro = ("The key file is locked with this passphrase. Tell it to whoever imports the key on the other PC "
                 "in person or by phone, not in the same email or on the same USB stick." if exporting else
                 "Type the passphrase chosen when the key was exported.")
        super().__init__("Passphrase for the key file", intro, "Export" if exporting else "Import", body, parent)

    def check(self) -> None:
        if self.again is not None:
            if len(self.passphrase.text()) < MIN_PASSPHRASE:
                raise AccountError(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters.")
            if self.passphrase.text() != self.again.text():
                raise AccountError("The two passphrases are not the same.")
        elif not self.passphrase.text():
            raise AccountError("Type the passphrase.")


class ChangeMyPasswordDialog(FormDialog):
    """File > Change my password: the current password, then the new one twice."""

    def __init__(self, app: App, parent=None):
        body = QWidget()
        form = QFormLayout(body)
        form.setContentsMargins(0, 0, 0, 0)
        self.app = app
        self.current = _secret("Current password")
        self.password = _secret("New password")
        self.again = _secret("The same new password again")
        form.addRow("&Current password:", self.current)
        form.addRow(f"&New password (at least {MIN_PASSWORD_LENGTH} characters):", self.password)
        form.addRow("The same &again:", self.again)
        super().__init__(f"Change the password of {app.user}", "", "Change password", body, parent)

    def check(self) -> None:
        if self.password.text() != self.again.text():
            raise AccountError("The two new passwords are not the same.")
        try:
            self.app.accounts.change_own_password(self.password.text(), current_password=self.current.text())
        finally:
            self.current.clear()
