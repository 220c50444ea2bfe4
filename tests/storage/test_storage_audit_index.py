"""The audit log's search index: written with each entry, queried without parsing JSON, backfilled, append-only."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from rws_desktop.core.kernel.audit_chain import GENESIS_HASH, seal
from rws_desktop.core.kernel.audit_index import AuditQuery, terms_of
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.storage import Database, open_database
from rws_desktop.storage.audit_repository import index_row

START = datetime(2026, 3, 1, 8, 0)
CHANNELS = ["instagram", "whatsapp", "sport-x"]
USERS = ["MSN", "MGL"]


def entry(number: int) -> dict:
    """A varied entry: photos on three channels with people 1 to 4, and consent changes for person 5."""
    at = (START + timedelta(hours=7 * number)).isoformat(timespec="microseconds") + "Z"
    if number % 4 == 3:
        return {"kind": "photo_consent_set", "at": at, "user": "DPO", "person_id": 5, "channel": "all", "status": "granted"}
    return {
        "kind": "photo_vetted", "at": at, "user": USERS[number % 2], "channel": CHANNELS[number % 3],
        "decision": "redacted" if number % 2 else "approved", "source_sha256": f"{number % 5:064d}",
        "faces": [{"person_id": 1 + number % 4, "action": "shown"}, {"person_id": None, "action": "blurred"}],
    }


def append_all(database, contents):
    with database.transaction() as tx:
        return [tx.audit.append(content) for content in contents]


def expected_seqs(contents, keep) -> list[int]:
    return [seq for seq, content in enumerate(contents, start=1) if keep(content)]


def test_each_append_stores_the_entrys_search_terms(database):
    """The terms and involved people written with an entry are exactly core.audit_index.terms_of of its content."""
    contents = [
        entry(1),
        {"kind": "photo_corrected", "at": "2026-03-02T09:00:00.000000Z", "user": "MSN", "channel": "instagram",
         "correction": {"action": "blur_face", "face": 0, "person_id": 7, "reason": "asked"}},
        {"kind": "photo_vetted", "faces": [{"person_id": 2}], "corrections": [{"person_id": 3}, {"person_id": True}]},
        {"action": "no kind or time at all"},
    ]
    records = append_all(database, contents)
    with database.snapshot() as tx:
        stored = list(tx.audit.indexed_terms())
    assert stored == [terms_of(record.seq, content) for record, content in zip(records, contents)]
    assert [sorted(terms.person_ids) for terms in stored] == [[2], [7], [2, 3], []]
    assert stored[1].at_utc == datetime(2026, 3, 2, 9, 0) and stored[3].kind is None


@pytest.mark.parametrize(
    "query, keep",
    [
        (AuditQuery(), lambda c: True),
        (AuditQuery(channel="whatsapp"), lambda c: c.get("channel") == "whatsapp"),
        (AuditQuery(user="MGL"), lambda c: c["user"] == "MGL"),
        (AuditQuery(decision="redacted"), lambda c: c.get("decision") == "redacted"),
        (AuditQuery(kind="photo_consent_set"), lambda c: c["kind"] == "photo_consent_set"),
        (AuditQuery(person_id=2), lambda c: any(f["person_id"] == 2 for f in c.get("faces", []))),
        (AuditQuery(person_id=5, channel="all"), lambda c: c.get("person_id") == 5),
        (AuditQuery(source_sha256=f"{3:064d}"), lambda c: c.get("source_sha256") == f"{3:064d}"),
        (AuditQuery(channel="instagram", user="MSN", person_id=3), lambda c: c.get("channel") == "instagram"
         and c["user"] == "MSN" and any(f["person_id"] == 3 for f in c.get("faces", []))),
        (AuditQuery(channel="nowhere"), lambda c: False),
    ],
    ids=["everything", "channel", "user", "decision", "kind", "person-in-a-face", "person-of-an-entry",
         "photo", "combined", "no-match"],
)
def test_queries_return_matching_entries_newest_first_in_pages(database, query, keep):
    """newest() pages through matches newest first by seq; matching() lists them oldest first; count() agrees."""
    contents = [entry(number) for number in range(60)]
    append_all(database, contents)
    wanted = expected_seqs(contents, keep)
    with database.snapshot() as tx:
        paged, before = [], None
        while True:
            page = tx.audit.newest(query, before, limit=7)
            paged += [record.seq for record in page]
            if len(page) < 7:
                break
            before = page[-1].seq
        assert paged == wanted[::-1]
        assert [record.seq for record in tx.audit.matching(query)] == wanted
        assert tx.audit.count(query) == len(wanted)


def test_time_bounds_include_the_start_and_exclude_the_end(database):
    """at_from is inclusive and at_before exclusive, compared as UTC instants on both databases."""
    contents = [entry(number) for number in range(10)]  # seven hours apart from 08:00 on 1 March
    append_all(database, contents)
    with database.snapshot() as tx:
        window = AuditQuery(at_from=START + timedelta(hours=7), at_before=START + timedelta(hours=21))
        assert [record.seq for record in tx.audit.matching(window)] == [2, 3]
        assert tx.audit.count(AuditQuery(at_before=START)) == 0


def test_distinct_values_list_what_the_log_holds(database):
    """The filter choices come from the index, sorted, without empty values."""
    append_all(database, [entry(number) for number in range(8)] + [{"kind": "signed_in"}])
    with database.snapshot() as tx:
        assert tx.audit.distinct_values("channel") == sorted(set(CHANNELS) | {"all"})
        assert tx.audit.distinct_values("user") == ["DPO", "MGL", "MSN"]
        assert tx.audit.distinct_values("kind") == ["photo_consent_set", "photo_vetted", "signed_in"]
        assert tx.audit.get(2).content == entry(1) and tx.audit.get(99) is None


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_index SET channel = 'x'", "DELETE FROM audit_index", "UPDATE audit_person SET person_id = 9",
     "DELETE FROM audit_person"],
)
def test_the_database_refuses_to_change_the_index(database, statement):
    """Like the entries, the index tables refuse UPDATE and DELETE, so nobody hides an entry from a filter."""
    append_all(database, [entry(1)])
    with pytest.raises(DBAPIError, match="audit log is append-only"):
        with database.engine.begin() as connection:
            connection.exec_driver_sql(statement)


def test_postgres_refuses_truncating_the_index(postgres_database):
    """TRUNCATE skips row triggers, so PostgreSQL has statement triggers for the index tables too."""
    append_all(postgres_database, [entry(1)])
    for table in ("audit_index", "audit_person"):
        with pytest.raises(DBAPIError, match="append-only"):
            with postgres_database.engine.begin() as connection:
                connection.exec_driver_sql(f"TRUNCATE {table}")


def test_migration_0003_backfills_the_index_of_an_existing_log(database_at_0001):
    """A log written before the index existed gets the same terms appends write now."""
    database = database_at_0001
    contents = [entry(number) for number in range(25)]
    _seal_without_index(database, contents)
    database.migrate("0003")
    with database.snapshot() as tx:
        assert list(tx.audit.indexed_terms()) == [terms_of(seq, c) for seq, c in enumerate(contents, start=1)]
        assert tx.audit.count(AuditQuery(person_id=5)) == len(expected_seqs(contents, lambda c: c.get("person_id") == 5))
    with database.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0003"


def test_a_snapshot_sees_one_state_and_lets_writers_through(database):
    """While a snapshot is open another transaction can append; the snapshot keeps seeing the log as it began."""
    append_all(database, [entry(1)])
    with database.snapshot() as snapshot:
        assert snapshot.audit.head()[0] == 1
        append_all(database, [entry(2)])  # would wait for the busy timeout if the snapshot held a write lock
        assert snapshot.audit.head()[0] == 1
        assert [record.seq for record in snapshot.audit.records()] == [1]
    with database.snapshot() as fresh:
        assert fresh.audit.head()[0] == 2


@pytest.fixture(params=["sqlite", "postgres"])
def database_at_0001(request, tmp_path) -> Iterator[Database]:
    """A database migrated only to 0001, as one from before the index, of each supported kind."""
    if request.param == "postgres":
        with request.getfixturevalue("postgres_schemas")("0001") as database:
            yield database
        return
    database = open_database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    database.migrate("0001")
    yield database
    database.close()


def _seal_without_index(database, contents) -> None:
    """Entries and head written as migration 0001's app did: no index rows."""
    previous = GENESIS_HASH
    with database.engine.begin() as connection:
        for seq, content in enumerate(contents, start=1):
            record = seal(seq, previous, content)
            connection.execute(
                text("INSERT INTO audit_entry (seq, previous_hash, entry_hash, content) VALUES (:s, :p, :h, :c)"),
                {"s": seq, "p": record.previous_hash, "h": record.entry_hash, "c": record.content_json},
            )
            connection.execute(
                text("UPDATE audit_head SET last_seq = :s, last_entry_hash = :h"), {"s": seq, "h": record.entry_hash}
            )
            previous = record.entry_hash


