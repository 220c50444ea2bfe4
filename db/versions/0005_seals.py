"""Seals: a MAC on every audit entry and on the head, and a seal on every register row that decides
who may be shown (people, photo consent, biometric consent, reference faces).

Revision ID: 0005
Revises: 0004

A migration holds no key, so it only adds the (empty) columns. Existing entries and rows are
covered when the app next starts with its keys: it appends one `audit_log_keyed` entry, whose
MAC covers every earlier entry through the hash chain, and seals every register row as made by
that entry (see storage/log_key.py and the README's "What the log proves").
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SEALED_TABLES = ("person", "photo_consent", "biometric_consent", "reference_face")


def upgrade() -> None:
    # audit_entry and audit_head keep these columns on a downgrade (see below), so an upgrade after one finds them.
    existing = {table: {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
                for table in ("audit_entry", "audit_head")}
    if "mac" not in existing["audit_entry"]:
        op.add_column("audit_entry", sa.Column("mac", sa.String(64), nullable=True))
    if "head_mac" not in existing["audit_head"]:
        op.add_column("audit_head", sa.Column("head_mac", sa.String(64), nullable=True))
    for table in SEALED_TABLES:
        op.add_column(table, sa.Column("sealed_seq", sa.Integer(), nullable=True))
        op.add_column(table, sa.Column("seal", sa.String(64), nullable=True))


def downgrade() -> None:
    for table in SEALED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("seal")
            batch.drop_column("sealed_seq")
    # audit_entry and audit_head keep their columns: dropping one rebuilds the table on SQLite,
    # which the append-only triggers exist to prevent. Older versions ignore them.
