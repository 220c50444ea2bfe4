"""The window mirrors the core's permissions: what the signed-in person may not do is disabled,
with the reason as a tip. The core still checks every request itself."""
from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from ..core.kernel.permissions import Action
from ..core.kernel.session import Session

# Workspaces other than Vet photos, by tab title, and what opening them needs.
WORKSPACE_NEEDS = {"Consent register": Action.READ_REGISTER, "Audit log": Action.READ_AUDIT}
NO_CHANNEL = ("You may not vet photos for any channel: that needs the comms role and being one of a channel's admins "
              "(or the admin role). Ask an admin if your job needs it.")


def mirror_permissions(window) -> None:
    session: Session = window.app.signed_in()
    tabs: QTabWidget = window.tabs
    if not window.vetting.usable_channels():
        _disable(tabs, tabs.indexOf(window.vetting), NO_CHANNEL)
        for action in (window.open_action, window.export_action, window.undo_action):
            action.setEnabled(False)
        window.setAcceptDrops(False)
    for index in range(tabs.count()):
        needed = WORKSPACE_NEEDS.get(tabs.tabText(index))
        if needed is not None:
            reason = session.refusal(needed)
            if reason:
                _disable(tabs, index, reason)
    if not tabs.isTabEnabled(tabs.currentIndex()):
        enabled = [i for i in range(tabs.count()) if tabs.isTabEnabled(i)]
        if enabled:
            tabs.setCurrentIndex(enabled[0])
        else:  # nothing this account may use: say why where it stays in view, not only in a tooltip
            tabs.setCurrentIndex(0)
            window.statusBar().showMessage(tabs.tabToolTip(0))


def _disable(tabs: QTabWidget, index: int, reason: str) -> None:
    tabs.setTabEnabled(index, False)
    tabs.setTabToolTip(index, reason)
