"""Alembic environment. There is no alembic.ini: `rws_desktop.storage.database.Database.migrate`
configures Alembic in code and hands over an open connection in `config.attributes["connection"]`.
"""
from __future__ import annotations

from alembic import context

from rws_desktop.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "Migrations run from the app (Database.migrate), which supplies the database connection."
        )
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("Offline (SQL script) migrations are not supported; run Database.migrate instead.")
run_migrations_online()
