"""Checkpoints for the auditor: made from a verified log, and compared with the log later.

A checkpoint is only signed over a log that verifies, so a saved checkpoint never vouches for a
log that was already broken. Comparing proves the log still holds exactly entries 1..N as they
were: the hash of entry N covers them all, so even someone holding the log key cannot rewrite
them and keep that hash.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..kernel.clock import utc_timestamp
from ..kernel.audit_seal import LogKey
from ..kernel.checkpoint import Checkpoint, sign_checkpoint
from ..kernel.ports import Transaction
from .status import ChainStatus


class CheckpointUnavailable(Exception):
    """No checkpoint can be made now, said why."""


@dataclass(frozen=True)
class CheckpointCheck:
    ok: bool
    message: str


def make_checkpoint(status: ChainStatus, key: LogKey | None) -> Checkpoint:
    if key is None:
        raise CheckpointUnavailable("This computer does not hold the audit-log key, so it cannot sign a checkpoint.")
    if not status.ok:
        raise CheckpointUnavailable(f"The log does not verify, so no checkpoint is signed: {status.describe()}")
    if status.verified_up_to == 0 or status.last_hash is None:
        raise CheckpointUnavailable("The log is empty: there is nothing to checkpoint yet.")
    return sign_checkpoint(key, status.verified_up_to, status.last_hash, utc_timestamp())


def compare_checkpoint(checkpoint: Checkpoint, tx: Transaction, status: ChainStatus, key: LogKey | None) -> CheckpointCheck:
    """Whether the log (checked as `status`, in transaction `tx`) still holds what `checkpoint` covered."""
    if not checkpoint.signature_valid():
        return CheckpointCheck(False, "The checkpoint's signature does not hold.")
    if key is not None and checkpoint.public_key != key.public_key:
        return CheckpointCheck(False, f"The checkpoint was signed by key {checkpoint.fingerprint}, not by this log's key "
                                      f"{key.fingerprint}.")
    covered = f"entries 1 to {checkpoint.entry} (checkpoint of {checkpoint.at})"
    if status.verified_up_to < checkpoint.entry and status.bad_seq is not None:
        return CheckpointCheck(False, f"The log no longer holds {covered} intact: it breaks at entry {status.bad_seq}.")
    record = tx.audit.get(checkpoint.entry)
    if record is None:
        return CheckpointCheck(False, f"The log no longer holds {covered}: entry {checkpoint.entry} is gone (it was cut short).")
    if record.entry_hash != checkpoint.head_hash:
        return CheckpointCheck(False, f"The log no longer holds {covered} as they were: entry {checkpoint.entry}'s hash "
                                      f"is {record.entry_hash}, the checkpoint says {checkpoint.head_hash}. "
                                      "Those entries were rewritten.")
    if status.verified_up_to < checkpoint.entry:
        return CheckpointCheck(False, f"The log's check stopped before entry {checkpoint.entry}: {status.describe()}")
    return CheckpointCheck(True, f"The log still holds exactly {covered}; key {checkpoint.fingerprint}.")
