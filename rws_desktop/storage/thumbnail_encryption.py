"""Encrypting the face thumbnails stored in plain JPEG before migration 0008, once, with the keys.

A migration holds no key, so this runs at the first start that holds both keys (`App.open`, after
`unlock_keys`): the reference-face key to encrypt with, and the audit-log key, because the thumbnail
is one of the columns a reference face's seal covers. In one transaction every plain thumbnail is
encrypted in place; each row whose seal held over its plain thumbnail is sealed again, as made by one
`reference_face_thumbnails_encrypted` entry. A row changed outside the app is encrypted too (a plain
face picture must not stay at rest) but not sealed again: it stays untrusted, and `audit verify` still
names it. The template_key row's flag makes this happen once, on whichever PC starts first.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..core.kernel.audit_entries import SYSTEM_USER, audit_entry
from .models import TEMPLATE_KEY_ID, ReferenceFaceRow, TemplateKeyRow
from .row_seals import RowSealer
from ..core.keys.template_cipher import TemplateCipher

if TYPE_CHECKING:
    from .database import Database

log = logging.getLogger(__name__)
ENTRY_KIND = "reference_face_thumbnails_encrypted"
# Every JPEG starts with its start-of-image marker and another marker; an encrypted thumbnail starts
# with template_cipher's version byte.
_JPEG_START = b"\xff\xd8\xff"


class SqlThumbnailRepository:
    """The one-off encryption of plain thumbnails, inside a transaction of `Database`."""

    def __init__(self, session: Session, cipher: TemplateCipher | None, sealer: RowSealer):
        self._session = session
        self._cipher = cipher
        self._sealer = sealer

    def all_encrypted(self, lock: bool = False) -> bool:
        """Whether plain thumbnails were already encrypted (or there is no key row yet to say so). With `lock`
        the key row is locked on PostgreSQL, so two PCs starting at once do the work once."""
        statement = select(TemplateKeyRow).where(TemplateKeyRow.id == TEMPLATE_KEY_ID)
        row = self._session.scalar(statement.with_for_update() if lock else statement)
        return row is None or bool(row.thumbnails_encrypted)

    def encrypt_plain(self) -> tuple[int, int]:
        """Encrypt every plain thumbnail in place and mark the work done: (encrypted, of those sealed again)."""
        if self._cipher is None:
            raise ValueError("plain thumbnails can only be encrypted with the reference-face key")
        rows = self._session.scalars(select(ReferenceFaceRow).where(ReferenceFaceRow.thumbnail.is_not(None))).all()
        encrypted = sealed_again = 0
        for row in rows:
            plain = bytes(row.thumbnail)
            if not plain.startswith(_JPEG_START):
                continue
            trusted = self._sealer.trusted("reference_face", row)
            self._session.execute(update(ReferenceFaceRow.__table__).where(ReferenceFaceRow.id == row.id)
                                  .values(thumbnail=self._cipher.seal_thumbnail(row.person_id, plain)))
            encrypted += 1
            if trusted:
                self._sealer.wrote("reference_face", (row.id,))
                sealed_again += 1
        self._session.execute(update(TemplateKeyRow.__table__).where(TemplateKeyRow.id == TEMPLATE_KEY_ID)
                              .values(thumbnails_encrypted=True))
        return encrypted, sealed_again


def encrypt_plain_thumbnails(database: "Database") -> int:
    """Encrypt the thumbnails stored in plain JPEG, once; returns how many. Does nothing without both keys."""
    if database.template_cipher is None or database.log_key is None:
        return 0
    with database.snapshot() as tx:
        if tx.thumbnails.all_encrypted():
            return 0
    with database.transaction() as tx:
        if tx.thumbnails.all_encrypted(lock=True):  # another PC did it meanwhile
            return 0
        encrypted, sealed_again = tx.thumbnails.encrypt_plain()
        if encrypted:
            tx.audit.append(audit_entry(ENTRY_KIND, SYSTEM_USER, thumbnails_encrypted=encrypted,
                                        changed_outside_the_app=encrypted - sealed_again))
    if encrypted:
        log.info("%s face thumbnails stored in plain JPEG were encrypted (%s of them sealed again).", encrypted, sealed_again)
        _empty_write_ahead_log(database)
    return encrypted


def _empty_write_ahead_log(database: "Database") -> None:
    """The plain thumbnails may still sit in SQLite's write-ahead log: copy it into the file and empty it."""
    if database.dialect_name == "sqlite":
        with database.engine.connect() as connection:
            # Straight to the driver: a checkpoint cannot run inside the transaction SQLAlchemy would begin.
            connection.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
