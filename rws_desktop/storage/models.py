"""The database tables, portable between SQLite and PostgreSQL.

Rows here are storage details; the rest of the app sees the frozen dataclasses in
`core.consent` and `core.audit`, which the repositories convert to and from.
Constraint names are fixed by a naming convention so migrations can refer to them.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The single row of audit_head always has this id.
AUDIT_HEAD_ID = 1


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PersonRow(Base):
    __tablename__ = "person"
    __table_args__ = (CheckConstraint("kind IN ('pupil', 'staff')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    mis_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    year_group: Mapped[int | None] = mapped_column(Integer)
    form: Mapped[str | None] = mapped_column(String(32))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    leaving_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now)
    # The legal forename when the name uses a preferred one (migration 0006); sealed when set.
    legal_forename: Mapped[str | None] = mapped_column(String(100))
    # The row's seal (core/kernel/audit_seal.py) and the audit entry that made it (migration 0005).
    sealed_seq: Mapped[int | None] = mapped_column(Integer)
    seal: Mapped[str | None] = mapped_column(String(64))


class PhotoConsentRow(Base):
    """The current photo consent of one person for one channel (or "all"); history is in the audit log."""

    __tablename__ = "photo_consent"
    __table_args__ = (
        UniqueConstraint("person_id", "channel"),
        CheckConstraint("status IN ('granted', 'refused', 'withdrawn')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    given_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    given_by: Mapped[str] = mapped_column(String(200), default="")
    may_be_named: Mapped[bool] = mapped_column(Boolean, default=False)
    # The row's seal (core/kernel/audit_seal.py) and the audit entry that made it (migration 0005).
    sealed_seq: Mapped[int | None] = mapped_column(Integer)
    seal: Mapped[str | None] = mapped_column(String(64))


class BiometricConsentRow(Base):
    """Answers for the Protection of Freedoms Act 2012; NULL means not recorded."""

    __tablename__ = "biometric_consent"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    parent_consent: Mapped[bool | None] = mapped_column(Boolean)
    parent_objection: Mapped[bool | None] = mapped_column(Boolean)
    pupil_objection: Mapped[bool | None] = mapped_column(Boolean)
    adult_consent: Mapped[bool | None] = mapped_column(Boolean)
    recorded_on: Mapped[date] = mapped_column(Date)
    # The row's seal (core/kernel/audit_seal.py) and the audit entry that made it (migration 0005).
    sealed_seq: Mapped[int | None] = mapped_column(Integer)
    seal: Mapped[str | None] = mapped_column(String(64))


class ReferenceFaceRow(Base):
    __tablename__ = "reference_face"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    # 128 little-endian float64 values.
    encoding: Mapped[bytes] = mapped_column(LargeBinary)
    source_sha256: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now)
    # A small JPEG of the face (migration 0002), encrypted like the encoding (template_cipher.py; plain JPEG
    # before 0008 until the first start with the key). Kept in the same row as the encoding so the two can
    # only be deleted together.
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The row's seal (core/kernel/audit_seal.py) and the audit entry that made it (migration 0005).
    sealed_seq: Mapped[int | None] = mapped_column(Integer)
    seal: Mapped[str | None] = mapped_column(String(64))


class AuditEntryRow(Base):
    """One sealed entry. Triggers refuse UPDATE and DELETE (see migration 0001)."""

    __tablename__ = "audit_entry"

    # Assigned by the chain, never by the database.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    # The canonical JSON exactly as core.audit.seal produced it.
    content: Mapped[str] = mapped_column(Text)
    # HMAC under the audit-log key over (seq, entry_hash); NULL for entries from before the key (0005).
    mac: Mapped[str | None] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The last entry, recorded apart from the entries: locked to serialise appends, and
    compared with the entries to notice ones deleted from the end."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint(f"id = {AUDIT_HEAD_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_entry_hash: Mapped[str] = mapped_column(String(64))
    head_mac: Mapped[str | None] = mapped_column(String(64))  # so a rewound head shows (0005)


class AuditIndexRow(Base):
    """Search terms of one entry (see core.audit_index), written with it. Derived data: the chain
    check compares them with the entry again. Triggers refuse UPDATE and DELETE (migration 0003).
    No foreign key to audit_entry, so deleting an entry behind the app's back stays possible and visible."""

    __tablename__ = "audit_index"
    __table_args__ = (
        Index("ix_audit_index_at_utc", "at_utc"),
        Index("ix_audit_index_kind_seq", "kind", "seq"),
        Index("ix_audit_index_user_name_seq", "user_name", "seq"),
        Index("ix_audit_index_channel_seq", "channel", "seq"),
        Index("ix_audit_index_decision_seq", "decision", "seq"),
        Index("ix_audit_index_source_sha256", "source_sha256"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Naive UTC, so comparisons mean the same on SQLite and PostgreSQL.
    at_utc: Mapped[datetime | None] = mapped_column(DateTime())
    kind: Mapped[str | None] = mapped_column(String())
    user_name: Mapped[str | None] = mapped_column(String())
    channel: Mapped[str | None] = mapped_column(String())
    decision: Mapped[str | None] = mapped_column(String())
    source_sha256: Mapped[str | None] = mapped_column(String())


class AuditPersonRow(Base):
    """One person an entry involves. No foreign key to person: an erased person's entries stay findable."""

    __tablename__ = "audit_person"
    __table_args__ = (Index("ix_audit_person_person_id_seq", "person_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


# Accounts, channel admin lists, the DPIA and the reference-face key (migration 0004).

ROLE_VALUES = ("comms", "office", "auditor", "admin")  # as core.permissions.Role
TEMPLATE_KEY_ID = 1  # the single row of template_key


class AccountRow(Base):
    """A member of staff who may sign in, named by the initials the policy uses."""

    __tablename__ = "account"

    initials: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Argon2id, in its own encoded form ("$argon2id$v=19$m=...").
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now)


class AccountRoleRow(Base):
    __tablename__ = "account_role"
    __table_args__ = (CheckConstraint("role IN ('comms', 'office', 'auditor', 'admin')", name="role"),)

    initials: Mapped[str] = mapped_column(ForeignKey("account.initials", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class ChannelAdminListRow(Base):
    """A channel's admin list as an admin set it; channels without a row keep the policy's list."""

    __tablename__ = "channel_admin_list"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    admins: Mapped[str] = mapped_column(String(400))  # initials joined by commas; empty for none
    changed_by: Mapped[str] = mapped_column(String(8))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DpiaRow(Base):
    """Each DPIA recorded; the latest is the one in force."""

    __tablename__ = "dpia"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(100))
    assessed_on: Mapped[date] = mapped_column(Date)
    dpo_name: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(8))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TemplateKeyRow(Base):
    """Which key encrypts the reference faces, and a value that proves a key is that one.
    The key itself is never here: it is in the OS keyring (or a key file) of each PC."""

    __tablename__ = "template_key"
    __table_args__ = (CheckConstraint(f"id = {TEMPLATE_KEY_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key_id: Mapped[str] = mapped_column(String(32))
    key_check: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now)
    # Whether face thumbnails stored in plain JPEG before migration 0008 have been encrypted with this key
    # (storage/thumbnail_encryption.py); thumbnails stored since then are encrypted as they are written.
    thumbnails_encrypted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
