"""The SQL audit log: the hash chain with its MACs and recorded head, and the search index beside it.

Works inside a Session owned by `Database.transaction()`; nothing here commits. Appends are serialised
through the single audit_head row, so two PCs cannot both append entry n.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from ..core.kernel.audit_chain import GENESIS_HASH, AuditRecord, seal
from ..core.kernel.audit_index import AuditQuery, AuditTerms, terms_of
from ..core.kernel.audit_seal import ADOPTED_ENTRY_KIND, HEAD_TAMPERED_FIELD, KEYED_ENTRY_KIND, matches
from .errors import StorageError
from .models import AUDIT_HEAD_ID, AuditEntryRow, AuditHeadRow, AuditIndexRow, AuditPersonRow
from .row_seals import RowSealer

_ENTRY_COLUMNS = (AuditEntryRow.seq, AuditEntryRow.previous_hash, AuditEntryRow.entry_hash, AuditEntryRow.content,
                  AuditEntryRow.mac)
# The terms a caller may list the values of, by their name in core.audit_index.
_TERM_COLUMNS = {
    "kind": AuditIndexRow.kind,
    "user": AuditIndexRow.user_name,
    "channel": AuditIndexRow.channel,
    "decision": AuditIndexRow.decision,
}


class SqlAuditRepository:
    """The audit chain and its search index. Appends are serialised through the single audit_head row."""

    RECORDS_CHUNK = 1000

    def __init__(self, session: Session, sealer: RowSealer | None = None):
        self._session = session
        self._sealer = sealer or RowSealer(session, None)

    def append(self, content: dict[str, Any]) -> AuditRecord:
        head = self._session.execute(
            select(AuditHeadRow.last_seq, AuditHeadRow.last_entry_hash, AuditHeadRow.head_mac)
            .where(AuditHeadRow.id == AUDIT_HEAD_ID)
            # On PostgreSQL another PC's append waits here until this transaction ends.
            .with_for_update()
        ).one_or_none()
        if head is None:
            raise StorageError(
                "The audit log has lost the record of its last entry, so nothing more can be logged. "
                "It may have been tampered with; ask whoever looks after the database to check it."
            )
        last_seq, last_hash, head_mac = head
        key = self._sealer.key
        if key is not None and last_seq and _head_unsealed(key, last_seq, last_hash, head_mac, content):
            # The head was moved outside the app (entries cut from the end?). Logging goes on, and the
            # entry itself carries the finding under the seal, so verify names it for ever after.
            content = {**content, HEAD_TAMPERED_FIELD: True}
        record = seal(last_seq + 1, last_hash if last_seq else GENESIS_HASH, content, key)
        self._session.execute(
            insert(AuditEntryRow.__table__).values(
                seq=record.seq,
                previous_hash=record.previous_hash,
                entry_hash=record.entry_hash,
                content=record.content_json,
                mac=record.mac,
            )
        )
        self._session.execute(
            update(AuditHeadRow.__table__)
            .where(AuditHeadRow.id == AUDIT_HEAD_ID)
            .values(last_seq=record.seq, last_entry_hash=record.entry_hash,
                    head_mac=key.head_mac(record.seq, record.entry_hash) if key else None)
        )
        self._sealer.last_appended_seq = record.seq
        if key is None:
            self._sealer.unsealed_appends.append((record.seq, record.entry_hash))
        # From the stored JSON, not the caller's dict, so these are the terms the chain check recomputes.
        self._insert_terms(terms_of(record.seq, json.loads(record.content_json)))
        self._session.flush()
        return record

    def _insert_terms(self, terms: AuditTerms) -> None:
        # Parameters passed apart from the statement, so SQLAlchemy reuses its compiled form.
        self._session.execute(insert(AuditIndexRow.__table__), index_row(terms))
        if terms.person_ids:
            self._session.execute(
                insert(AuditPersonRow.__table__),
                [{"seq": terms.seq, "person_id": person_id} for person_id in sorted(terms.person_ids)],
            )

    def records(self) -> Iterator[AuditRecord]:
        """Every entry in sequence order, read in chunks. Consume it inside the transaction."""
        statement = select(*_ENTRY_COLUMNS).order_by(AuditEntryRow.seq).execution_options(yield_per=self.RECORDS_CHUNK)
        for row in self._session.execute(statement):
            yield AuditRecord(*row)

    def head_mac(self) -> str | None:
        """The head's MAC under the log key, as recorded beside it."""
        return self._session.scalar(select(AuditHeadRow.head_mac).where(AuditHeadRow.id == AUDIT_HEAD_ID))

    def first_sealed(self) -> AuditRecord | None:
        """The first entry carrying a MAC: where the keyed part of the log starts."""
        row = self._session.execute(select(*_ENTRY_COLUMNS).where(AuditEntryRow.mac.is_not(None))
                                    .order_by(AuditEntryRow.seq).limit(1)).one_or_none()
        return AuditRecord(*row) if row else None

    def head(self) -> tuple[int, str] | None:
        """The (seq, hash) of the last entry as recorded separately, or None for an empty log."""
        head = self._session.execute(
            select(AuditHeadRow.last_seq, AuditHeadRow.last_entry_hash).where(AuditHeadRow.id == AUDIT_HEAD_ID)
        ).one_or_none()
        if head is None:
            # The row is created with the tables and may not be deleted. Claiming an empty log
            # makes verify_chain report any entries that exist rather than pass them silently.
            return (0, GENESIS_HASH)
        last_seq, last_hash = head
        return (last_seq, last_hash) if last_seq else None

    def get(self, seq: int) -> AuditRecord | None:
        row = self._session.execute(select(*_ENTRY_COLUMNS).where(AuditEntryRow.seq == seq)).one_or_none()
        return AuditRecord(*row) if row else None

    def newest(self, query: AuditQuery, before_seq: int | None = None, limit: int = 200) -> list[AuditRecord]:
        """Up to `limit` matching entries, newest first, only those with seq below `before_seq` if given."""
        seqs = _matching_seqs(query)
        if seqs is None:
            statement = select(*_ENTRY_COLUMNS)
            if before_seq is not None:
                statement = statement.where(AuditEntryRow.seq < before_seq)
            statement = statement.order_by(AuditEntryRow.seq.desc()).limit(limit)
        else:
            seq = seqs.selected_columns[0]
            if before_seq is not None:
                seqs = seqs.where(seq < before_seq)
            # The page's seqs come from the index alone, in its order; only those entries are read.
            statement = (
                select(*_ENTRY_COLUMNS)
                .where(AuditEntryRow.seq.in_(seqs.order_by(seq.desc()).limit(limit)))
                .order_by(AuditEntryRow.seq.desc())
            )
        return [AuditRecord(*row) for row in self._session.execute(statement)]

    def matching(self, query: AuditQuery) -> Iterator[AuditRecord]:
        """Every matching entry, oldest first, read in chunks. Consume it inside the transaction."""
        statement = select(*_ENTRY_COLUMNS)
        seqs = _matching_seqs(query)
        if seqs is not None:
            statement = statement.where(AuditEntryRow.seq.in_(seqs))
        statement = statement.order_by(AuditEntryRow.seq).execution_options(yield_per=self.RECORDS_CHUNK)
        for row in self._session.execute(statement):
            yield AuditRecord(*row)

    def count(self, query: AuditQuery) -> int:
        statement = select(func.count()).select_from(AuditEntryRow)
        seqs = _matching_seqs(query)
        if seqs is not None:
            statement = statement.where(AuditEntryRow.seq.in_(seqs))
        return self._session.scalar(statement)

    def distinct_values(self, term: str) -> list[str]:
        """The different values of "kind", "user", "channel" or "decision" in the log, sorted."""
        column = _TERM_COLUMNS[term]
        return list(self._session.scalars(select(column).where(column.is_not(None)).distinct().order_by(column)))

    def indexed_terms(self) -> Iterator[AuditTerms]:
        """The stored search terms of each entry, in sequence order (two sorted streams, merged)."""
        index = AuditIndexRow
        index_rows = self._session.execute(
            select(index.seq, index.at_utc, index.kind, index.user_name, index.channel, index.decision, index.source_sha256)
            .order_by(index.seq)
            .execution_options(yield_per=self.RECORDS_CHUNK)
        )
        person_rows = iter(self._session.execute(
            select(AuditPersonRow.seq, AuditPersonRow.person_id)
            .order_by(AuditPersonRow.seq, AuditPersonRow.person_id)
            .execution_options(yield_per=self.RECORDS_CHUNK)
        ))
        pending = next(person_rows, None)
        for seq, *terms in index_rows:
            people = set()
            while pending is not None and pending[0] <= seq:
                if pending[0] == seq:
                    people.add(pending[1])
                pending = next(person_rows, None)
            yield AuditTerms(seq, *terms, frozenset(people))


