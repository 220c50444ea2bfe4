"""Fixtures for the register services: a real, migrated SQLite store and the school's channels."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from rws_desktop.core.kernel.channels import ChannelCatalogue
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.core.register.service import RegisterService
from rws_desktop.core.kernel.session import Session
from rws_desktop.paths import channels_file
from rws_desktop.storage import Database, open_database
from sessions import signed_in, with_test_key


@pytest.fixture
def store(tmp_path) -> Iterator[Database]:
    database = with_test_key(open_database(f"sqlite:///{tmp_path / 'rws.sqlite3'}"))
    database.migrate()
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

