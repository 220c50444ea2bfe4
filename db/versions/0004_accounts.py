"""Accounts and roles, channel admin lists, the DPIA record, and the reference-face key's identity.

Reference encodings already stored stay as they are here: a migration has no key. The app
encrypts them when it first creates the key (see storage/template_key.py), right after this.

Revision ID: 0004
Revises: 0002 (re-chained after 0003 at merge)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("initials", sa.String(8), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("initials", name="pk_account"),
    )
    op.create_table(
        "account_role",
        sa.Column("initials", sa.String(8), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("initials", "role", name="pk_account_role"),
        sa.ForeignKeyConstraint(
            ["initials"], ["account.initials"], name="fk_account_role_initials_account", ondelete="CASCADE"
        ),
        sa.CheckConstraint("role IN ('comms', 'office', 'auditor', 'admin')", name="ck_account_role_role"),
    )
    op.create_table(
        "channel_admin_list",
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("admins", sa.String(400), nullable=False),
        sa.Column("changed_by", sa.String(8), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", name="pk_channel_admin_list"),
    )
    op.create_table(
        "dpia",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("dpo_name", sa.String(200), nullable=False),
        sa.Column("recorded_by", sa.String(8), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dpia"),
    )
    op.create_table(
        "template_key",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("key_check", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_template_key"),
        sa.CheckConstraint("id = 1", name="ck_template_key_single_row"),
    )


def downgrade() -> None:
    # Encrypted reference faces (1,053 bytes, not 1,024) cannot be read without the key's identity,
    # which goes with template_key; they are deleted, and those people need enrolling again.
    op.execute("DELETE FROM reference_face WHERE length(encoding) <> 1024")
    for table in ("template_key", "dpia", "channel_admin_list", "account_role", "account"):
        op.drop_table(table)
