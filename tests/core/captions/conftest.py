"""A caption checker for Instagram over the register the tests write, written once per module: checking a
caption only reads the register."""
from __future__ import annotations

import pytest

from post_register import CHANNEL, TODAY, post_service, write_register
from rws_desktop.storage import open_database
from sessions import with_test_key


@pytest.fixture(scope="module")
def register_store(tmp_path_factory, channels):
    database = with_test_key(open_database(f"sqlite:///{tmp_path_factory.mktemp('captions') / 'rws.sqlite3'}"))
    database.migrate()
    ids = write_register(database, channels)
    yield database, ids
    database.close()


@pytest.fixture(scope="module")
def ids(register_store) -> dict[str, int]:
    return register_store[1]


@pytest.fixture(scope="module")
def checker(register_store, channels):
    return post_service(register_store[0], channels).checker(CHANNEL, TODAY)


@pytest.fixture
def other_channel(register_store, channels):
    return lambda key: post_service(register_store[0], channels).checker(key, TODAY)


@pytest.fixture
def check(checker):
    """Findings of one kind (or all) for a caption, as (text, verdict, person ids)."""
    def run(caption: str, kind: str | None = None, confirmations=()):
        report = checker.check(caption, confirmations)
        return [(f.text, f.verdict.value, set(f.person_ids)) for f in report.findings if kind is None or f.kind.value == kind]
    return run