def test_person_names_are_everyone_in_the_register_by_id(database):
    """The log view names people from one cheap query; someone erased is simply absent."""
    with database.transaction() as tx:
        ada = tx.register.add_person(NewPerson("Ada Lovelace"))
        ben = tx.register.add_person(NewPerson("Ben Okri"))
    with database.engine.begin() as connection:
        connection.exec_driver_sql(f"DELETE FROM person WHERE id = {ben.id}")
    with database.snapshot() as tx:
        assert tx.register.person_names() == {ada.id: "Ada Lovelace"}


def post_entry(number: int) -> dict:
    """A post that names people 7 and 8 and shows person 1."""
    at = (START + timedelta(hours=number)).isoformat(timespec="microseconds") + "Z"
    return {"kind": "post_approved", "at": at, "user": "MSN", "channel": "instagram", "caption_sha256": "0" * 64,
            "media": [{"audit_seq": 1}], "named_person_ids": [7, 8], "shown_person_ids": [1]}


def test_a_post_is_indexed_under_the_people_it_names_and_shows(database):
    """Filtering the log by a person finds a post that only names them, as well as entries that show them."""
    contents = [entry(0), post_entry(1), entry(2)]
    append_all(database, contents)
    with database.snapshot() as tx:
        assert [r.seq for r in tx.audit.newest(AuditQuery(person_id=8))] == [2]
        assert sorted(r.seq for r in tx.audit.newest(AuditQuery(person_id=1))) == [1, 2]
        assert terms_of(2, contents[1]).person_ids == frozenset({1, 7, 8})


