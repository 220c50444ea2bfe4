"""Reading the audit log: checking its chain and exporting it, for auditors only."""
from __future__ import annotations

import csv
from typing import IO

from .audit import ChainReport, verify_chain
from .permissions import Action, requires
from .ports import Store
from .session import Session

CSV_COLUMNS = ["seq", "at", "kind", "user", "channel", "decision", "details", "entry_hash"]


class AuditReader:
    def __init__(self, store: Store, session: Session):
        self.store = store
        self.session = session

    @requires(Action.READ_AUDIT)
    def verify(self) -> ChainReport:
        with self.store.transaction() as tx:
            return verify_chain(tx.audit.records(), tx.audit.head())

    @requires(Action.EXPORT_AUDIT)
    def write_csv(self, handle: IO[str]) -> int:
        """Every entry as a CSV row (its whole content in `details`); returns how many."""
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        count = 0
        with self.store.transaction() as tx:
            for record in tx.audit.records():
                content = record.content
                writer.writerow([
                    record.seq, content.get("at"), content.get("kind"), content.get("user"),
                    content.get("channel", ""), content.get("decision", ""), record.content_json, record.entry_hash,
                ])
                count += 1
        return count
