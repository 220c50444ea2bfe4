"""Reference face thumbnails, so staff can see whose face each reference is.

A thumbnail is biometric-adjacent personal data, so it lives in the same row as the
encoding: deleting a reference face (leaving, consent lapsing or withdrawn) deletes both.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reference_face") as batch:
        batch.add_column(sa.Column("thumbnail", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reference_face") as batch:
        batch.drop_column("thumbnail")
