"""Seals on the register rows that decide who may be shown, and the check made on every read.

Each transaction has one RowSealer. The register repository tells it which rows it wrote; when
the transaction ends, each is sealed (core/kernel/audit_seal.py) as made by the last audit entry
appended in that transaction. Reads keep only rows whose seal matches, or that this transaction
wrote itself: a row edited outside the app is treated as missing, so that person has no consent
and is blurred. Without a log key (a database opened by tests or tools without keys) nothing is
sealed or checked.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..core.kernel.audit_seal import LogKey, SealedRow
from .models import AUDIT_HEAD_ID, AuditHeadRow, BiometricConsentRow, PersonRow, PhotoConsentRow, ReferenceFaceRow

log = logging.getLogger(__name__)

# The columns each seal covers, and the columns that name the row.
SEALED_FIELDS: dict[str, tuple[str, ...]] = {
    "person": ("id", "kind", "name", "mis_id", "year_group", "form", "date_of_birth", "leaving_date"),
    "photo_consent": ("person_id", "channel", "status", "given_on", "expires_on", "given_by", "may_be_named"),
    "biometric_consent": ("person_id", "parent_consent", "parent_objection", "pupil_objection", "adult_consent", "recorded_on"),
    "reference_face": ("id", "person_id", "encoding", "source_sha256", "thumbnail"),
}
# Columns added after rows were first sealed: covered only when set, so a row sealed before the column
# existed (NULL there) still verifies, while setting, changing or clearing it outside the app breaks the seal.
SEALED_WHEN_SET: dict[str, tuple[str, ...]] = {"person": ("legal_forename",)}
IDENTITY: dict[str, tuple[str, ...]] = {
    "person": ("id",), "photo_consent": ("person_id", "channel"), "biometric_consent": ("person_id",),
    "reference_face": ("id",),
}
MODELS = {"person": PersonRow, "photo_consent": PhotoConsentRow, "biometric_consent": BiometricConsentRow,
          "reference_face": ReferenceFaceRow}


def fields_of(table: str, row: Any) -> dict[str, Any]:
    fields = {name: getattr(row, name) for name in SEALED_FIELDS[table]}
    fields.update({name: getattr(row, name) for name in SEALED_WHEN_SET.get(table, ()) if getattr(row, name) is not None})
    return fields


def identity_of(table: str, row: Any) -> tuple:
    return tuple(getattr(row, name) for name in IDENTITY[table])


def label_of(table: str, row: Any) -> str:
    if table == "person":
        return f"person {row.id} ({row.name})"
    if table == "photo_consent":
        return f"photo consent of person {row.person_id} for {row.channel}"
    if table == "biometric_consent":
        return f"biometric consent of person {row.person_id}"
    return f"reference face {row.id} of person {row.person_id}"


class RowSealer:
    def __init__(self, session: Session, key: LogKey | None, unsealed_appends: list | None = None):
        self._session = session
        self.key = key
        # (seq, hash) of entries this process appended without the key, shared by its transactions.
        self.unsealed_appends = unsealed_appends if unsealed_appends is not None else []
        self._written: set[tuple[str, tuple]] = set()
        self.last_appended_seq: int | None = None

    # Writing

    def wrote(self, table: str, identity: tuple) -> None:
        if self.key is not None:
            self._written.add((table, identity))

    def finish(self) -> None:
        """Seal every row written in this transaction, as made by its last audit entry."""
        if not self._written or self.key is None:
            return
        self._session.flush()
        seq = self.last_appended_seq if self.last_appended_seq is not None else self._head_seq()
        for table, identity in sorted(self._written, key=repr):
            model = MODELS[table]
            conditions = [getattr(model, name) == value for name, value in zip(IDENTITY[table], identity)]
            row = self._session.execute(select(model).where(*conditions).execution_options(populate_existing=True)).scalar()
            if row is not None:  # it may have been deleted later in the same transaction
                self._store_seal(model, conditions, self.key.row_seal(table, fields_of(table, row), seq), seq)
        self._written.clear()

    def seal_everything(self, seq: int) -> int:
        """Seal every register row as made by entry `seq` (when a log begun before keys is first keyed)."""
        sealed = 0
        for table, model in MODELS.items():
            for row in self._session.execute(select(model)).scalars():
                conditions = [getattr(model, name) == getattr(row, name) for name in IDENTITY[table]]
                self._store_seal(model, conditions, self.key.row_seal(table, fields_of(table, row), seq), seq)
                sealed += 1
        return sealed

    def any_rows(self) -> bool:
        return any(self._session.execute(select(model).limit(1)).first() for model in MODELS.values())

    # Reading

    def trusted(self, table: str, row: Any) -> bool:
        """Whether a read may rely on this row: its seal matches, or this transaction wrote it."""
        if self.key is None or (table, identity_of(table, row)) in self._written:
            return True
        if row.sealed_seq is not None and row.seal is not None:
            if SealedRow(table, "", 0, fields_of(table, row), row.sealed_seq, row.seal).intact(self.key):
                return True
        log.warning("The %s was changed outside the app (its seal does not match); it is ignored.", label_of(table, row))
        return False

    def untrusted_people(self) -> set[int]:
        """People whose own row was changed outside the app: their consents and faces are ignored."""
        if self.key is None:
            return set()
        return {row.id for row in self._session.execute(select(PersonRow)).scalars() if not self.trusted("person", row)}

    def person_trusted(self, person_id: int) -> bool:
        if self.key is None:
            return True
        row = self._session.get(PersonRow, person_id)
        return row is None or self.trusted("person", row)

    def sealed_rows(self) -> Iterator[SealedRow]:
        """Every sealed register row, for the log check."""
        for table, model in MODELS.items():
            for row in self._session.execute(select(model).order_by(*[getattr(model, n) for n in IDENTITY[table]])).scalars():
                yield SealedRow(table, label_of(table, row), row.id if table == "person" else row.person_id,
                                fields_of(table, row), row.sealed_seq, row.seal)

    def _store_seal(self, model, conditions, seal: str, seq: int) -> None:
        self._session.execute(update(model.__table__).where(*[c for c in conditions]).values(sealed_seq=seq, seal=seal)
                              .execution_options(synchronize_session=False))

    def _head_seq(self) -> int:
        return self._session.scalar(select(AuditHeadRow.last_seq).where(AuditHeadRow.id == AUDIT_HEAD_ID)) or 0
