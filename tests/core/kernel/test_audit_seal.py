"""The audit-log key: MACs on entries and the head, register row seals, and signed checkpoints."""
from __future__ import annotations

import json
from datetime import date

import pytest

from rws_desktop.core.kernel.audit_chain import GENESIS_HASH, seal, verify_chain
from rws_desktop.core.kernel.audit_seal import ADOPTED_ENTRY_KIND, KEYED_ENTRY_KIND, LogKey, SealedRow
from rws_desktop.core.kernel.checkpoint import Checkpoint, CheckpointError, sign_checkpoint

KEY = LogKey(bytes(range(32)), "log-test")
OTHER = LogKey(bytes(32), "log-other")


def chain(contents, key=KEY, unsealed=()):
    records, previous = [], GENESIS_HASH
    for seq, content in enumerate(contents, start=1):
        record = seal(seq, previous, content, None if seq in unsealed else key)
        records.append(record)
        previous = record.entry_hash
    return records


def head_of(records, key=KEY):
    last = records[-1]
    return (last.seq, last.entry_hash), key.head_mac(last.seq, last.entry_hash)


def test_a_sealed_chain_verifies_with_its_key_and_not_with_another():
    """Entries sealed with a key verify with that key; with another key the first entry is named as forged."""
    records = chain([{"kind": "a"}, {"kind": "b"}, {"kind": "c"}])
    head, mac = head_of(records)
    assert verify_chain(records, head, KEY, mac).ok
    report = verify_chain(records, head, OTHER, mac)
    assert not report.ok and report.bad_seq == 1 and "seal does not match" in report.problem


def test_an_entry_appended_without_the_key_is_named_unless_adopted():
    """An unsealed entry after the keyed start fails verification, until a sealed adoption entry vouches for its hash."""
    records = chain([{"kind": "a"}, {"kind": "signed_in"}], unsealed={2})
    head, mac = head_of(records)
    report = verify_chain(records, head, KEY, mac)
    assert not report.ok and report.bad_seq == 2 and "not sealed" in report.problem
    adopted = chain([{"kind": "a"}, {"kind": "signed_in"},
                     {"kind": ADOPTED_ENTRY_KIND, "entries": [[2, records[1].entry_hash]]}], unsealed={2})
    head, mac = head_of(adopted)
    assert verify_chain(adopted, head, KEY, mac).ok
    wrong = chain([{"kind": "a"}, {"kind": "signed_in"}, {"kind": ADOPTED_ENTRY_KIND, "entries": [[2, "0" * 64]]}], unsealed={2})
    head, mac = head_of(wrong)
    assert verify_chain(wrong, head, KEY, mac).bad_seq == 2


def test_an_older_log_is_sealed_from_its_keyed_entry_and_nowhere_else():
    """Unsealed entries before an audit_log_keyed entry are accepted (its MAC covers them); a sealed part that
    starts at any other entry, or a head without its MAC, is refused; with the key, a log with no MAC at all is refused."""
    legacy = chain([{"kind": "a"}, {"kind": "b"}, {"kind": KEYED_ENTRY_KIND}, {"kind": "c"}], unsealed={1, 2})
    head, mac = head_of(legacy)
    assert verify_chain(legacy, head, KEY, mac).ok
    assert not verify_chain(legacy, head, KEY, "f" * 64).ok
    odd_start = chain([{"kind": "a"}, {"kind": "b"}, {"kind": "c"}], unsealed={1})
    head, mac = head_of(odd_start)
    assert verify_chain(odd_start, head, KEY, mac).bad_seq == 2
    bare = chain([{"kind": "a"}, {"kind": "b"}], key=None)
    assert verify_chain(bare, (2, bare[-1].entry_hash)).ok  # without a key only the hash chain is checked
    assert verify_chain(bare, (2, bare[-1].entry_hash), KEY, None).bad_seq == 1


def test_a_row_seal_covers_every_field_and_the_entry_that_made_it():
    """A row's seal breaks when any covered value or its entry number changes."""
    fields = {"person_id": 3, "channel": "all", "status": "withdrawn", "given_on": date(2026, 9, 1), "may_be_named": False}
    sealed = SealedRow("photo_consent", "x", 3, fields, 12, KEY.row_seal("photo_consent", fields, 12))
    assert sealed.intact(KEY)
    assert not SealedRow("photo_consent", "x", 3, {**fields, "status": "granted"}, 12, sealed.seal).intact(KEY)
    assert not SealedRow("photo_consent", "x", 3, fields, 13, sealed.seal).intact(KEY)
    assert not SealedRow("photo_consent", "x", 3, fields, 12, sealed.seal).intact(OTHER)


def test_a_checkpoint_round_trips_and_any_change_breaks_its_signature():
    """A saved checkpoint reads back with a valid signature; changing its entry, hash or key is refused in plain words."""
    checkpoint = sign_checkpoint(KEY, 41, "ab" * 32, "2026-12-01T09:00:00.000000Z")
    text = checkpoint.to_json()
    again = Checkpoint.from_json(text)
    assert again == checkpoint and again.fingerprint == KEY.fingerprint and len(KEY.fingerprint.split()) == 8
    document = json.loads(text)
    for field, value in (("entry", 40), ("head_hash", "cd" * 32), ("at", "2027-01-01T00:00:00.000000Z")):
        with pytest.raises(CheckpointError, match="signature does not hold"):
            Checkpoint.from_json(json.dumps({**document, field: value}))
    with pytest.raises(CheckpointError, match="not a checkpoint"):
        Checkpoint.from_json("{}")
