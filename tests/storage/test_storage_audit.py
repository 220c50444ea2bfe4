"""The audit log: a hash chain that the database keeps append-only and that shows tampering."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from rws_desktop.core.kernel.audit_chain import GENESIS_HASH, chain_hash, verify_chain
from rws_desktop.storage import SqlAuditRepository

ENTRIES = [
    {"action": "person_added", "person": "Ada"},
    {"action": "consent_changed", "person": "Alice", "channel": "x", "status": "refused"},
    {"action": "photo_checked", "faces": 3, "note": "Sports day – café"},
]


def append_entries(database, entries=ENTRIES):
    with database.transaction() as tx:
        return [tx.audit.append(content) for content in entries]


def verify(database):
    with database.transaction() as tx:
        return verify_chain(tx.audit.records(), tx.audit.head())


def drop_append_only_triggers(connection) -> None:
    """What someone with direct access to the database could do; used to prove tampering still shows."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP TRIGGER audit_entry_append_only ON audit_entry")
    else:
        connection.exec_driver_sql("DROP TRIGGER audit_entry_no_update")
        connection.exec_driver_sql("DROP TRIGGER audit_entry_no_delete")


def test_appends_form_a_chain_that_verifies(database):
    """Each append continues from the head; the stored entries verify, and the head names the last one."""
    records = append_entries(database)
    assert [record.seq for record in records] == [1, 2, 3]
    assert records[0].previous_hash == GENESIS_HASH
    assert records[1].previous_hash == records[0].entry_hash
    assert records[2].entry_hash == chain_hash(records[1].entry_hash, records[2].content_json)
    with database.transaction() as tx:
        assert list(tx.audit.records()) == records
        assert tx.audit.head() == (3, records[2].entry_hash)
        assert tx.audit.records().__next__().content == ENTRIES[0]
    report = verify(database)
    assert report.ok and report.verified_up_to == 3, report.describe()


def test_empty_log_has_no_head_and_verifies(database):
    """A new database has an empty log: head() is None and the chain is trivially intact."""
    with database.transaction() as tx:
        assert tx.audit.head() is None
    assert verify(database).ok


def test_records_stream_in_order_across_chunks(database, monkeypatch):
    """records() reads in chunks yet returns every entry once, in sequence order."""
    monkeypatch.setattr(SqlAuditRepository, "RECORDS_CHUNK", 4)
    append_entries(database, [{"n": number} for number in range(11)])
    with database.transaction() as tx:
        assert [record.content["n"] for record in tx.audit.records()] == list(range(11))
    report = verify(database)
    assert report.ok and report.verified_up_to == 11


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_entry SET content = '{}' WHERE seq = 2", "DELETE FROM audit_entry WHERE seq = 3",
     "DELETE FROM audit_entry"],
    ids=["update", "delete-one", "delete-all"],
)
def test_the_database_refuses_to_change_audit_entries(database, statement):
    """Triggers refuse UPDATE and DELETE on audit_entry, even in raw SQL, and the log stays intact."""
    append_entries(database)
    with pytest.raises(DBAPIError, match="audit log is append-only"):
        with database.engine.begin() as connection:
            connection.exec_driver_sql(statement)
    assert verify(database).ok


def test_postgres_refuses_truncating_the_audit_log(postgres_database):
    """On PostgreSQL, TRUNCATE (which skips row triggers) is refused for the entries and the head."""
    database = postgres_database
    append_entries(database)
    for table in ("audit_entry", "audit_head"):
        with pytest.raises(DBAPIError):
            with database.engine.begin() as connection:
                connection.exec_driver_sql(f"TRUNCATE {table}")
    assert verify(database).ok


def test_the_head_cannot_be_rewound_or_removed(database):
    """audit_head only moves forward to an entry that exists, so truncation cannot be covered up."""
    records = append_entries(database)
    statements = [
        ("UPDATE audit_head SET last_seq = 2, last_entry_hash = :hash", {"hash": records[1].entry_hash}),
        ("UPDATE audit_head SET last_seq = 4, last_entry_hash = :hash", {"hash": "f" * 64}),
        ("DELETE FROM audit_head", {}),
    ]
    for statement, parameters in statements:
        with pytest.raises(DBAPIError, match="only moves forward"):
            with database.engine.begin() as connection:
                connection.execute(text(statement), parameters)
    with database.transaction() as tx:
        assert tx.audit.head() == (3, records[2].entry_hash)


def test_a_changed_byte_is_reported_at_its_entry(database):
    """With the trigger dropped, altering one character of entry 2 makes verify_chain name entry 2."""
    append_entries(database)
    with database.engine.begin() as connection:
        drop_append_only_triggers(connection)
        connection.exec_driver_sql("UPDATE audit_entry SET content = REPLACE(content, 'Alice', 'Alicf') WHERE seq = 2")
    report = verify(database)
    assert not report.ok
    assert report.bad_seq == 2 and report.verified_up_to == 1, report.describe()


def test_deleting_the_last_entry_is_caught_through_the_head(database):
    """Removing the newest entry leaves a chain that looks whole, but the head still names it."""
    append_entries(database)
    with database.engine.begin() as connection:
        drop_append_only_triggers(connection)
        connection.exec_driver_sql("DELETE FROM audit_entry WHERE seq = 3")
    with database.transaction() as tx:
        assert verify_chain(tx.audit.records()).ok  # the entries alone cannot show it
    report = verify(database)
    assert not report.ok
    assert report.bad_seq == 3 and "missing from the end" in report.problem, report.describe()


def test_appending_after_a_deleted_entry_leaves_the_gap_visible(database):
    """A later append continues from the head, so an entry removed earlier stays reported as missing."""
    append_entries(database)
    with database.engine.begin() as connection:
        drop_append_only_triggers(connection)
        connection.exec_driver_sql("DELETE FROM audit_entry WHERE seq = 3")
    append_entries(database, [{"action": "later"}])
    report = verify(database)
    assert not report.ok and report.bad_seq == 3, report.describe()
