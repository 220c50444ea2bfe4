"""Finding, or on the first keyed start making, the audit-log key of the database being opened.

The key is kept in the same key store as the reference-face key, under a name made from that
key's id (`log_key_id`), so no change to the database can hide that this computer keyed the log.
A log begun before keys existed is keyed once: an `audit_log_keyed` entry is appended (its MAC
covers every earlier entry through the hash chain) and every register row is sealed as made by it.
"""
from __future__ import annotations

import logging

from ..kernel.audit_entries import SYSTEM_USER, audit_entry
from ..kernel.audit_seal import KEYED_ENTRY_KIND, LOG_KEY_BYTES, LogKey, log_key_id, matches
from ..kernel.ports import StoreUnavailable
from .ports import KeyedStore, KeyStore, read_key
from .status import KeyRefused, KeyStatus, missing_log_key_message

log = logging.getLogger(__name__)


def unlock_audit_log(store: KeyedStore, keys: KeyStore, template_key_id: str, may_create: bool = True) -> KeyStatus:
    """Give `store` its audit-log key: found in `keys`, or (if `may_create`) made when the log has never been keyed."""
    key_id = log_key_id(template_key_id)
    secret = read_key(keys, key_id)
    with store.snapshot() as tx:
        first_sealed = tx.audit.first_sealed()
        head = tx.audit.head()
    if secret is not None:
        key = _sealing_key(secret, key_id, first_sealed)
        if key is None:
            store.use_log_key(None)
            return KeyStatus(False, key_id, "The audit-log key kept on this computer is not this log's. "
                                            + missing_log_key_message(key_id))
        store.use_log_key(key)
        return KeyStatus(True, key_id, f"The audit log is sealed with key {key.fingerprint}.")
    if first_sealed is not None or not may_create:
        store.use_log_key(None)
        return KeyStatus(False, key_id, missing_log_key_message(key_id))
    return key_the_log(store, keys, template_key_id, head[0] if head else 0)


def install_log_key(store: KeyedStore, keys: KeyStore, template_key_id: str, secret: bytes) -> None:
    """Keep a log key brought from another PC, once it is shown to seal this log."""
    key_id = log_key_id(template_key_id)
    with store.snapshot() as tx:
        first_sealed = tx.audit.first_sealed()
    if _sealing_key(secret, key_id, first_sealed) is None:
        raise KeyRefused("That key file's audit-log key does not seal this database's log (it may be damaged); "
                         "export it again.")
    if read_key(keys, key_id) != secret:  # a PC that holds it already keeps it as it is
        keys.save(key_id, secret)


def key_the_log(store: KeyedStore, keys: KeyStore, template_key_id: str, entries_before: int) -> KeyStatus:
    """Make the log key, keep it, and (for a log with entries) seal the log and register with it."""
    key = LogKey(LogKey.new_secret(), log_key_id(template_key_id))
    try:
        keys.save(key.key_id, key.secret)
    except Exception as error:
        log.warning("The audit-log key could not be kept: %s", error)
        return KeyStatus(False, None, f"The audit-log key could not be kept ({error}); check the app's data folder can be written.")
    store.use_log_key(key)
    try:
        with store.transaction() as tx:
            if not entries_before and not tx.sealer.any_rows():
                return KeyStatus(True, key.key_id, f"The audit log is sealed with key {key.fingerprint}.")
            if tx.audit.first_sealed() is not None:
                raise StoreUnavailable("another computer keyed the audit log first")
            record = tx.audit.append(audit_entry(KEYED_ENTRY_KIND, SYSTEM_USER, key_id=key.key_id,
                                                 keyed_from=entries_before + 1, fingerprint=key.fingerprint))
            sealed = tx.sealer.seal_everything(record.seq)
    except StoreUnavailable as error:
        store.use_log_key(None)
        return KeyStatus(False, key.key_id, f"The audit log could not be keyed ({error}). " + missing_log_key_message(key.key_id))
    log.info("Audit log keyed at entry %s; %s register rows sealed.", record.seq, sealed)
    return KeyStatus(True, key.key_id, f"The audit log is sealed with key {key.fingerprint}.")


def _sealing_key(secret: bytes, key_id: str, first_sealed) -> LogKey | None:
    """The log key made from `secret`, or None when it cannot be one or does not seal this log's first sealed entry."""
    key = LogKey(secret, key_id) if len(secret) == LOG_KEY_BYTES else None
    if key is None or (first_sealed and not matches(key.entry_mac(first_sealed.seq, first_sealed.entry_hash), first_sealed.mac)):
        return None
    return key
