"""Signed checkpoints of the audit log, kept outside the database (in the spirit of RFC 6962).

A checkpoint says "the log held N entries and entry N's hash was H, at time T", signed with the
log's Ed25519 key. Because each hash covers every entry before it, a log that still has entry N
with hash H still holds exactly the entries 1..N the checkpoint covered: rewriting any of them,
even with the key, changes H. The auditor keeps the file; `rws audit verify --checkpoint FILE`
compares it with the log.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from .audit_seal import LogKey, fingerprint, verify_signature

FORMAT = "rws-audit-checkpoint-1"


class CheckpointError(Exception):
    """A checkpoint file that cannot be read or whose signature does not hold, in plain words."""


@dataclass(frozen=True)
class Checkpoint:
    entry: int
    head_hash: str
    at: str  # ISO 8601 UTC
    public_key: bytes
    signature: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def signature_valid(self) -> bool:
        return verify_signature(self.public_key, self.signature, _message(self.entry, self.head_hash, self.at))

    def line(self) -> str:
        """How reports print it."""
        return (f"Checkpoint: entry {self.entry}, hash {self.head_hash}, at {self.at}; "
                f"signed by key {self.fingerprint}.")

    def to_signature_text(self) -> str:
        return _b64(self.signature)

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT, "entry": self.entry, "head_hash": self.head_hash, "at": self.at,
            "public_key": _b64(self.public_key), "signature": _b64(self.signature),
            "fingerprint": self.fingerprint,
        }, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Checkpoint":
        try:
            document: dict[str, Any] = json.loads(text)
            if document.get("format") != FORMAT:
                raise ValueError("not a checkpoint of this app")
            entry, head_hash, at = document["entry"], document["head_hash"], document["at"]
            if not isinstance(entry, int) or not isinstance(head_hash, str) or not isinstance(at, str):
                raise ValueError("odd field types")
            checkpoint = cls(entry, head_hash, at, base64.b64decode(document["public_key"], validate=True),
                             base64.b64decode(document["signature"], validate=True))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise CheckpointError(f"This is not a checkpoint file saved by RWS Photo Check ({error}).") from None
        if not checkpoint.signature_valid():
            raise CheckpointError("The checkpoint's signature does not hold: the file was altered, or not made by this app.")
        return checkpoint


def sign_checkpoint(key: LogKey, entry: int, head_hash: str, at: str) -> Checkpoint:
    return Checkpoint(entry, head_hash, at, key.public_key, key.sign(_message(entry, head_hash, at)))


def _message(entry: int, head_hash: str, at: str) -> bytes:
    return f"{FORMAT}|{entry}|{head_hash}|{at}".encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
