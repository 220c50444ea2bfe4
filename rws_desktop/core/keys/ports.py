"""What the key service needs from outside the core: a place on this computer to keep keys, and the
database's record of which key it uses.

`KeyStore` is implemented over the OS keyring or a private file (`rws_desktop.keys`); `KeyedStore`
by the storage package's `Database`, whose transactions carry `template_key` and `sealer` besides
the audit repository.
"""
from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from ..kernel.audit_seal import LogKey
from ..kernel.ports import AuditRepository
from .template_cipher import TemplateCipher

log = logging.getLogger(__name__)


class KeyStore(Protocol):
    """Where this computer keeps keys, by id: never the database."""

    def load(self, key_id: str) -> bytes | None: ...

    def save(self, key_id: str, key: bytes) -> str:
        """Keep the key; returns where, in words."""


def read_key(keys: KeyStore, key_id: str) -> bytes | None:
    """The key kept under `key_id`, or None when there is none or it cannot be read (a locked keyring)."""
    try:
        return keys.load(key_id)
    except Exception as error:  # keyring backends raise many kinds of error
        log.warning("The key %s could not be read: %s", key_id, error)
        return None


@dataclass(frozen=True)
class RecordedKey:
    """What the database keeps of its reference-face key: its identity and a check value, never the key."""

    key_id: str
    check: bytes


class TemplateKeyRecords(Protocol):
    def current(self) -> RecordedKey | None: ...

    def create(self, cipher: TemplateCipher) -> None:
        """Record the key's identity and check value; fails (StoreUnavailable) when another PC did first."""

    def seal_plain_encodings(self, cipher: TemplateCipher) -> int:
        """Encrypt reference faces stored before encryption existed, in place; returns how many."""


class RowSeals(Protocol):
    def any_rows(self) -> bool:
        """Whether the register holds any row that would need sealing."""

    def seal_everything(self, seq: int) -> int:
        """Seal every register row as made by entry `seq`; returns how many."""


class KeyTransaction(Protocol):
    audit: AuditRepository
    template_key: TemplateKeyRecords
    sealer: RowSeals


class KeyedStore(Protocol):
    """The database as the key service sees it: the keys it is given, and its record of them."""

    @property
    def log_key(self) -> LogKey | None: ...

    def transaction(self) -> AbstractContextManager[KeyTransaction]: ...

    def snapshot(self) -> AbstractContextManager[KeyTransaction]: ...

    def use_template_cipher(self, cipher: TemplateCipher | None) -> None: ...

    def use_log_key(self, key: LogKey | None) -> None: ...

    def adopt_unsealed_appends(self, user: str) -> int:
        """Once the log key has arrived, vouch in one sealed entry for those this process wrote without it."""

    def discard_replaced_pages(self) -> None:
        """Leave no copy of rows rewritten in place outside the database file (SQLite's write-ahead log)."""
