"""Throwaway PostgreSQL databases beside the one a harness is given, on the same server.

A harness given `postgresql://user@host:port/rws_test` can make `rws_test_crash_template`, copy it into a
fresh database for each trial (PostgreSQL copies a template's files, in well under a second), and drop it
again. That needs an account that may create databases (the throwaway server of `.ci/start-postgres` runs as
the superuser); `can_create_databases` says whether this one may.
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    """`url` naming database `name` instead (the driver, account, host and options kept)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _server(url: str):
    """An autocommit connection to the server's maintenance database (CREATE and DROP DATABASE run outside one)."""
    import psycopg

    return psycopg.connect(_libpq(with_database(url, "postgres")), autocommit=True)


def can_create_databases(url: str) -> bool:
    with _server(url) as connection:
        row = connection.execute("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    return bool(row and row[0])


def recreate(url: str, template: str | None = None) -> None:
    """Drop the database `url` names (closing any connection left to it) and make it again: empty, or as a
    copy of database `template`."""
    from psycopg import sql

    name = database_name(url)
    with _server(url) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template:
            connection.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
        else:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(url: str) -> None:
    from psycopg import sql

    with _server(url) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database_name(url))))
