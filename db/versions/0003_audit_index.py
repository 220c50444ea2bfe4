"""Search index for the audit log: the terms of each entry, and the people each entry involves.

Revision ID: 0003
Revises: 0001

Derived data, written by SqlAuditRepository.append in the entry's own transaction and
backfilled here from the entries already logged. The backfill uses the app's own rule
(core.audit_index.terms_of) rather than a copy, because the chain check compares the stored
terms with that rule: a later change to the rule needs a migration that rebuilds these tables.
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from rws_desktop.core.kernel.audit_index import terms_of
from rws_desktop.storage.audit_repository import index_row

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit log is append-only"
TABLES = ("audit_index", "audit_person")
BACKFILL_CHUNK = 1000


def upgrade() -> None:
    audit_index = op.create_table(
        "audit_index",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at_utc", sa.DateTime(), nullable=True),
        sa.Column("kind", sa.String(), nullable=True),
        sa.Column("user_name", sa.String(), nullable=True),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("decision", sa.String(), nullable=True),
        sa.Column("source_sha256", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_index"),
    )
    for column in ("kind", "user_name", "channel", "decision"):
        op.create_index(f"ix_audit_index_{column}_seq", "audit_index", [column, "seq"])
    op.create_index("ix_audit_index_at_utc", "audit_index", ["at_utc"])
    op.create_index("ix_audit_index_source_sha256", "audit_index", ["source_sha256"])
    audit_person = op.create_table(
        "audit_person",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("seq", "person_id", name="pk_audit_person"),
    )
    op.create_index("ix_audit_person_person_id_seq", "audit_person", ["person_id", "seq"])

    _backfill(audit_index, audit_person)
    for statement in _triggers_for(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)  # drops its triggers too


def _backfill(audit_index: sa.Table, audit_person: sa.Table) -> None:
    connection = op.get_bind()
    entries = sa.table("audit_entry", sa.column("seq", sa.Integer()), sa.column("content", sa.Text()))
    last_seq = 0
    while True:
        # Keyset chunks, so a big log never sits in memory at once.
        rows = connection.execute(
            sa.select(entries.c.seq, entries.c.content)
            .where(entries.c.seq > last_seq)
            .order_by(entries.c.seq)
            .limit(BACKFILL_CHUNK)
        ).all()
        if not rows:
            return
        index_rows, person_rows = [], []
        for seq, content in rows:
            try:
                parsed = json.loads(content)
            except ValueError:
                parsed = {}  # a damaged entry: the chain check reports it, not the migration
            terms = terms_of(seq, parsed if isinstance(parsed, dict) else {})
            index_rows.append(index_row(terms))
            person_rows += [{"seq": seq, "person_id": person_id} for person_id in sorted(terms.person_ids)]
        op.bulk_insert(audit_index, index_rows)
        if person_rows:
            op.bulk_insert(audit_person, person_rows)
        last_seq = rows[-1][0]


def _triggers_for(dialect_name: str) -> list[str]:
    if dialect_name == "sqlite":
        return [
            f"""CREATE TRIGGER {table}_no_{change.lower()} BEFORE {change} ON {table}
                BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""
            for table in TABLES
            for change in ("UPDATE", "DELETE")
        ]
    if dialect_name == "postgresql":
        # audit_entry_refuse_change() comes from migration 0001.
        return [
            statement
            for table in TABLES
            for statement in (
                f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()""",
                f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change()""",
            )
        ]
    raise NotImplementedError(f"The audit log cannot be protected on {dialect_name}; use SQLite or PostgreSQL.")
