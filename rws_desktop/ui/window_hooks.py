"""What the main window gains for issue 14, kept out of main_window.py so its hooks stay a few lines:
the Admin tab (admin role only), File > Sign out / Switch user and Change my password, Help > User guide."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from ..core.kernel.permissions import Action
from .admin.dialogs import ChangeMyPasswordDialog
from .admin.setup_assistant import SetupAssistant
from .admin.workspace import AdminWorkspace
from .help.guide import show_guide, topic_for

ADMIN_TAB = "Admin"


def add_admin_tab(window) -> AdminWorkspace | None:
    """The Admin workspace as the last tab, for those with the admin role only (others do not see it)."""
    if not window.app.signed_in().may(Action.MANAGE_ACCOUNTS):
        return None
    workspace = AdminWorkspace(window.app, window, window.settings)
    window.tabs.addTab(workspace, ADMIN_TAB)
    workspace.message.connect(window.statusBar().showMessage)
    workspace.setup_requested.connect(lambda: open_setup_assistant(window, workspace))
    return workspace


def open_setup_assistant(window, workspace: AdminWorkspace) -> None:
    SetupAssistant(window.app, window, settings=window.settings).exec()
    workspace.refresh()


def add_account_actions(window, file_menu: QMenu, before: QAction) -> tuple[QAction, QAction]:
    """File > Change my password… and Sign out / Switch user…, placed before `before` (Quit)."""
    change = window_action(window, "Change &my password…", None, lambda: change_my_password(window))
    sign_out_action = window_action(window, "Sign &out / Switch user…", "Ctrl+Shift+L", lambda: sign_out(window))
    file_menu.insertActions(before, [change, sign_out_action])
    file_menu.insertSeparator(before)
    return change, sign_out_action


def add_help_actions(window, help_menu: QMenu) -> QAction:
    """Help > User guide (F1), opening at the page for the signed-in person's job."""
    guide = window_action(window, "&User guide", QKeySequence.StandardKey.HelpContents,
                    lambda: show_guide(topic_for(window.app.signed_in().roles), window))
    first = help_menu.actions()[0] if help_menu.actions() else None
    help_menu.insertAction(first, guide)
    return guide


def change_my_password(window) -> bool:
    dialog = ChangeMyPasswordDialog(window.app, window)
    if not dialog.exec():
        return False
    window.statusBar().showMessage("Your password is changed.")
    return True


def sign_out(window) -> bool:
    """Close the window (asking first if work is unsaved) and forget who was signed in; the app then asks
    who signs in next. False when the person chose to stay."""
    window.signed_out = True
    if not window.close():
        window.signed_out = False
        return False
    window.app.sign_out()
    return True


def window_action(window: QMainWindow, text: str, shortcut, slot) -> QAction:
    """A menu action that also works by its shortcut anywhere in the window."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(slot)
    window.addAction(action)
    return action
