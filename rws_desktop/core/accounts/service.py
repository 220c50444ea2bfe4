"""Local accounts: the first admin, signing in (with lockout), and what admins do to accounts.

Audit entries name accounts by initials only and never hold a password or a hash. A wrong
password and unknown initials get the same answer in the same time, so neither reveals which
initials have accounts. Five wrong passwords in a row lock the account for 15 minutes.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from ..kernel.access_ports import Account
from ..kernel.account_rules import AccountError, check_account_name, looks_like_initials, normalise_initials
from ..kernel.audit_entries import audit_entry
from ..kernel.clock import utc_timestamp
from ..kernel.channels import ChannelCatalogue
from .passwords import PasswordHashing, PasswordRuleError, check_new_password
from ..kernel.permissions import Action, Role, requires
from ..kernel.ports import Store
from ..kernel.session import Session

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
NO_MATCH = ("Those initials and that password do not match an account. Check them and try again "
            f"(after {MAX_FAILED_SIGN_INS} wrong passwords an account is locked for {LOCKOUT.seconds // 60} minutes).")


Clock = Callable[[], datetime]


class SignInFailed(AccountError):
    pass


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _entry(kind: str, user: str, **details: Any) -> dict[str, Any]:
    return audit_entry(kind, user, **details)


def _checked_password(password: str, initials: str) -> str:
    try:
        check_new_password(password, initials)
    except PasswordRuleError as error:
        raise AccountError(str(error)) from None
    return password


def _roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    try:
        chosen = frozenset(Role(role) for role in roles)
    except ValueError:
        raise AccountError(f"Roles are {', '.join(r.value for r in Role)}.") from None
    if not chosen:
        raise AccountError(f"An account needs at least one role: {', '.join(r.value for r in Role)}.")
    return chosen


def _role_values(roles: Iterable[Role]) -> list[str]:
    return [role.value for role in Role if role in roles]


class SignInService:
    """What happens before anyone is signed in: the first admin, and signing in."""

    def __init__(self, store: Store, channels: ChannelCatalogue, hashing: PasswordHashing, clock: Clock = utc_now):
        self.store = store
        self.channels = channels
        self.hashing = hashing
        self.clock = clock

    def has_accounts(self) -> bool:
        with self.store.transaction() as tx:
            return tx.accounts.count_accounts() > 0

    def create_first_admin(self, initials: str, name: str, password: str) -> Account:
        """The first account, with the admin role; refused once any account exists."""
        initials, name = normalise_initials(initials), check_account_name(name)
        account = Account(initials, name, frozenset({Role.ADMIN}), self.hashing.hash(_checked_password(password, initials)))
        with self.store.transaction() as tx:
            if tx.accounts.count_accounts():
                tx.audit.append(_entry("action_refused", initials, action="create_first_admin",
                                       reason="accounts already exist"))
                refused = True
            else:
                tx.accounts.add_account(account)
                tx.audit.append(_entry("account_added", initials, account=initials, roles=["admin"], first_admin=True))
                refused = False
        if refused:
            raise AccountError("The first admin already exists. An admin adds accounts with: rws user add INITIALS --name NAME --role ROLE")
        return account

    def sign_in(self, initials: str, password: str) -> Session:
        typed = initials.strip().upper()
        valid = looks_like_initials(typed)
        now = self.clock()
        attempt = 0
        with self.store.transaction() as tx:
            # The row is locked (BEGIN IMMEDIATE on SQLite, FOR UPDATE on PostgreSQL) while this attempt is
            # counted, before the password is checked: of many attempts sent at once, only the first
            # MAX_FAILED_SIGN_INS are checked, the one reaching the limit locks the account, and the rest are
            # refused unchecked (they used to be checked all at once, the right one signing in).
            account = tx.accounts.get_account(typed, lock=True) if valid else None
            if account is not None and not account.locked_at(now):
                attempt = account.failed_sign_ins + 1
                tx.accounts.update_account(replace(
                    account, failed_sign_ins=attempt,
                    locked_until=now + LOCKOUT if attempt >= MAX_FAILED_SIGN_INS else account.locked_until))
        if account is None:
            self.hashing.verify_nothing(password)
            # Only text shaped like initials is logged: a password typed into the wrong box must not be.
            self._record(_entry("sign_in_failed", typed if valid else "", reason="unknown initials"))
            raise SignInFailed(NO_MATCH)
        if account.locked_at(now):
            self._record(_entry("sign_in_failed", typed, reason="account locked"))
            raise SignInFailed(self._locked_message(account))
        right = self.hashing.verify(account.password_hash, password)
        with self.store.transaction() as tx:
            current = tx.accounts.get_account(typed, lock=True)
            if right and not current.locked:
                rehash = self.hashing.needs_rehash(current.password_hash)
                new_hash = self.hashing.hash(password) if rehash else current.password_hash
                current = replace(current, password_hash=new_hash, failed_sign_ins=0, locked_until=None)
                tx.accounts.update_account(current)
                tx.audit.append(_entry("signed_in", typed, rehashed=rehash, must_change_password=current.must_change_password))
            elif right:  # an admin locked the account while the password was being checked
                tx.audit.append(_entry("sign_in_failed", typed, reason="account locked"))
            else:
                locks = attempt >= MAX_FAILED_SIGN_INS  # this attempt was counted, and set the lock, above
                if locks:
                    current = replace(current, failed_sign_ins=0)
                    tx.accounts.update_account(current)
                tx.audit.append(_entry("sign_in_failed", typed, reason="wrong password", failures_in_a_row=attempt))
                if locks:
                    tx.audit.append(_entry("account_locked", typed, account=typed, reason="too many wrong passwords",
                                           until=utc_timestamp(current.locked_until)))
        if not right or current.locked:
            raise SignInFailed(self._locked_message(current) if current.locked_at(now) else NO_MATCH)
        return Session.for_account(current, self.store, self.channels)

    def _record(self, entry: dict) -> None:
        with self.store.transaction() as tx:
            tx.audit.append(entry)

    @staticmethod
    def _locked_message(account: Account) -> str:
        if account.locked:
            return f"The account {account.initials} is locked. Ask an admin to unlock it."
        until = account.locked_until.astimezone().strftime("%H:%M")
        return (f"Too many wrong passwords: the account {account.initials} is locked until {until}. "
                "Try again then, or ask an admin to unlock it.")


class AccountAdminService:
    """What admins do to accounts, and changing one's own password."""

    def __init__(self, store: Store, hashing: PasswordHashing, session: Session):
        self.store = store
        self.hashing = hashing
        self.session = session

    @requires(Action.MANAGE_ACCOUNTS)
    def accounts(self) -> list[Account]:
        with self.store.transaction() as tx:
            return tx.accounts.list_accounts()

    @requires(Action.MANAGE_ACCOUNTS)
    def add_account(self, initials: str, name: str, roles: Iterable[Role | str], password: str) -> Account:
        """A new account whose first password must be changed at its first sign-in."""
        initials, name, roles = normalise_initials(initials), check_account_name(name), _roles(roles)
        account = Account(initials, name, roles, self.hashing.hash(_checked_password(password, initials)),
                          must_change_password=True)
        with self.store.transaction() as tx:
            if tx.accounts.get_account(initials) is not None:
                raise AccountError(f"There is already an account {initials}.")
            tx.accounts.add_account(account)
            tx.audit.append(_entry("account_added", self.session.initials, account=initials, roles=_role_values(roles)))
        return account

    @requires(Action.MANAGE_ACCOUNTS)
    def set_roles(self, initials: str, roles: Iterable[Role | str]) -> Account:
        roles = _roles(roles)
        with self.store.transaction() as tx:
            account = self._existing(tx, initials)
            if Role.ADMIN in account.roles and Role.ADMIN not in roles:
                self._keep_an_admin(tx, account, "take the admin role from")
            updated = replace(account, roles=roles)
            tx.accounts.update_account(updated)
            tx.audit.append(_entry("account_roles_changed", self.session.initials, account=account.initials,
                                   before=_role_values(account.roles), after=_role_values(roles)))
        return updated

    @requires(Action.MANAGE_ACCOUNTS)
    def lock(self, initials: str) -> Account:
        """Stop an account signing in or doing anything (someone leaving, say) until an admin unlocks it."""
        with self.store.transaction() as tx:
            account = self._existing(tx, initials)
            if Role.ADMIN in account.roles:
                self._keep_an_admin(tx, account, "lock")
            updated = replace(account, locked=True)
            tx.accounts.update_account(updated)
            tx.audit.append(_entry("account_locked", self.session.initials, account=account.initials, reason="locked by an admin"))
        return updated

    @requires(Action.MANAGE_ACCOUNTS)
    def unlock(self, initials: str) -> Account:
        """Lift an admin's lock or a lockout after wrong passwords."""
        with self.store.transaction() as tx:
            account = self._existing(tx, initials)
            updated = replace(account, locked=False, locked_until=None, failed_sign_ins=0)
            tx.accounts.update_account(updated)
            tx.audit.append(_entry("account_unlocked", self.session.initials, account=account.initials))
        return updated

    @requires(Action.MANAGE_ACCOUNTS)
    def reset_password(self, initials: str, password: str) -> Account:
        """Give someone a temporary password, to be changed at their next sign-in."""
        with self.store.transaction() as tx:
            account = self._existing(tx, initials)
        new_hash = self.hashing.hash(_checked_password(password, account.initials))
        with self.store.transaction() as tx:
            account = self._existing(tx, initials)
            updated = replace(account, password_hash=new_hash, must_change_password=True)
            tx.accounts.update_account(updated)
            tx.audit.append(_entry("password_reset", self.session.initials, account=account.initials))
        return updated

    @requires(Action.CHANGE_OWN_PASSWORD)
    def change_own_password(self, new_password: str, current_password: str | None = None) -> None:
        """`current_password`, when given (a change the person chose, not one forced at sign-in), must be right:
        someone at a PC left signed in cannot take the account over."""
        initials = self.session.initials
        with self.store.transaction() as tx:
            account = self._existing(tx, initials)
        if current_password is not None and not self.hashing.verify(account.password_hash, current_password):
            with self.store.transaction() as tx:
                tx.audit.append(_entry("action_refused", initials, action="change_own_password",
                                       reason="current password wrong"))
            raise AccountError("That is not your current password; your password is unchanged.")
        if self.hashing.verify(account.password_hash, new_password):
            raise AccountError("Choose a password different from the one you have now.")
        new_hash = self.hashing.hash(_checked_password(new_password, initials))
        with self.store.transaction() as tx:
            account = self._existing(tx, initials)
            tx.accounts.update_account(replace(account, password_hash=new_hash, must_change_password=False))
            tx.audit.append(_entry("password_changed", initials, account=initials))
        self.session.refresh()

    def _existing(self, tx, initials: str) -> Account:
        initials = normalise_initials(initials)
        account = tx.accounts.get_account(initials, lock=True)
        if account is None:
            raise AccountError(f"There is no account {initials}. See them all with: rws user list")
        return account

    @staticmethod
    def _keep_an_admin(tx, account: Account, what: str) -> None:
        others = [a for a in tx.accounts.list_accounts()
                  if a.initials != account.initials and Role.ADMIN in a.roles and not a.locked]
        if not others:
            raise AccountError(f"Cannot {what} {account.initials}: they are the only admin able to sign in, "
                               "and nobody could manage accounts afterwards. Give another account the admin role first.")
