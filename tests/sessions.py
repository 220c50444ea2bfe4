"""Accounts, sessions, the DPIA, the keys, and the one migrated test database, for tests that use the core directly."""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path

from rws_desktop.core.kernel.access_ports import Account, DpiaRecord
from rws_desktop.core.accounts.passwords import HashParameters, PasswordHashing
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.core.kernel.session import Session
from rws_desktop.core.kernel.audit_seal import LogKey, log_key_id
from rws_desktop.core.keys.template_cipher import TemplateCipher

TEST_PASSWORD = "a test password that is long"
# Argon2id at its cheapest: tests sign in hundreds of times (see the autouse fixture in conftest.py).
CHEAP_HASHING = HashParameters(time_cost=1, memory_cost_kib=8, parallelism=1)
DPIA_DATE = date(2026, 9, 1)


@lru_cache(maxsize=1)
def test_password_hash() -> str:
    return PasswordHashing(CHEAP_HASHING).hash(TEST_PASSWORD)


def migrated_database(folder: Path, keyed: bool = True):
    """A fresh SQLite database in `folder`, migrated to the newest schema; with the test keys unless `keyed` is False
    (as on a computer that does not hold them). The caller closes it."""
    from rws_desktop.storage import open_database

    folder.mkdir(parents=True, exist_ok=True)
    database = open_database(f"sqlite:///{folder / 'rws.sqlite3'}")
    if keyed:
        with_test_key(database)
    database.migrate()
    return database


def with_test_key(database):
    """Give a test database a fresh reference-face key and audit-log key, as App.open does from the key store."""
    database.use_template_cipher(TemplateCipher(TemplateCipher.new_key(), "testkey"))
    database.use_log_key(LogKey(LogKey.new_secret(), log_key_id("testkey")))
    return database


def signed_in(store, channels, initials: str, *roles: Role, must_change_password: bool = False) -> Session:
    """A real account with exactly these roles (created if new), signed in."""
    with store.transaction() as tx:
        account = tx.accounts.get_account(initials)
        if account is None:
            account = Account(initials, f"Test {initials}", frozenset(roles), test_password_hash(),
                              must_change_password=must_change_password)
            tx.accounts.add_account(account)
    return Session.for_account(account, store, channels)


def record_dpia(store) -> None:
    """Recognition on: a DPIA as an admin would record it."""
    with store.transaction() as tx:
        tx.dpia.add(DpiaRecord("DPIA-TEST-1", DPIA_DATE, "Test DPO", "ADM", datetime.now(timezone.utc)))
