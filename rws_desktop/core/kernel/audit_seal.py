"""The audit-log key: what makes the log and the register impossible to forge quietly.

One 32-byte secret, kept outside the database like the reference-face key (OS keyring, else a
0600 key file), gives three keys by HKDF-SHA256, one per purpose:
- the entry key: an HMAC-SHA256 over each entry's (seq, hash), and over the recorded head.
  The hash chains every earlier entry, so one MAC covers the whole log up to that entry;
- the row key: an HMAC over each register row that decides who is shown, with the audit entry
  that made it. A row whose seal does not match is treated as missing: no consent;
- the checkpoint key: Ed25519, signing checkpoints (entry number, head hash, time) that the
  auditor keeps outside the database (see kernel/checkpoint.py).
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

LOG_KEY_BYTES = 32
LOG_KEY_PREFIX = "log-"  # a log key's id is this plus the reference-face key's id
# The entry that starts the keyed part of a log begun before keys existed (see README).
KEYED_ENTRY_KIND = "audit_log_keyed"
# The sealed entry by which a computer that has just received the key vouches for the entries it
# wrote without it in the same run (such as the sign-in before `rws key import`).
ADOPTED_ENTRY_KIND = "audit_entries_adopted"
# Set on an entry appended when the recorded head's MAC did not match: the log had been cut short.
HEAD_TAMPERED_FIELD = "head_found_unsealed"


def log_key_id(template_key_id: str) -> str:
    """The log key that goes with a reference-face key: found by name, so no database row can hide it."""
    return f"{LOG_KEY_PREFIX}{template_key_id}"


class LogKey:
    """The derived keys of one audit-log secret."""

    def __init__(self, secret: bytes, key_id: str):
        if len(secret) != LOG_KEY_BYTES:
            raise ValueError("the audit-log key must be 32 bytes")
        self.key_id = key_id
        self.secret = secret
        self._entry_key = _derive(secret, b"rws audit entry mac v1")
        self._row_key = _derive(secret, b"rws register row seal v1")
        self._signing = Ed25519PrivateKey.from_private_bytes(_derive(secret, b"rws checkpoint ed25519 v1"))

    @staticmethod
    def new_secret() -> bytes:
        import secrets

        return secrets.token_bytes(LOG_KEY_BYTES)

    def entry_mac(self, seq: int, entry_hash: str) -> str:
        return _mac(self._entry_key, f"entry|{seq}|{entry_hash}")

    def head_mac(self, seq: int, entry_hash: str) -> str:
        return _mac(self._entry_key, f"head|{seq}|{entry_hash}")

    def row_seal(self, table: str, fields: dict[str, Any], sealed_seq: int) -> str:
        """The seal of one register row, as made by the entry `sealed_seq`."""
        return _mac(self._row_key, canonical_row(table, fields, sealed_seq))

    def sign(self, message: bytes) -> bytes:
        return self._signing.sign(message)

    @property
    def public_key(self) -> bytes:
        # Raw bytes without cryptography's serialization package: importing it (its SSH part) took 0.05 s a start.
        return self._signing.public_key().public_bytes_raw()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)


def matches(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected, given)


def fingerprint(public_key: bytes) -> str:
    """What people compare: the first 16 bytes of the public key's SHA-256, in groups of four hex digits."""
    digest = hashlib.sha256(public_key).hexdigest()[:32]
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def canonical_row(table: str, fields: dict[str, Any], sealed_seq: int) -> str:
    return json.dumps([table, sealed_seq, {name: _plain(value) for name, value in fields.items()}],
                      sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class SealedRow:
    """One register row as storage holds it, to check its seal: `fields` are the values the seal covers."""

    table: str
    label: str  # what verify names it by, e.g. "photo consent of person 3 for instagram"
    person_id: int
    fields: dict[str, Any]
    sealed_seq: int | None
    seal: str | None

    def intact(self, key: LogKey) -> bool:
        return self.sealed_seq is not None and matches(key.row_seal(self.table, self.fields, self.sealed_seq), self.seal)


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
