"""The audit chain: append-only entries, each sealed with the hash of the one before.

hash(n) = SHA-256(hash(n-1) || canonical JSON of entry n's content). Changing a byte,
deleting, inserting or reordering entries breaks the chain at the first entry affected.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable

from .clock import utc_timestamp  # noqa: F401  (kept importable from here for core/vetting until it moves)
from .audit_seal import ADOPTED_ENTRY_KIND, HEAD_TAMPERED_FIELD, KEYED_ENTRY_KIND, LogKey, matches

GENESIS_HASH = "0" * 64


def canonical_json(content: dict[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a file name whose bytes are not UTF-8, as Python decodes it) cannot be hashed or
        # stored as UTF-8: written as a JSON escape instead, which parses back to the same string, so the
        # entry verifies. Text that was valid UTF-8 is untouched, so existing chains keep their hashes.
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def safe_text(text: str) -> str:
    """`text` as valid Unicode for the log: bytes a file name held that are not UTF-8 (which Python keeps
    as lone surrogates) are written as \\xNN, so the name stays recognisable and every reader can show it."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") if _only_escapes(text) \
            else text.encode("utf-8", "backslashreplace").decode("utf-8")


def _only_escapes(text: str) -> bool:
    return all(not 0xD800 <= ord(char) <= 0xDFFF or 0xDC80 <= ord(char) <= 0xDCFF for char in text)


def chain_hash(previous_hash: str, canonical_content: str) -> str:
    return hashlib.sha256((previous_hash + canonical_content).encode("utf-8")).hexdigest()




@dataclass(frozen=True)
class AuditRecord:
    seq: int
    previous_hash: str
    entry_hash: str
    content_json: str
    mac: str | None = None  # the entry key's MAC over (seq, entry_hash); None before the log was keyed

    @cached_property
    def content(self) -> dict[str, Any]:
        """Parsed once per record: the chain check and the index check both read it."""
        return json.loads(self.content_json)


def seal(seq: int, previous_hash: str, content: dict[str, Any], key: LogKey | None = None) -> AuditRecord:
    text = canonical_json(content)
    entry_hash = chain_hash(previous_hash, text)
    return AuditRecord(seq, previous_hash, entry_hash, text, key.entry_mac(seq, entry_hash) if key else None)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    verified_up_to: int
    bad_seq: int | None = None
    problem: str = ""
    sealed: bool = False  # whether the log has a keyed part (its MACs are checked only when a key was given)

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.verified_up_to} audit entries verified."
        if self.bad_seq is None:
            return f"NOT VERIFIED: {self.problem}"
        return f"BROKEN at entry {self.bad_seq}: {self.problem}"


NOT_SEALED = "it is not sealed with the audit-log key (it was inserted, or written on a computer without the key)."
BAD_SEAL = "its seal does not match the audit-log key (it was forged, or rewritten with its hashes recomputed)."
NO_KEY_HERE = ("this computer does not hold the audit-log key, so the entries' seals cannot be checked here. "
               "An admin can import the key (rws key import FILE).")


def verify_chain(records: Iterable[AuditRecord], head: tuple[int, str] | None = None, key: LogKey | None = None,
                 head_mac: str | None = None) -> ChainReport:
    """Check records in storage order; `head` is the (seq, hash) last recorded separately, if any.

    Without `key` only the hash chain is checked (and `sealed` says whether there were MACs to check).
    With `key`, every entry from the start of the keyed part on must carry a matching MAC, and so
    must the head (`head_mac`). The keyed part starts at entry 1, or, for a log begun before keys
    existed, at its KEYED_ENTRY_KIND entry, whose MAC covers every entry before it through the hash.
    """
    expected_seq, previous_hash, last_good = 1, GENESIS_HASH, 0
    keyed = False
    unsealed: dict[int, str] = {}  # entries after the keyed start without a MAC, until a sealed entry adopts them
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
        if record.mac is None and keyed:
            unsealed[record.seq] = record.entry_hash
        if record.mac is not None and not keyed:
            if record.seq != 1 and record.content.get("kind") != KEYED_ENTRY_KIND:
                return ChainReport(False, last_good, record.seq, "the sealed part of the log starts at an entry that cannot start it (entries before it were unsealed).")
            keyed = True
        if record.mac is not None and key is not None and not matches(key.entry_mac(record.seq, record.entry_hash), record.mac):
            return ChainReport(False, last_good, record.seq, BAD_SEAL)
        if keyed and record.content.get(HEAD_TAMPERED_FIELD):
            return ChainReport(False, last_good, record.seq, "when it was written, the log's recorded head did not carry its "
                                                             "seal: entries had been removed from the end just before it.")
        if keyed and record.mac is not None and record.content.get("kind") == ADOPTED_ENTRY_KIND:
            for pair in record.content.get("entries") or []:
                if isinstance(pair, list) and len(pair) == 2 and unsealed.get(pair[0]) == pair[1]:
                    del unsealed[pair[0]]
        previous_hash, last_good, expected_seq = record.entry_hash, record.seq, record.seq + 1
    if head is not None and head != (last_good, previous_hash if last_good else GENESIS_HASH):
        head_seq = head[0]
        if head_seq > last_good:
            return ChainReport(False, last_good, last_good + 1, f"entries {last_good + 1} to {head_seq} are missing from the end.")
        return ChainReport(False, last_good, head_seq, "the recorded head of the log does not match the entries.")
    if unsealed:
        first = min(unsealed)
        return ChainReport(False, first - 1, first, NOT_SEALED)
    if key is not None and last_good and not keyed:
        return ChainReport(False, 0, 1, "no entry is sealed with this computer's audit-log key: the log was rewritten or replaced.")
    if key is not None and keyed and head is not None and not matches(key.head_mac(*head), head_mac):
        return ChainReport(False, last_good, last_good, "the recorded head of the log is not sealed with the key (entries may have been removed from the end).")
    return ChainReport(True, last_good, sealed=keyed)
