"""The legal forename, beside the preferred forename the register's name uses, so a caption that uses
either is found.

Revision ID: 0006
Revises: 0005

Nullable and empty for everyone already in the register: their row seals (migration 0005) still
verify, because the seal covers this column only once it is set (storage/row_seals.py).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("person", sa.Column("legal_forename", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("legal_forename")
