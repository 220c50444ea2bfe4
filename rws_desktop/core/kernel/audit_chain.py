"""The audit chain: append-only entries, each sealed with the hash of the one before.

hash(n) = SHA-256(hash(n-1) || canonical JSON of entry n's content). Changing a byte,
deleting, inserting or reordering entries breaks the chain at the first entry affected.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime, timezone
from typing import Any, Iterable

GENESIS_HASH = "0" * 64


def canonical_json(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def chain_hash(previous_hash: str, canonical_content: str) -> str:
    return hashlib.sha256((previous_hash + canonical_content).encode("utf-8")).hexdigest()


def utc_timestamp(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    previous_hash: str
    entry_hash: str
    content_json: str

    @cached_property
    def content(self) -> dict[str, Any]:
        """Parsed once per record: the chain check and the index check both read it."""
        return json.loads(self.content_json)


def seal(seq: int, previous_hash: str, content: dict[str, Any]) -> AuditRecord:
    text = canonical_json(content)
    return AuditRecord(seq, previous_hash, chain_hash(previous_hash, text), text)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    verified_up_to: int
    bad_seq: int | None = None
    problem: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.verified_up_to} audit entries verified."
        return f"BROKEN at entry {self.bad_seq}: {self.problem}"


def verify_chain(records: Iterable[AuditRecord], head: tuple[int, str] | None = None) -> ChainReport:
    """Check records in storage order; `head` is the (seq, hash) last recorded separately, if any."""
    expected_seq, previous_hash, last_good = 1, GENESIS_HASH, 0
    for record in records:
        if record.seq != expected_seq:
            what = "missing" if record.seq > expected_seq else "out of order or duplicated"
            return ChainReport(False, last_good, expected_seq, f"entry {expected_seq} is {what} (found {record.seq}).")
        if record.previous_hash != previous_hash:
            return ChainReport(False, last_good, record.seq, "it does not follow the entry before it (an entry was removed, inserted or reordered).")
        try:
            canonical = canonical_json(record.content)
        except ValueError:
            return ChainReport(False, last_good, record.seq, "its content is not valid JSON (it was altered).")
        if canonical != record.content_json or chain_hash(previous_hash, canonical) != record.entry_hash:
            return ChainReport(False, last_good, record.seq, "its content or hash was altered.")
        previous_hash, last_good, expected_seq = record.entry_hash, record.seq, record.seq + 1
    if head is not None and head != (last_good, previous_hash if last_good else GENESIS_HASH):
        head_seq = head[0]
        if head_seq > last_good:
            return ChainReport(False, last_good, last_good + 1, f"entries {last_good + 1} to {head_seq} are missing from the end.")
        return ChainReport(False, last_good, head_seq, "the recorded head of the log does not match the entries.")
    return ChainReport(True, last_good)
