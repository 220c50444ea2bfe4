"""The key service: unlocking both keys when a database is opened, and an admin carrying them to
another PC in a key file, each export and import checked against the session and audited.

The window and `rws key` both go through `KeyTransferService`, so a file exported by one is read
by the other.
"""
from __future__ import annotations

from pathlib import Path

from ..kernel.audit_entries import audit_entry
from ..kernel.permissions import Action, requires
from ..kernel.session import Session
from .key_file import CarriedKeys, check_passphrase, read_key_file, write_key_file
from .log_key import install_log_key, unlock_audit_log
from .ports import KeyedStore, KeyStore
from .reference_face_key import held_key, install_key, unlock_reference_faces
from .status import KeyStatus


def unlock_keys(store: KeyedStore, keys: KeyStore) -> KeyStatus:
    """The reference-face key, then the audit-log key named after it. Recognition needs both: a PC that
    can recognise people but cannot check the register's seals would trust rows edited outside the app."""
    status = unlock_reference_faces(store, keys)
    if status.key_id is None:
        store.use_log_key(None)
        return status
    # Only a PC holding the reference-face key keys a log that was never keyed, so PCs agree on one key.
    log_status = unlock_audit_log(store, keys, status.key_id, may_create=status.ready)
    if log_status.ready or not status.ready:
        return status
    store.use_template_cipher(None)
    return KeyStatus(False, status.key_id, log_status.message)


class KeyTransferService:
    """Export and import of the keys for PCs sharing one database (PostgreSQL); admins only."""

    def __init__(self, store: KeyedStore, keys: KeyStore, session: Session):
        self.store = store
        self.keys = keys
        self.session = session

    @requires(Action.MANAGE_KEY)
    def export(self, path: Path, passphrase: str) -> str:
        """Write both keys to `path`, sealed with `passphrase`; returns the reference-face key's id."""
        check_passphrase(passphrase)
        key_id, key = held_key(self.store, self.keys)
        log_key = self.store.log_key
        carried = CarriedKeys(key_id, key, log_key.key_id if log_key else None, log_key.secret if log_key else None)
        write_key_file(path, carried, passphrase)
        self._record("reference_face_key_exported", key_id)
        return key_id

    @requires(Action.MANAGE_KEY)
    def import_file(self, path: Path, passphrase: str | None) -> KeyStatus:
        """Keep the keys in `path` on this computer (`passphrase` opens a sealed file); returns the new status."""
        carried = read_key_file(path, passphrase)
        status = install_key(self.store, self.keys, carried.key_id, carried.key)
        if carried.log_secret is not None:
            install_log_key(self.store, self.keys, carried.key_id, carried.log_secret)
        log_status = unlock_audit_log(self.store, self.keys, carried.key_id)
        if not log_status.ready:
            self.store.use_template_cipher(None)
            status = KeyStatus(False, carried.key_id, log_status.message)
        self.store.adopt_unsealed_appends(self.session.initials)
        self._record("reference_face_key_imported", carried.key_id)
        return status

    def _record(self, kind: str, key_id: str) -> None:
        with self.store.transaction() as tx:
            tx.audit.append(audit_entry(kind, self.session.initials, key_id=key_id))
