"""The signed-in person, and the check every service makes before it acts.

Each check reads the account afresh, so an admin's lock or role change counts at once, even
for someone already signed in. A refusal is written to the audit log before it is raised.
"""
from __future__ import annotations

from .access_ports import Account
from .audit_entries import audit_entry
from .channel_admins import effective_admins
from .channels import ChannelCatalogue
from .permissions import Action, NotAllowed, Role, refusal
from .ports import Store

HOUSEKEEPING = "system"  # not valid initials, so never an account: it may do only what needs no role


class Session:
    def __init__(self, initials: str, name: str, roles: frozenset[Role], store: Store, channels: ChannelCatalogue,
                 must_change_password: bool = False):
        self.initials = initials
        self.name = name
        self.roles = frozenset(roles)  # as at sign-in, for showing; checks read the account afresh
        self.must_change_password = must_change_password
        self._store = store
        self._channels = channels

    @classmethod
    def for_account(cls, account: Account, store: Store, channels: ChannelCatalogue) -> "Session":
        return cls(account.initials, account.name, account.roles, store, channels, account.must_change_password)

    @classmethod
    def housekeeping(cls, store: Store, channels: ChannelCatalogue) -> "Session":
        """For the app's own duties at start (deleting biometric data no longer allowed), which need no role."""
        return cls(HOUSEKEEPING, "the app itself", frozenset(), store, channels)

    def refusal(self, action: Action, channel_key: str | None = None) -> str | None:
        """Why this person may not do `action` now, or None when they may. Records nothing."""
        channel = self._channels.get(channel_key) if channel_key is not None else None
        with self._store.transaction() as tx:
            account = tx.accounts.get_account(self.initials)
            admins = effective_admins(tx, channel) if channel is not None else ()
        return refusal(account.standing() if account else None, action, channel, admins)

    def may(self, action: Action, channel_key: str | None = None) -> bool:
        return self.refusal(action, channel_key) is None

    def require(self, action: Action, channel_key: str | None = None) -> None:
        """Return quietly when allowed; otherwise record the refusal and raise NotAllowed saying why."""
        reason = self.refusal(action, channel_key)
        if reason is None:
            return
        entry = audit_entry("action_refused", self.initials, action=action.value, reason=reason)
        if channel_key is not None:
            entry["channel"] = channel_key
        with self._store.transaction() as tx:
            tx.audit.append(entry)
        raise NotAllowed(reason)

    def refresh(self) -> None:
        """Re-read the account (after a password change, say) for what the window shows."""
        with self._store.transaction() as tx:
            account = tx.accounts.get_account(self.initials)
        if account is not None:
            self.name, self.roles, self.must_change_password = account.name, account.roles, account.must_change_password

    def describe(self) -> str:
        roles = ", ".join(role.value for role in Role if role in self.roles) or "no roles"
        return f"{self.initials} ({self.name}; {roles})"

    def __repr__(self) -> str:
        return f"Session({self.initials!r})"