def _head_unsealed(key, last_seq: int, last_hash: str, head_mac: str | None, content: dict[str, Any]) -> bool:
    """Whether the recorded head lacks its MAC. Only the entry that first keys an older log, or the one adopting
    entries this process wrote without the key, finds none legitimately."""
    if head_mac is None:
        return content.get("kind") not in (KEYED_ENTRY_KIND, ADOPTED_ENTRY_KIND)
    return not matches(key.head_mac(last_seq, last_hash), head_mac)


def index_row(terms: AuditTerms) -> dict[str, Any]:
    """The audit_index values for one entry's terms (also used by migration 0003's backfill)."""
    return {
        "seq": terms.seq, "at_utc": terms.at_utc, "kind": terms.kind, "user_name": terms.user,
        "channel": terms.channel, "decision": terms.decision, "source_sha256": terms.source_sha256,
    }


def _matching_seqs(query: AuditQuery) -> Select | None:
    """The seqs of the entries `query` asks for, from the index tables; None for every entry,
    which is then read straight from the chain, so nothing can hide behind a damaged index."""
    conditions = [
        column == value
        for column, value in (
            (AuditIndexRow.kind, query.kind),
            (AuditIndexRow.user_name, query.user),
            (AuditIndexRow.channel, query.channel),
            (AuditIndexRow.decision, query.decision),
            (AuditIndexRow.source_sha256, query.source_sha256),
        )
        if value is not None
    ]
    if query.at_from is not None:
        conditions.append(AuditIndexRow.at_utc >= query.at_from)
    if query.at_before is not None:
        conditions.append(AuditIndexRow.at_utc < query.at_before)
    if query.person_id is not None:
        # A person's entries are few, so their (person_id, seq) index leads.
        seqs = select(AuditPersonRow.seq).where(AuditPersonRow.person_id == query.person_id)
        if conditions:
            seqs = seqs.join(AuditIndexRow, AuditIndexRow.seq == AuditPersonRow.seq).where(*conditions)
        return seqs
    return select(AuditIndexRow.seq).where(*conditions) if conditions else None
