"""Carrying the reference-face key to another PC that shares the database (PostgreSQL), for admins.

The key file holds the key in the clear: it is written readable by its owner only, and should
be moved on removable media and deleted once imported.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path

from .core.kernel.audit_chain import utc_timestamp
from .core.kernel.permissions import Action
from .core.kernel.session import Session
from .keys import KeyStore
from .storage import Database, StorageError
from .storage.template_key import KeyStatus, held_key, install_key


def export_key(database: Database, keys: KeyStore, session: Session, path: Path) -> str:
    session.require(Action.MANAGE_KEY)
    key_id, key = held_key(database, keys)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        json.dump({"rws_reference_face_key": key_id, "key": base64.b64encode(key).decode("ascii")}, handle)
    _record(database, session, "reference_face_key_exported", key_id)
    return key_id


def import_key(database: Database, keys: KeyStore, session: Session, path: Path) -> KeyStatus:
    session.require(Action.MANAGE_KEY)
    try:
        document = json.loads(path.read_text(encoding="ascii"))
        key_id, key = document["rws_reference_face_key"], base64.b64decode(document["key"], validate=True)
    except (OSError, ValueError, KeyError, TypeError, binascii.Error) as error:
        raise StorageError(f"{path} is not a key file exported by rws key export ({error}).") from None
    status = install_key(database, keys, key_id, key)
    _record(database, session, "reference_face_key_imported", key_id)
    return status


def _record(database: Database, session: Session, kind: str, key_id: str) -> None:
    with database.transaction() as tx:
        tx.audit.append({"kind": kind, "at": utc_timestamp(), "user": session.initials, "key_id": key_id})
