"""Fixtures: a freshly migrated database, on SQLite always and on PostgreSQL when one is given.

PostgreSQL runs need `RWS_TEST_POSTGRES_URL` (for example
postgresql://postgres@127.0.0.1:5432/rws_test). Each test gets its own schema there,
dropped afterwards, so tests never see each other's rows.
"""
from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from rws_desktop.storage import Database, open_database
from sessions import migrated_database, with_test_key

POSTGRES_URL_VARIABLE = "RWS_TEST_POSTGRES_URL"
POSTGRES_SKIP_REASON = "set RWS_TEST_POSTGRES_URL to run against PostgreSQL"


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        pytest.skip(POSTGRES_SKIP_REASON)
    engine = create_engine(_psycopg(url), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_database(tmp_path) -> Iterator[Database]:
    database = migrated_database(tmp_path / "register")
    yield database
    database.close()


@pytest.fixture
def postgres_database(request) -> Iterator[Database]:
    with postgres_schema_database(request.getfixturevalue("postgres_admin"), "head") as database:
        yield database


@pytest.fixture(scope="session")
def postgres_schemas(postgres_admin):
    """Makes PostgreSQL databases at any revision: `with postgres_schemas("0001") as database: ...`."""
    return functools.partial(postgres_schema_database, postgres_admin)


@contextmanager
def postgres_schema_database(admin: Engine, revision: str) -> Iterator[Database]:
    """A database in a schema of its own, migrated to `revision`, dropped afterwards."""
    schema = f"rws_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    # Everything the app creates (tables, trigger functions, alembic_version) lands in this schema.
    url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    database = with_test_key(open_database(url.render_as_string(hide_password=False)))
    try:
        database.migrate(revision)
        yield database
    finally:
        database.close()
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def database(request) -> Database:
    """A migrated, empty database of each supported kind."""
    return request.getfixturevalue(f"{request.param}_database")


def _psycopg(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)
