"""Carrying the reference-face key and the audit-log key to another PC that shares the database
(PostgreSQL), for admins. One file holds both: a PC needs both to recognise anyone.

The key file holds the key in the clear: it is written readable by its owner only, and should
be moved on removable media and deleted once imported.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path

from .core.kernel.audit_entries import audit_entry
from .core.kernel.permissions import Action
from .core.kernel.session import Session
from .keys import KeyStore
from .storage import Database, StorageError
from .storage.log_key import install_log_key, unlock_audit_log
from .storage.template_key import KeyStatus, held_key, install_key


def export_key(database: Database, keys: KeyStore, session: Session, path: Path) -> str:
    session.require(Action.MANAGE_KEY)
    key_id, key = held_key(database, keys)
    document = {"rws_reference_face_key": key_id, "key": base64.b64encode(key).decode("ascii")}
    if database.log_key is not None:
        document |= {"audit_log_key": database.log_key.key_id,
                     "log_key": base64.b64encode(database.log_key.secret).decode("ascii")}
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        json.dump(document, handle)
    _record(database, session, "reference_face_key_exported", key_id)
    return key_id


def import_key(database: Database, keys: KeyStore, session: Session, path: Path) -> KeyStatus:
    session.require(Action.MANAGE_KEY)
    try:
        document = json.loads(path.read_text(encoding="ascii"))
        key_id, key = document["rws_reference_face_key"], base64.b64decode(document["key"], validate=True)
        log_secret = base64.b64decode(document["log_key"], validate=True) if "log_key" in document else None
    except (OSError, ValueError, KeyError, TypeError, binascii.Error) as error:
        raise StorageError(f"{path} is not a key file exported by rws key export ({error}).") from None
    status = install_key(database, keys, key_id, key)
    if log_secret is not None:
        install_log_key(database, keys, key_id, log_secret)
    log_status = unlock_audit_log(database, keys, key_id)
    if not log_status.ready:
        database.use_template_cipher(None)
        status = KeyStatus(False, key_id, log_status.message)
    database.adopt_unsealed_appends(session.initials)
    _record(database, session, "reference_face_key_imported", key_id)
    return status


def _record(database: Database, session: Session, kind: str, key_id: str) -> None:
    with database.transaction() as tx:
        tx.audit.append(audit_entry(kind, session.initials, key_id=key_id))
