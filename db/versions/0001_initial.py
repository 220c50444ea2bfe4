"""The register, reference faces and the append-only audit log.

Revision ID: 0001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64  # as core.audit.GENESIS_HASH; copied so this migration never changes

APPEND_ONLY = "audit log is append-only"
HEAD_FORWARD_ONLY = "the audit log head only moves forward, one existing entry at a time"

# The head may only advance to the entry just appended (and never be deleted), so removing
# entries from the end of the log cannot be hidden by rewinding the head.
_HEAD_MOVE_IS_VALID = """
    NEW.id = OLD.id
    AND NEW.last_seq = OLD.last_seq + 1
    AND EXISTS (SELECT 1 FROM audit_entry
                WHERE seq = NEW.last_seq AND entry_hash = NEW.last_entry_hash)
"""

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
        WHEN NOT ({_HEAD_MOVE_IS_VALID})
        BEGIN SELECT RAISE(ABORT, '{HEAD_FORWARD_ONLY}'); END""",
    f"""CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
        BEGIN SELECT RAISE(ABORT, '{HEAD_FORWARD_ONLY}'); END""",
]

POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION audit_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{APPEND_ONLY}';
        END $$""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
        FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
        FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change()""",
    f"""CREATE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                IF {_HEAD_MOVE_IS_VALID} THEN
                    RETURN NEW;
                END IF;
            END IF;
            RAISE EXCEPTION '{HEAD_FORWARD_ONLY}';
        END $$""",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
        FOR EACH ROW EXECUTE FUNCTION audit_head_guard()""",
    """CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
        FOR EACH STATEMENT EXECUTE FUNCTION audit_head_guard()""",
]


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("mis_id", sa.String(64), nullable=True),
        sa.Column("year_group", sa.Integer(), nullable=True),
        sa.Column("form", sa.String(32), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("leaving_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_person"),
        sa.UniqueConstraint("mis_id", name="uq_person_mis_id"),
        sa.CheckConstraint("kind IN ('pupil', 'staff')", name="ck_person_kind"),
    )
    op.create_table(
        "photo_consent",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("given_by", sa.String(200), nullable=False),
        sa.Column("may_be_named", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_photo_consent"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name="fk_photo_consent_person_id_person", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("person_id", "channel", name="uq_photo_consent_person_id_channel"),
        sa.CheckConstraint("status IN ('granted', 'refused', 'withdrawn')", name="ck_photo_consent_status"),
    )
    op.create_table(
        "biometric_consent",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("parent_consent", sa.Boolean(), nullable=True),
        sa.Column("parent_objection", sa.Boolean(), nullable=True),
        sa.Column("pupil_objection", sa.Boolean(), nullable=True),
        sa.Column("adult_consent", sa.Boolean(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_biometric_consent"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name="fk_biometric_consent_person_id_person", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "reference_face",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("encoding", sa.LargeBinary(), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reference_face"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name="fk_reference_face_person_id_person", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_reference_face_person_id", "reference_face", ["person_id"])
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_entry"),
    )
    audit_head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
        sa.CheckConstraint("id = 1", name="ck_audit_head_single_row"),
    )
    # The empty log: the row exists from the start so appends always have something to lock.
    op.bulk_insert(audit_head, [{"id": 1, "last_seq": 0, "last_entry_hash": GENESIS_HASH}])

    for statement in _triggers_for(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    # Dropping a table drops its triggers too; PostgreSQL keeps the functions.
    for table in ("audit_head", "audit_entry", "reference_face", "biometric_consent", "photo_consent", "person"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_head_guard()")
        op.execute("DROP FUNCTION audit_entry_refuse_change()")


def _triggers_for(dialect_name: str) -> list[str]:
    if dialect_name == "sqlite":
        return SQLITE_TRIGGERS
    if dialect_name == "postgresql":
        return POSTGRESQL_TRIGGERS
    raise NotImplementedError(f"The audit log cannot be protected on {dialect_name}; use SQLite or PostgreSQL.")
