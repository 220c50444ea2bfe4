"""Whether the audit log is intact: the hash chain over every entry, and the search index beside it.

The index (see audit_index) is checked too because filtered views and exports rely on it:
editing it could hide an entry from a filter without touching the chain.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, Iterator

from ..kernel.audit_chain import NO_KEY_HERE, AuditRecord, verify_chain
from ..kernel.audit_seal import LogKey
from ..kernel.audit_index import AuditTerms, terms_of
from .reports import ChainLine
from ..kernel.ports import Transaction

ProgressCallback = Callable[[int, int], None]  # (entries checked, entries in the log)
_PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class ChainStatus:
    ok: bool
    verified_up_to: int  # every entry up to this one is intact
    entries: int  # as the log's separately recorded head says
    bad_seq: int | None
    problem: str
    last_hash: str | None  # of entry `verified_up_to`
    checked_at: datetime
    altered_rows: tuple[str, ...] = ()  # register rows whose seals do not hold, named
    fingerprint: str | None = None  # of the log key's public key, when the log is keyed and checked

    def describe(self) -> str:
        if not self.ok and self.bad_seq is None and not self.altered_rows:
            return f"Not verified: {self.problem}"
        if not self.ok and self.bad_seq is None:
            return f"Broken: {self.problem}"
        if not self.ok:
            return f"Broken at entry {self.bad_seq}: {self.problem}"
        if self.verified_up_to == 0:
            return "Verified: the log is empty."
        return f"Verified up to entry {self.verified_up_to}."

    def line(self) -> ChainLine:
        text = self.describe()
        if self.last_hash:
            text += f" Hash of entry {self.verified_up_to}: {self.last_hash}."
        return ChainLine(self.ok, text, self.verified_up_to, self.last_hash)



def check_chain(tx: Transaction, progress: ProgressCallback | None = None, key: LogKey | None = None) -> ChainStatus:
    """Check every entry, in one pass, within the caller's transaction (a snapshot, so it sees one state).

    With the log key, every entry's MAC, the head's, and every register row's seal are checked too."""
    head = tx.audit.head()
    total = head[0] if head else 0
    watch = _ChainWatch(tx.audit.indexed_terms(), total, progress)
    report = verify_chain(watch.follow(tx.audit.records()), head, key, tx.audit.head_mac() if key else None)
    checked_at = datetime.now(timezone.utc)
    fingerprint = key.fingerprint if key else None
    if not report.ok:
        return ChainStatus(False, report.verified_up_to, total, report.bad_seq, report.problem,
                           watch.hash_of(report.verified_up_to), checked_at, fingerprint=fingerprint)
    if watch.index_problem:
        bad_seq, problem, last_hash = watch.index_problem
        return ChainStatus(False, bad_seq - 1, total, bad_seq, problem, last_hash, checked_at, fingerprint=fingerprint)
    last_hash = watch.hash_of(report.verified_up_to)
    if report.sealed and key is None:
        return ChainStatus(False, report.verified_up_to, total, None, NO_KEY_HERE, last_hash, checked_at)
    altered = altered_rows(tx, key, report.verified_up_to) if key else ()
    if altered:
        problem = (f"{len(altered)} register row(s) were changed outside the app and are treated as no consent: "
                   + "; ".join(altered) + ".")
        return ChainStatus(False, report.verified_up_to, total, None, problem, last_hash, checked_at, altered, fingerprint)
    return ChainStatus(True, report.verified_up_to, total, None, "", last_hash, checked_at, fingerprint=fingerprint)


def altered_rows(tx: Transaction, key: LogKey, last_entry: int) -> tuple[str, ...]:
    """Register rows whose seal does not hold, or that claim an entry the log does not have."""
    named = []
    for row in tx.register.sealed_rows():
        if row.sealed_seq is None or row.seal is None:
            named.append(f"{row.label} (not sealed)")
        elif not row.intact(key):
            named.append(f"{row.label} (seal does not match; last sealed by entry {row.sealed_seq})")
        elif not 0 < row.sealed_seq <= last_entry:
            named.append(f"{row.label} (claims entry {row.sealed_seq}, which the log does not hold)")
    return tuple(named)


class _ChainWatch:
    """Passes records on to verify_chain while noting their hashes, reporting progress and
    comparing each with the search terms storage holds for it."""

    def __init__(self, indexed: Iterable[AuditTerms], total: int, progress: ProgressCallback | None):
        self._indexed: Iterator[AuditTerms] = iter(indexed)
        self._next_indexed = next(self._indexed, None)
        self._total = total
        self._progress = progress
        self._last_two: list[tuple[int, str]] = []  # (seq, hash) of the records seen last
        self.index_problem: tuple[int, str, str | None] | None = None  # seq, what is wrong, hash before it

    def follow(self, records: Iterable[AuditRecord]) -> Iterator[AuditRecord]:
        for done, record in enumerate(records, start=1):
            self._last_two = [*self._last_two[-1:], (record.seq, record.entry_hash)]
            if self.index_problem is None:
                self._compare(record)
            if self._progress and done % _PROGRESS_EVERY == 0:
                self._progress(done, self._total)
            yield record
        if self._progress:
            self._progress(self._total, self._total)

    def hash_of(self, seq: int) -> str | None:
        """The hash of a record among the last two seen (verify_chain stops at most one past the last good one)."""
        return next((entry_hash for seen, entry_hash in self._last_two if seen == seq), None)

    def _compare(self, record: AuditRecord) -> None:
        while self._next_indexed is not None and self._next_indexed.seq < record.seq:
            self._next_indexed = next(self._indexed, None)
        stored = self._next_indexed
        try:
            content = record.content
        except ValueError:
            return  # the chain check reports this entry
        expected = terms_of(record.seq, content if isinstance(content, dict) else {})
        if stored is None or stored.seq != record.seq:
            problem = "it is missing from the search index, so filtered views and exports would leave it out."
        elif stored != expected:
            problem = "its search index terms were altered, so filtered views and exports could hide or misplace it."
        else:
            return
        self.index_problem = (record.seq, problem, self.hash_of(record.seq - 1))

