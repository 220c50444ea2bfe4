"""Accounts: the first admin, Argon2id hashes, signing in, lockout after five wrong passwords, and what admins do."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from register_helpers import audit_entries
from rws_desktop.core.accounts.service import LOCKOUT, AccountAdminService, SignInFailed, SignInService
from rws_desktop.core.kernel.account_rules import AccountError
from rws_desktop.core.accounts.passwords import HashParameters, PasswordHashing
from rws_desktop.core.kernel.permissions import Role

START = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
HEAD_PASSWORD = "the head's own password"
TEMPORARY = "a temporary password"


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def sign_ins(store, channels, clock) -> SignInService:
    return SignInService(store, channels, PasswordHashing(), clock)


@pytest.fixture
def admin(sign_ins, store):
    """MSN, the first admin, signed in, having added NEF (comms) with a temporary password."""
    sign_ins.create_first_admin("msn", "  Test   Head ", HEAD_PASSWORD)
    session = sign_ins.sign_in("MSN", HEAD_PASSWORD)
    AccountAdminService(store, PasswordHashing(), session).add_account("NEF", "Test Sport", [Role.COMMS], TEMPORARY)
    return session


def stored_hashes(store) -> list[str]:
    with store.transaction() as tx:
        return [account.password_hash for account in tx.accounts.list_accounts()]


def test_the_first_admin_is_made_once_and_every_hash_is_argon2id(store, sign_ins, admin):
    """The first account is an admin with its name tidied; a second 'first admin' is refused and that is audited;
    every stored hash is Argon2id and no password appears in the log."""
    with store.transaction() as tx:
        first = tx.accounts.get_account("MSN")
    assert (first.name, first.roles, first.must_change_password) == ("Test Head", frozenset({Role.ADMIN}), False)
    with pytest.raises(AccountError, match="already exists"):
        sign_ins.create_first_admin("AWI", "Someone Else", "another long password")
    hashes = stored_hashes(store)
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)
    log = json.dumps(audit_entries(store))
    assert HEAD_PASSWORD not in log and TEMPORARY not in log and "$argon2" not in log
    refused = [e for e in audit_entries(store) if e["kind"] == "action_refused"]
    assert [(e["user"], e["action"]) for e in refused] == [("AWI", "create_first_admin")]


def test_signing_in_is_audited_and_wrong_answers_say_the_same_thing(store, sign_ins, admin):
    """A right password signs in; a wrong one and unknown initials give the same message; each is an entry. Text not
    shaped like initials (a password typed in the wrong box) never reaches the log."""
    session = sign_ins.sign_in(" msn ", HEAD_PASSWORD)
    assert session.initials == "MSN" and Role.ADMIN in session.roles
    with pytest.raises(SignInFailed) as wrong:
        sign_ins.sign_in("MSN", "not the password")
    with pytest.raises(SignInFailed) as unknown:
        sign_ins.sign_in("ZZZ", HEAD_PASSWORD)
    with pytest.raises(SignInFailed):
        sign_ins.sign_in("my secret passphrase", "x")
    assert str(wrong.value) == str(unknown.value)
    entries = audit_entries(store)[-4:]
    assert [(e["kind"], e["user"], e.get("reason")) for e in entries] == [
        ("signed_in", "MSN", None), ("sign_in_failed", "MSN", "wrong password"),
        ("sign_in_failed", "ZZZ", "unknown initials"), ("sign_in_failed", "", "unknown initials")]
    assert "secret" not in json.dumps(audit_entries(store))


def test_five_wrong_passwords_lock_the_account_for_15_minutes(store, sign_ins, admin, clock):
    """The fifth wrong password in a row locks NEF: even the right password is refused until 15 minutes pass;
    then it works. The lockout and every failure are audited."""
    for attempt in range(4):
        with pytest.raises(SignInFailed, match="do not match"):
            sign_ins.sign_in("NEF", f"wrong {attempt}")
    with pytest.raises(SignInFailed, match="locked until"):
        sign_ins.sign_in("NEF", "wrong 5")
    clock.now = START + LOCKOUT - timedelta(seconds=1)
    with pytest.raises(SignInFailed, match="locked until"):
        sign_ins.sign_in("NEF", TEMPORARY)
    clock.now = START + LOCKOUT
    assert sign_ins.sign_in("NEF", TEMPORARY).initials == "NEF"
    kinds = [(e["kind"], e.get("reason")) for e in audit_entries(store) if e["user"] == "NEF"]
    assert kinds == [("sign_in_failed", "wrong password")] * 5 + [
        ("account_locked", "too many wrong passwords"), ("sign_in_failed", "account locked"), ("signed_in", None)]
    locked = next(e for e in audit_entries(store) if e["kind"] == "account_locked")
    assert locked["until"] == "2026-11-24T09:15:00.000000Z"


def test_a_right_password_resets_the_count_of_wrong_ones(sign_ins, admin):
    """Four wrong, one right, then four wrong again: the account is not locked."""
    for round_ in range(2):
        for attempt in range(4):
            with pytest.raises(SignInFailed, match="do not match"):
                sign_ins.sign_in("NEF", f"wrong {round_} {attempt}")
        sign_ins.sign_in("NEF", TEMPORARY)


def test_a_hash_made_with_old_parameters_is_replaced_at_sign_in(store, channels, admin):
    """When the Argon2 parameters change, the next successful sign-in stores a new hash made with them."""
    stronger = HashParameters(time_cost=2, memory_cost_kib=16, parallelism=1)
    before = dict(zip(("MSN", "NEF"), stored_hashes(store)))
    SignInService(store, channels, PasswordHashing(stronger)).sign_in("MSN", HEAD_PASSWORD)
    after = dict(zip(("MSN", "NEF"), stored_hashes(store)))
    assert after["MSN"] != before["MSN"] and "$m=16,t=2,p=1$" in after["MSN"] and after["MSN"].startswith("$argon2id$")
    assert after["NEF"] == before["NEF"]
    assert audit_entries(store)[-1]["rehashed"] is True


def test_admins_lock_unlock_reset_and_set_roles_with_audit(store, sign_ins, admin, clock):
    """Locking stops sign-in until unlocked; a reset password must be changed; roles change; each is an entry.
    The only admin able to sign in can neither be locked nor lose the admin role."""
    accounts = AccountAdminService(store, PasswordHashing(), admin)
    accounts.lock("nef")
    with pytest.raises(SignInFailed, match="locked. Ask an admin"):
        sign_ins.sign_in("NEF", TEMPORARY)
    accounts.unlock("NEF")
    accounts.reset_password("NEF", "another temporary one")
    nef = sign_ins.sign_in("NEF", "another temporary one")
    assert nef.must_change_password
    accounts.set_roles("NEF", ["comms", "office"])
    with pytest.raises(AccountError, match="only admin"):
        accounts.lock("MSN")
    with pytest.raises(AccountError, match="only admin"):
        accounts.set_roles("MSN", ["office"])
    with pytest.raises(AccountError, match="There is already an account NEF"):
        accounts.add_account("NEF", "Again", ["comms"], "a long enough password")
    kinds = [e["kind"] for e in audit_entries(store) if e.get("account") == "NEF"]
    assert kinds == ["account_added", "account_locked", "account_unlocked", "password_reset", "account_roles_changed"]


@pytest.mark.parametrize(("initials", "name", "password", "message"), [
    ("M", "Test Person", "long enough password", "not staff initials"),
    ("MSN1", "Test Person", "long enough password", "not staff initials"),
    ("ABC", " ", "long enough password", "full name"),
    ("ABC", "Test Person", "short", "at least 10 characters"),
    ("ABC", "Test Person", "abc       ", "cannot be your initials"),
])
def test_accounts_the_app_cannot_take_are_refused_in_plain_words(store, admin, initials, name, password, message):
    """Bad initials, a blank name, a short password or one equal to the initials are refused, saying why."""
    with pytest.raises(AccountError, match=message):
        AccountAdminService(store, PasswordHashing(), admin).add_account(initials, name, ["comms"], password)


def test_changing_to_the_same_password_is_refused(store, sign_ins, admin):
    """A password change must change the password."""
    nef = sign_ins.sign_in("NEF", TEMPORARY)
    with pytest.raises(AccountError, match="different"):
        AccountAdminService(store, PasswordHashing(), nef).change_own_password(TEMPORARY)


def test_a_chosen_password_change_needs_the_current_password(store, admin):
    """Changing one's own password from the menu asks for the current one: a wrong one changes nothing and is
    logged as refused (without any password); the right one changes it."""
    service = AccountAdminService(store, PasswordHashing(), admin)
    with pytest.raises(AccountError, match="not your current password"):
        service.change_own_password("a brand new password", current_password="a wrong guess")
    refused = audit_entries(store)[-1]
    assert refused["kind"] == "action_refused" and refused["reason"] == "current password wrong"
    assert "a wrong guess" not in json.dumps(audit_entries(store))
    service.change_own_password("a brand new password", current_password=HEAD_PASSWORD)
    assert audit_entries(store)[-1]["kind"] == "password_changed"
    with store.transaction() as tx:
        assert PasswordHashing().verify(tx.accounts.get_account("MSN").password_hash, "a brand new password")


class GatedHashing(PasswordHashing):
    """Argon2 as usual, but every password check waits at a gate, so sign-ins sent at once really overlap."""

    def __init__(self):
        super().__init__()
        self.checks = 0
        self.entered = threading.Semaphore(0)
        self.gate = threading.Event()
        self._count = threading.Lock()

    def verify(self, password_hash: str, password: str) -> bool:
        with self._count:
            self.checks += 1
        self.entered.release()
        assert self.gate.wait(30), "the test never opened the gate"
        return super().verify(password_hash, password)


def test_parallel_wrong_passwords_cannot_outrun_the_lockout(store, channels, admin, clock):
    """Twenty wrong passwords for NEF sent at once from twenty threads, then the right one while they are
    still being checked: only five passwords are ever checked, the fifth locks the account, the other fifteen
    and the right one are refused unchecked, and the right one does not sign in."""
    hashing = GatedHashing()
    sign_ins = SignInService(store, channels, hashing, clock)
    outcomes: dict[str, str] = {}

    def attempt(label: str, password: str) -> None:
        try:
            sign_ins.sign_in("NEF", password)
            outcomes[label] = "signed in"
        except SignInFailed as failure:
            outcomes[label] = "locked" if "locked" in str(failure) else "wrong"

    wrong = [threading.Thread(target=attempt, args=(f"wrong {n}", f"wrong {n}")) for n in range(20)]
    for thread in wrong:
        thread.start()
    for _ in range(5):  # five attempts reach the password check...
        assert hashing.entered.acquire(timeout=30)
    deadline = time.monotonic() + 30
    while sum(o == "locked" for o in outcomes.values()) < 15 and time.monotonic() < deadline:
        time.sleep(0.05)  # ...and the other fifteen are refused without one
    right = threading.Thread(target=attempt, args=("right", TEMPORARY))
    right.start()
    right.join(30)
    hashing.gate.set()
    for thread in wrong:
        thread.join(30)
    assert hashing.checks == 5
    assert outcomes["right"] == "locked"
    assert len(outcomes) == 21 and "signed in" not in outcomes.values()
    # Whichever five were checked, they finished after the lock was set: all twenty are told it is locked.
    assert [outcomes[f"wrong {n}"] for n in range(20)] == ["locked"] * 20
    kinds = [e["kind"] for e in audit_entries(store) if e["user"] == "NEF"]
    assert kinds.count("account_locked") == 1 and "signed_in" not in kinds
