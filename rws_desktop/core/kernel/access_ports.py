"""What the core keeps about accounts, channel admin lists and the DPIA, and the ports to store them.

Like `core.ports`, these are implemented by the storage package and used inside one
`Store.transaction()`, as `tx.accounts` and `tx.dpia`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from .permissions import Role, Standing


@dataclass(frozen=True)
class Account:
    initials: str  # as the policy writes them: MSN, LG
    name: str
    roles: frozenset[Role]
    password_hash: str = field(repr=False)
    must_change_password: bool = False
    locked: bool = False  # by an admin, until an admin unlocks it
    locked_until: datetime | None = None  # after too many wrong passwords (UTC)
    failed_sign_ins: int = 0  # wrong passwords since the last sign-in or lockout

    def standing(self) -> Standing:
        return Standing(self.initials, self.roles, self.locked, self.must_change_password)

    def locked_at(self, now: datetime) -> bool:
        return self.locked or (self.locked_until is not None and now < self.locked_until)


@dataclass(frozen=True)
class ChannelAdmins:
    """A channel's admin list as an admin set it, replacing the policy's list in channels.toml."""

    channel: str
    initials: tuple[str, ...]
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True)
class DpiaRecord:
    reference: str
    assessed_on: date
    dpo_name: str  # the data protection officer who signed it off
    recorded_by: str
    recorded_at: datetime


class AccountRepository(Protocol):
    def count_accounts(self) -> int: ...
    def get_account(self, initials: str, lock: bool = False) -> Account | None:
        """`lock` holds the row until the transaction ends, so two sign-ins count failures one after the other."""

    def list_accounts(self) -> list[Account]: ...
    def add_account(self, account: Account) -> None: ...
    def update_account(self, account: Account) -> None:
        """Overwrite every field of the account with these initials."""

    def channel_admins(self, channel: str) -> ChannelAdmins | None: ...
    def all_channel_admins(self) -> dict[str, ChannelAdmins]: ...
    def put_channel_admins(self, admins: ChannelAdmins) -> None: ...


class DpiaRepository(Protocol):
    def current(self) -> DpiaRecord | None:
        """The latest DPIA recorded, or None when none has been."""

    def add(self, record: DpiaRecord) -> None: ...
