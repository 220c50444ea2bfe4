"""Making and finding the key that encrypts reference faces, for the database being opened.

The database keeps only the key's identity and a check value (`ports.RecordedKey`); the key is in a
key store on each PC. The first start creates the key and, in the same transaction, encrypts any
reference faces stored before encryption existed. That happens once only: afterwards a plain
encoding in the table is treated as altered.
"""
from __future__ import annotations

import logging
import secrets

from ..kernel.audit_entries import SYSTEM_USER, audit_entry
from ..kernel.ports import StoreUnavailable
from .log_key import key_the_log
from .ports import KeyedStore, KeyStore, RecordedKey, read_key
from .status import KeyRefused, KeyStatus, missing_key_message
from .template_cipher import KEY_BYTES, TemplateCipher

log = logging.getLogger(__name__)


def unlock_reference_faces(store: KeyedStore, keys: KeyStore) -> KeyStatus:
    """Give `store` its reference-face key: found in `keys`, or made on the very first start."""
    with store.transaction() as tx:
        recorded = tx.template_key.current()
    if recorded is None:
        return _create(store, keys)
    return _load(store, keys, recorded)


def install_key(store: KeyedStore, keys: KeyStore, key_id: str, key: bytes) -> KeyStatus:
    """Keep a key brought from another PC, once it is shown to be this database's."""
    with store.transaction() as tx:
        recorded = tx.template_key.current()
    if recorded is None or recorded.key_id != key_id:
        raise KeyRefused(f"That key ({key_id}) is not the one this database uses"
                         f"{f' ({recorded.key_id})' if recorded else ''}; export the key from a PC using this database.")
    if len(key) != KEY_BYTES or not TemplateCipher(key, key_id).matches(recorded.check):
        raise KeyRefused("That key file does not hold this database's key (it may be damaged); export it again.")
    if read_key(keys, key_id) != key:  # a PC that holds it already keeps it as it is
        keys.save(key_id, key)
    return _load(store, keys, recorded)


def held_key(store: KeyedStore, keys: KeyStore) -> tuple[str, bytes]:
    """This database's key id and key, for an admin to carry to another PC."""
    with store.transaction() as tx:
        recorded = tx.template_key.current()
    key = keys.load(recorded.key_id) if recorded else None
    if key is None:
        raise KeyRefused("This computer does not hold this database's reference-face key, so it cannot export it.")
    return recorded.key_id, key


def _create(store: KeyedStore, keys: KeyStore) -> KeyStatus:
    key = TemplateCipher.new_key()
    cipher = TemplateCipher(key, secrets.token_hex(8))
    try:
        where = keys.save(cipher.key_id, key)
    except Exception as error:
        log.warning("The reference-face key could not be kept: %s", error)
        return KeyStatus(False, None, f"The key that encrypts reference faces could not be kept ({error}). Nobody can "
                                      "be enrolled or recognised until it can: check the app's data folder can be written.")
    # The log key goes with it, before anything is logged, so the very first entry is sealed.
    with store.snapshot() as tx:
        head = tx.audit.head()
        already_keyed = tx.audit.first_sealed() is not None
    if not already_keyed:
        key_the_log(store, keys, cipher.key_id, head[0] if head else 0)
    try:
        with store.transaction() as tx:
            tx.template_key.create(cipher)
            sealed = tx.template_key.seal_plain_encodings(cipher)
            tx.audit.append(audit_entry("reference_face_key_created", SYSTEM_USER, key_id=cipher.key_id,
                                        reference_faces_encrypted=sealed))
    except StoreUnavailable:
        with store.transaction() as tx:
            recorded = tx.template_key.current()
        if recorded is None:
            raise
        return _load(store, keys, recorded)  # another PC made the key first
    if sealed:
        store.discard_replaced_pages()  # the plain encodings must not live on outside the file
    store.use_template_cipher(cipher)
    return KeyStatus(True, cipher.key_id, f"Reference faces are encrypted with a key kept in {where}.")


def _load(store: KeyedStore, keys: KeyStore, recorded: RecordedKey) -> KeyStatus:
    key_id = recorded.key_id
    key = read_key(keys, key_id)
    if key is None:
        store.use_template_cipher(None)
        return KeyStatus(False, key_id, missing_key_message(key_id))
    cipher = TemplateCipher(key, key_id) if len(key) == KEY_BYTES else None
    if cipher is None or not cipher.matches(recorded.check):
        store.use_template_cipher(None)
        return KeyStatus(False, key_id, f"The reference-face key kept on this computer under {key_id} is not the one "
                                        "this database was encrypted with. " + missing_key_message(key_id))
    store.use_template_cipher(cipher)
    return KeyStatus(True, key_id, f"Reference faces are encrypted; this computer holds the key ({key_id}).")

