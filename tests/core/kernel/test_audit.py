"""The audit chain catches any change, deletion, insertion or reordering."""
from dataclasses import replace

from rws_desktop.core.kernel.audit_chain import GENESIS_HASH, AuditRecord, seal, verify_chain


def chain(count: int) -> list[AuditRecord]:
    records, previous = [], GENESIS_HASH
    for seq in range(1, count + 1):
        record = seal(seq, previous, {"kind": "test", "n": seq, "text": "é"})
        records.append(record)
        previous = record.entry_hash
    return records


def head_of(records):
    return (records[-1].seq, records[-1].entry_hash)


def test_intact_chain_verifies():
    """An untouched chain verifies to its last entry."""
    records = chain(5)
    report = verify_chain(records, head_of(records))
    assert report.ok and report.verified_up_to == 5


def test_changed_byte_is_caught_at_that_entry():
    """Changing one character of one entry's content breaks the chain at that entry."""
    records = chain(5)
    records[2] = replace(records[2], content_json=records[2].content_json.replace('"n":3', '"n":4'))
    report = verify_chain(records, head_of(records))
    assert not report.ok and report.bad_seq == 3 and report.verified_up_to == 2


def test_deleted_entry_is_caught():
    """Removing an entry from the middle leaves a gap the check names."""
    records = chain(5)
    del records[1]
    report = verify_chain(records, (5, records[-1].entry_hash))
    assert not report.ok and report.bad_seq == 2


def test_inserted_entry_is_caught():
    """An entry slipped in with a valid-looking hash does not follow its predecessor."""
    records = chain(4)
    forged = seal(3, GENESIS_HASH, {"kind": "forged"})
    records = records[:2] + [forged] + [replace(r, seq=r.seq + 1) for r in records[2:]]
    report = verify_chain(records)
    assert not report.ok and report.bad_seq == 3


def test_reordered_entries_are_caught():
    """Swapping two entries (and their numbers) breaks the links between them."""
    records = chain(4)
    records[1], records[2] = replace(records[2], seq=2), replace(records[1], seq=3)
    report = verify_chain(records)
    assert not report.ok and report.bad_seq == 2


def test_entries_removed_from_the_end_are_caught_through_the_head():
    """Truncating the log is visible because the head still names the old last entry."""
    records = chain(5)
    report = verify_chain(records[:3], head_of(records))
    assert not report.ok and report.bad_seq == 4


def test_non_canonical_content_is_caught():
    """Re-serialising an entry with different spacing counts as tampering."""
    records = chain(2)
    records[1] = replace(records[1], content_json=records[1].content_json.replace(",", ", "))
    assert verify_chain(records).bad_seq == 2
