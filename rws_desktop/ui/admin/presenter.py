"""What the admin workspace and the setup assistant show and do, without Qt.

Every change goes through the same core services as the command line (AccountAdminService,
ChannelAdminService, DpiaService, the key adapter), so each is checked against the signed-in
person's roles and written to the audit log. Methods may be slow (password hashing, key sealing):
the widgets call them off the UI thread. Problems are raised as `AdminProblem` in plain words.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ...app import App
from ...core.accounts.passwords import PasswordRuleError
from ...core.accounts.service import utc_now
from ...core.kernel.access_ports import Account
from ...core.kernel.account_rules import AccountError
from ...core.kernel.channels import UnknownChannelError
from ...core.kernel.consent import format_day
from ...core.kernel.permissions import Action, NotAllowed, Role
from ...core.kernel.ports import StoreUnavailable as StorageError
from ...core.keys.status import KeyStatus
from . import reference_key

ROLE_WORDS = {
    Role.ADMIN: "admin: accounts, channel admins, the DPIA and the key; may vet for every channel",
    Role.OFFICE: "office: the consent register, reference faces and the MIS import",
    Role.COMMS: "comms: vet photos and export safe copies for their channels",
    Role.AUDITOR: "auditor: read, verify and export the audit log",
}
# Letters and digits that cannot be mistaken for one another when read aloud or written down.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class AdminProblem(Exception):
    """Something the admin asked for that was not done, and why."""


PLAIN_PROBLEMS = (AccountError, NotAllowed, PasswordRuleError, StorageError, UnknownChannelError, OSError)


def plain(error: Exception) -> str:
    """An error as the admin is told it."""
    if isinstance(error, OSError) and not isinstance(error, StorageError):
        return f"The file could not be used: {error.strerror or error}."
    return str(error)


def temporary_password() -> str:
    """Three groups of four (kq7m-p3xr-tz9a): long enough for the rules, easy to read out."""
    return "-".join("".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(3))


@dataclass(frozen=True)
class AccountRow:
    initials: str
    name: str
    roles: frozenset[Role]
    state: str
    locked: bool

    @property
    def roles_text(self) -> str:
        return ", ".join(role.value for role in Role if role in self.roles)


@dataclass(frozen=True)
class ChannelRow:
    key: str
    name: str
    admins: tuple[str, ...]
    source: str  # "as in the policy" or "set by MSN"
    accepts_photos: bool
    without_account: tuple[str, ...]  # admins named who have no account yet

    @property
    def admins_text(self) -> str:
        return ", ".join(self.admins)


@dataclass(frozen=True)
class NewAccount:
    account: Account
    temporary_password: str


def account_state(account: Account, now: datetime) -> str:
    if account.locked:
        return "locked by an admin"
    if account.locked_until and now < account.locked_until:
        return f"locked until {account.locked_until.astimezone():%H:%M} (wrong passwords)"
    return "must choose a new password" if account.must_change_password else "active"


def parse_initials_list(text: str) -> list[str]:
    """'MSN, mgl  AWI' -> ['MSN', 'MGL', 'AWI']: commas, spaces or semicolons between."""
    return [part.strip().upper() for part in text.replace(";", ",").replace(" ", ",").split(",") if part.strip()]


class AdminPresenter:
    def __init__(self, app: App):
        self.app = app

    # Who is signed in, and may they

    @property
    def may_administer(self) -> bool:
        return self.app.session is not None and self.app.signed_in().may(Action.MANAGE_ACCOUNTS)

    # Accounts

    def accounts(self) -> list[AccountRow]:
        now = utc_now()
        return [AccountRow(a.initials, a.name, a.roles, account_state(a, now), a.locked)
                for a in self.attempt(lambda: self.app.accounts.accounts())]

    def add_account(self, initials: str, name: str, roles: list[Role], password: str = "") -> NewAccount:
        """A new account with a temporary password (made up here when none is given), to change at first sign-in."""
        password = password or temporary_password()
        account = self.attempt(lambda: self.app.accounts.add_account(initials, name, roles, password))
        return NewAccount(account, password)

    def set_roles(self, initials: str, roles: list[Role]) -> Account:
        return self.attempt(lambda: self.app.accounts.set_roles(initials, roles))

    def lock(self, initials: str) -> Account:
        return self.attempt(lambda: self.app.accounts.lock(initials))

    def unlock(self, initials: str) -> Account:
        return self.attempt(lambda: self.app.accounts.unlock(initials))

    def reset_password(self, initials: str) -> str:
        """Give the account a new temporary password; returns it, to be handed to the person."""
        password = temporary_password()
        self.attempt(lambda: self.app.accounts.reset_password(initials, password))
        return password

    # Channel admin lists

    def channels(self) -> list[ChannelRow]:
        lists = self.attempt(lambda: self.app.channel_admins.lists())
        known = self._known_initials()
        return [ChannelRow(item.channel.key, item.channel.name, item.admins,
                           "as in the policy" if item.from_policy else f"set by {item.changed.changed_by}",
                           item.channel.accepts_photos, tuple(i for i in item.admins if known is not None and i not in known))
                for item in lists]

    def set_channel_admins(self, key: str, text: str) -> ChannelRow:
        self.attempt(lambda: self.app.channel_admins.set_admins(key, parse_initials_list(text)))
        return next(row for row in self.channels() if row.key == key)

    def policy_initials_without_account(self) -> list[str]:
        """Initials the channel lists name who have no account yet, in the policy's order."""
        seen: dict[str, None] = {}
        for row in self.channels():
            for initials in row.without_account:
                seen.setdefault(initials)
        return list(seen)

    # The DPIA

    def dpia_text(self) -> str:
        record = self.attempt(lambda: self.app.dpia.current())
        if record is None:
            return "No DPIA is recorded: face recognition is off, and every face is blurred unless comms staff show it by hand."
        return (f"DPIA {record.reference} of {format_day(record.assessed_on)}, signed off by {record.dpo_name}; "
                f"recorded by {record.recorded_by}. Face recognition is on.")

    def dpia_recorded(self) -> bool:
        return self.attempt(lambda: self.app.dpia.current()) is not None

    def record_dpia(self, reference: str, assessed_on: date, dpo_name: str) -> str:
        self.attempt(lambda: self.app.dpia.record(reference, assessed_on, dpo_name))
        return self.dpia_text()

    # The reference-face key

    def key_status(self) -> KeyStatus:
        return self.attempt(lambda: reference_key.status(self.app))

    def export_key(self, path: Path, passphrase: str) -> str:
        key_id = self.attempt(lambda: reference_key.export_sealed(self.app, path, passphrase))
        return (f"Key {key_id} written to {path}. Carry it to the other PC (a USB stick is fine), import it there "
                "with the same passphrase from Admin > Reference-face key, then delete the file.")

    def import_key(self, path: Path, passphrase: str) -> str:
        return self.attempt(lambda: reference_key.import_sealed(self.app, path, passphrase)).message

    # This computer

    def database_location(self) -> str:
        url = str(self.app.database.url)
        if url.startswith("sqlite:///"):
            return f"On this computer, in the file {Path(url.removeprefix('sqlite:///'))}"
        return f"A shared database server: {self.app.database.url}"

    # What is on and off

    def summary(self) -> list[tuple[bool, str]]:
        """(on, sentence) for what the school has set up so far, for the assistant's last page and the workspace."""
        lines: list[tuple[bool, str]] = []
        accounts = self.accounts()
        lines.append((True, f"{len(accounts)} account{'s' if len(accounts) != 1 else ''}: "
                            + "; ".join(f"{a.initials} ({a.roles_text})" for a in accounts)))
        for role, job in ((Role.OFFICE, "keep the consent register"), (Role.COMMS, "vet and export photos"),
                          (Role.AUDITOR, "check the audit log")):
            holders = [a.initials for a in accounts if role in a.roles and not a.locked]
            lines.append((bool(holders), f"{', '.join(holders)} can {job}." if holders else
                          f"Nobody has the {role.value} role yet, so nobody can {job}. Add it to an account."))
        if self.dpia_recorded():
            lines.append((True, "Face recognition is on: the DPIA is recorded."))
        else:
            lines.append((False, "Face recognition is off until the DPIA is recorded; until then every face is "
                                 "blurred unless comms staff show it by hand."))
        key = self.key_status()
        lines.append((key.ready, key.message))
        missing = self.policy_initials_without_account()
        if missing:
            lines.append((False, f"Channel admins named without an account yet: {', '.join(missing)}. They cannot vet "
                                 "until an admin adds their accounts."))
        live = [row.name for row in self.channels() if row.accepts_photos]
        lines.append((bool(live), f"Channels taking photos: {', '.join(live)}." if live else "No channel takes photos."))
        return lines

    # Helpers

    def _known_initials(self) -> set[str] | None:
        try:
            return {a.initials for a in self.app.accounts.accounts()}
        except NotAllowed:
            return None

    @staticmethod
    def attempt(work):
        try:
            return work()
        except PLAIN_PROBLEMS as error:
            raise AdminProblem(plain(error)) from error
