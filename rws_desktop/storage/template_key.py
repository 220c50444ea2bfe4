"""The database's record of its reference-face key (`core.keys.ports.TemplateKeyRecords`).

The table keeps only the key's identity and a check value (see models.TemplateKeyRow); the key
itself is on each PC (core/keys/). Sealing the plain encodings stored before encryption existed
happens here, row by row, in the transaction that records the key.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ..core.keys.ports import RecordedKey
from ..core.keys.template_cipher import TemplateCipher
from .models import TEMPLATE_KEY_ID, ReferenceFaceRow, TemplateKeyRow
from .row_seals import RowSealer

PLAIN_ENCODING_BYTES = 128 * 8


class SqlTemplateKeyRepository:
    def __init__(self, session: Session, sealer: RowSealer):
        self._session = session
        self._sealer = sealer

    def current(self) -> RecordedKey | None:
        row = self._session.get(TemplateKeyRow, TEMPLATE_KEY_ID)
        return RecordedKey(row.key_id, bytes(row.key_check)) if row else None

    def create(self, cipher: TemplateCipher) -> None:
        self._session.execute(insert(TemplateKeyRow.__table__).values(
            id=TEMPLATE_KEY_ID, key_id=cipher.key_id, key_check=cipher.check_value(), created_at=datetime.now(timezone.utc)))

    def seal_plain_encodings(self, cipher: TemplateCipher) -> int:
        """Encrypt encodings stored before 0004, in place; returns how many."""
        rows = self._session.execute(
            select(ReferenceFaceRow.id, ReferenceFaceRow.person_id, ReferenceFaceRow.encoding)
            .where(func.length(ReferenceFaceRow.encoding) == PLAIN_ENCODING_BYTES)
        ).all()
        for reference_id, person_id, plain in rows:
            self._session.execute(update(ReferenceFaceRow.__table__).where(ReferenceFaceRow.id == reference_id)
                                  .values(encoding=cipher.seal(person_id, bytes(plain))))
            self._sealer.wrote("reference_face", (reference_id,))
        return len(rows)
