"""Fixtures for the domain's services: an in-memory store (no SQLite, no migrations; see
tests/memory_store.py, held to the SQLite store's behaviour by tests/storage/test_store_contract.py),
a real migrated SQLite store for the tests that need one, and the school's channels."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from rws_desktop.core.kernel.channels import ChannelCatalogue
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.core.register.service import RegisterService
from rws_desktop.core.kernel.session import Session
from rws_desktop.paths import channels_file
from rws_desktop.storage import Database
from memory_store import MemoryStore
from rws_desktop.core.kernel.audit_seal import LogKey, log_key_id
from sessions import migrated_database, signed_in


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore(LogKey(LogKey.new_secret(), log_key_id("testkey")))


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Database]:
    """The real database, for tests of what only it does (sealed rows, encrypted faces, several connections)."""
    database = migrated_database(tmp_path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def channels() -> ChannelCatalogue:
    return ChannelCatalogue.from_toml(channels_file())


@pytest.fixture
def office(store, channels) -> Session:
    """OFF, signed in with the office role only."""
    return signed_in(store, channels, "OFF", Role.OFFICE)


@pytest.fixture
def register(store, channels, office) -> RegisterService:
    return RegisterService(store, channels, office)

