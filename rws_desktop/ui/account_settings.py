"""Settings kept per signed-in account, not per computer login.

Several staff share a school PC under one Windows login, so the last channel, folders and filters
belong to the account: each account's keys live in their own group (``accounts/MSN/vet/last_channel``).
Only what depends on the screen (the window's size and place) stays shared by the machine.

Values are stored as plain strings or bytes: a missing value (a channel not chosen yet) removes the
key instead of writing ``@Invalid()``, and such a value written by an older version reads as absent.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings

ACCOUNTS_GROUP = "accounts"
# Shared by everyone on this computer: they depend on the screen, not the person.
MACHINE_KEYS = frozenset({"window/geometry"})
LAST_CHANNEL = "vet/last_channel"


class AccountSettings:
    """A QSettings seen through one account's group; offers the QSettings calls the workspaces make."""

    def __init__(self, settings: QSettings, initials: str):
        if not initials:
            raise ValueError("Settings are kept per account: sign in first.")
        self.machine = settings
        self.initials = initials.upper()

    def key(self, name: str) -> str:
        return name if name in MACHINE_KEYS else f"{ACCOUNTS_GROUP}/{self.initials}/{name}"

    def value(self, name: str, default: Any = None, type: Any = None) -> Any:  # noqa: A002 - QSettings' own name
        found = self.machine.value(self.key(name))
        if found is None or _invalid(found):
            return default
        if type is not None:
            try:
                return type(found)
            except (TypeError, ValueError):
                return default
        return found

    def setValue(self, name: str, value: Any) -> None:  # noqa: N802 - QSettings' own name
        if value is None or _invalid(value):
            self.machine.remove(self.key(name))
        else:
            self.machine.setValue(self.key(name), value)

    def contains(self, name: str) -> bool:
        return self.value(name) is not None

    def remove(self, name: str) -> None:
        self.machine.remove(self.key(name))

    def sync(self) -> None:
        self.machine.sync()

    # The last channel, always a plain string (or nothing)

    def last_channel(self) -> str | None:
        value = self.value(LAST_CHANNEL)
        return value if isinstance(value, str) and value else None

    def set_last_channel(self, key: str | None) -> None:
        self.setValue(LAST_CHANNEL, str(key) if key else None)


def for_account(settings: QSettings | AccountSettings, initials: str) -> AccountSettings:
    """`settings` scoped to `initials`; a scoped one is re-scoped from its machine settings."""
    machine = settings.machine if isinstance(settings, AccountSettings) else settings
    return AccountSettings(machine, initials)


def _invalid(value: Any) -> bool:
    """An @Invalid() written by an older version reads back as an empty or invalid value."""
    return isinstance(value, str) and value.strip() == "@Invalid()"


def account_settings(settings: QSettings | AccountSettings | None, app) -> QSettings | AccountSettings:
    """`settings` for the signed-in account of `app`: scoped to it when someone is signed in, the machine's own
    (QSettings() when none is given) before anyone is. For windows opened outside the main window, such as the
    setup assistant and the Admin workspace."""
    machine = settings if settings is not None else QSettings()
    user = getattr(app, "user", None)
    return for_account(machine, user) if user else machine