def test_migration_0007_indexes_the_people_named_in_posts_logged_before(database_at_0006):
    """Posts logged with the old rule (only the people their media show indexed) get rows for the people their
    caption names; after it the stored terms are exactly what the rule gives, so the log check agrees."""
    database = database_at_0006
    contents = [entry(0), post_entry(1), entry(2), post_entry(3)]
    _seal_without_index(database, contents)
    with database.engine.begin() as connection:
        for seq, content in enumerate(contents, start=1):
            terms = terms_of(seq, content)
            row = index_row(terms)
            connection.execute(text("INSERT INTO audit_index (seq, at_utc, kind, user_name, channel, decision, source_sha256) "
                                    "VALUES (:seq, :at_utc, :kind, :user_name, :channel, :decision, :source_sha256)"), row)
            old_rule = {face["person_id"] for face in content.get("faces", []) if face.get("person_id")}
            old_rule |= {content["person_id"]} if content.get("person_id") else set()
            for person_id in sorted(old_rule):
                connection.execute(text("INSERT INTO audit_person (seq, person_id) VALUES (:s, :p)"), {"s": seq, "p": person_id})
    with database.snapshot() as tx:
        assert tx.audit.count(AuditQuery(person_id=8)) == 0
    database.migrate()
    with database.snapshot() as tx:
        assert [r.seq for r in tx.audit.newest(AuditQuery(person_id=8))] == [4, 2]
        assert list(tx.audit.indexed_terms()) == [terms_of(seq, c) for seq, c in enumerate(contents, start=1)]


@pytest.fixture(params=["sqlite", "postgres"])
def database_at_0006(request, tmp_path) -> Iterator[Database]:
    """A database migrated to 0006, before posts were indexed by the people they name, of each supported kind."""
    if request.param == "postgres":
        with request.getfixturevalue("postgres_schemas")("0006") as database:
            yield database
        return
    database = open_database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    database.migrate("0006")
    yield database
    database.close()
