"""Making and finding the key that encrypts reference faces, for the database being opened.

The database keeps only the key's identity and a check value (see models.TemplateKeyRow);
the key is in a key store (`rws_desktop.keys`) on each PC. The first start creates the key
and, in the same transaction, encrypts any reference faces stored before encryption existed.
That happens once only: afterwards a plain encoding in the table is treated as altered.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ..core.kernel.audit_entries import SYSTEM_USER, audit_entry
from .errors import StorageError
from .models import TEMPLATE_KEY_ID, ReferenceFaceRow, TemplateKeyRow
from .template_cipher import KEY_BYTES, TemplateCipher

if TYPE_CHECKING:
    from ..keys import KeyStore
    from .database import Database

PLAIN_ENCODING_BYTES = 128 * 8
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeyStatus:
    ready: bool
    key_id: str | None
    message: str  # where the key is, or what is wrong and what to do


class SqlTemplateKeyRepository:
    def __init__(self, session: Session):
        self._session = session

    def current(self) -> TemplateKeyRow | None:
        return self._session.get(TemplateKeyRow, TEMPLATE_KEY_ID)

    def create(self, cipher: TemplateCipher) -> None:
        self._session.execute(insert(TemplateKeyRow.__table__).values(
            id=TEMPLATE_KEY_ID, key_id=cipher.key_id, key_check=cipher.check_value(), created_at=datetime.now(timezone.utc)))

    def seal_plain_encodings(self, cipher: TemplateCipher, sealer=None) -> int:
        """Encrypt encodings stored before 0004, in place; returns how many."""
        rows = self._session.execute(
            select(ReferenceFaceRow.id, ReferenceFaceRow.person_id, ReferenceFaceRow.encoding)
            .where(func.length(ReferenceFaceRow.encoding) == PLAIN_ENCODING_BYTES)
        ).all()
        for reference_id, person_id, plain in rows:
            self._session.execute(update(ReferenceFaceRow.__table__).where(ReferenceFaceRow.id == reference_id)
                                  .values(encoding=cipher.seal(person_id, bytes(plain))))
            if sealer is not None:
                sealer.wrote("reference_face", (reference_id,))
        return len(rows)


def missing_key_message(key_id: str) -> str:
    return (f"This computer does not hold the key that encrypts this database's reference faces (key {key_id}), so "
            "nobody can be recognised or enrolled here and every face is blurred. If several PCs share the database, "
            "an admin exports the key on a PC that has it (rws key export --out FILE) and imports it here "
            "(rws key import FILE).")


def unlock_reference_faces(database: "Database", keys: "KeyStore") -> KeyStatus:
    """Give `database` its reference-face key: found in `keys`, or made on the very first start."""
    with database.transaction() as tx:
        row = tx.template_key.current()
        existing = (row.key_id, bytes(row.key_check)) if row else None
    if existing is None:
        return _create(database, keys)
    return _load(database, keys, *existing)


def install_key(database: "Database", keys: "KeyStore", key_id: str, key: bytes) -> KeyStatus:
    """Keep a key brought from another PC, once it is shown to be this database's."""
    with database.transaction() as tx:
        row = tx.template_key.current()
        if row is None or row.key_id != key_id:
            raise StorageError(f"That key ({key_id}) is not the one this database uses"
                               f"{f' ({row.key_id})' if row else ''}; export the key from a PC using this database.")
        check = bytes(row.key_check)
    if len(key) != KEY_BYTES or not TemplateCipher(key, key_id).matches(check):
        raise StorageError("That key file does not hold this database's key (it may be damaged); export it again.")
    keys.save(key_id, key)
    return _load(database, keys, key_id, check)


def held_key(database: "Database", keys: "KeyStore") -> tuple[str, bytes]:
    """This database's key id and key, for an admin to carry to another PC."""
    with database.transaction() as tx:
        row = tx.template_key.current()
        key_id = row.key_id if row else None
    key = keys.load(key_id) if key_id else None
    if key is None:
        raise StorageError("This computer does not hold this database's reference-face key, so it cannot export it.")
    return key_id, key


def _create(database: "Database", keys: "KeyStore") -> KeyStatus:
    key = TemplateCipher.new_key()
    cipher = TemplateCipher(key, secrets.token_hex(8))
    try:
        where = keys.save(cipher.key_id, key)
    except Exception as error:
        log.warning("The reference-face key could not be kept: %s", error)
        return KeyStatus(False, None, f"The key that encrypts reference faces could not be kept ({error}). Nobody can "
                                      "be enrolled or recognised until it can: check the app's data folder can be written.")
    # The log key goes with it, before anything is logged, so the very first entry is sealed.
    with database.snapshot() as tx:
        head = tx.audit.head()
        already_keyed = tx.audit.first_sealed() is not None
    if not already_keyed:
        from .log_key import key_the_log

        key_the_log(database, keys, cipher.key_id, head[0] if head else 0)
    try:
        with database.transaction() as tx:
            tx.template_key.create(cipher)
            sealed = tx.template_key.seal_plain_encodings(cipher, tx.sealer)
            tx.audit.append(audit_entry("reference_face_key_created", SYSTEM_USER, key_id=cipher.key_id,
                                        reference_faces_encrypted=sealed))
    except StorageError:
        with database.transaction() as tx:
            row = tx.template_key.current()
            if row is None:
                raise
            existing = (row.key_id, bytes(row.key_check))
        return _load(database, keys, *existing)  # another PC made the key first
    if sealed:
        _flush_old_pages(database)
    database.use_template_cipher(cipher)
    return KeyStatus(True, cipher.key_id, f"Reference faces are encrypted with a key kept in {where}.")


def _load(database: "Database", keys: "KeyStore", key_id: str, check: bytes) -> KeyStatus:
    try:
        key = keys.load(key_id)
    except Exception as error:
        log.warning("The reference-face key could not be read: %s", error)
        key = None
    if key is None:
        database.use_template_cipher(None)
        return KeyStatus(False, key_id, missing_key_message(key_id))
    cipher = TemplateCipher(key, key_id) if len(key) == KEY_BYTES else None
    if cipher is None or not cipher.matches(check):
        database.use_template_cipher(None)
        return KeyStatus(False, key_id, f"The reference-face key kept on this computer under {key_id} is not the one "
                                        "this database was encrypted with. " + missing_key_message(key_id))
    database.use_template_cipher(cipher)
    return KeyStatus(True, key_id, f"Reference faces are encrypted; this computer holds the key ({key_id}).")


def _flush_old_pages(database: "Database") -> None:
    """Plain encodings may still sit in SQLite's write-ahead log; copy it into the file and empty it."""
    if database.dialect_name == "sqlite":
        with database.engine.connect() as connection:
            # Straight to the driver: a checkpoint cannot run inside the transaction SQLAlchemy would begin.
            connection.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
