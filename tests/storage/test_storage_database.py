"""Opening, migrating and transactions."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from rws_desktop.core.kernel.audit_chain import verify_chain
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.storage import Database, StorageError, open_database
from rws_desktop.storage.database import head_revision
from rws_desktop.paths import migrations_dir
from rws_desktop.storage.models import Base


def _head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return ScriptDirectory.from_config(config).get_current_head()


def test_migrating_twice_is_harmless(database):
    """A second `migrate()` on an up-to-date database changes nothing and keeps the data."""
    with database.transaction() as tx:
        tx.register.add_person(NewPerson("Ada Lovelace"))
        tx.audit.append({"action": "person_added"})
    database.migrate()
    with database.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == _head_revision()
    with database.transaction() as tx:
        assert [person.name for person in tx.register.list_people()] == ["Ada Lovelace"]
        assert tx.audit.head()[0] == 1


def test_migration_creates_exactly_the_models(database):
    """The hand-written migration 0001 and the SQLAlchemy models describe the same schema."""
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_sqlite_pragmas_are_on(sqlite_database):
    """Every SQLite connection runs in WAL mode with foreign keys, secure delete and a 10 s busy wait."""
    with sqlite_database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def test_sqlite_parent_folder_is_created(tmp_path):
    """Opening an SQLite file in a folder that does not exist yet creates the folder."""
    path = tmp_path / "a" / "b" / "rws.sqlite3"
    database = open_database(f"sqlite:///{path}")
    database.close()
    assert path.parent.is_dir()


def test_a_file_that_is_not_a_database_gives_a_plain_error(tmp_path):
    """A damaged or foreign file is reported as a StorageError naming the file, not a driver traceback."""
    path = tmp_path / "rws.sqlite3"
    path.write_bytes(b"this is a letter to parents, not a database" * 100)
    with pytest.raises(StorageError, match="could not be opened") as caught:
        open_database(f"sqlite:///{path}")
    assert str(path) in str(caught.value)


def test_unsupported_database_kinds_are_refused():
    """Only SQLite and PostgreSQL are accepted, with a message that says so."""
    with pytest.raises(StorageError, match="neither an SQLite nor a PostgreSQL"):
        open_database("mysql://someone:secret@server/rws")


def test_unreachable_postgres_is_a_plain_error_without_the_password():
    """A PostgreSQL server that is not there gives a StorageError that hides the password."""
    pytest.importorskip("psycopg")
    with pytest.raises(StorageError, match="could not be opened") as caught:
        open_database("postgresql://office:hunter2@127.0.0.1:1/rws?connect_timeout=2")
    assert "hunter2" not in str(caught.value)


def test_url_masks_the_password():
    """`Database.url` is safe to show on screen: the password is replaced by asterisks."""
    pytest.importorskip("psycopg")
    database = Database(create_engine("postgresql+psycopg://office:hunter2@server/rws"))
    assert database.url == "postgresql+psycopg://office:***@server/rws"


def test_failed_transaction_rolls_back_register_and_audit_together(database):
    """An error inside a transaction leaves neither the register change nor its audit entry behind."""
    with pytest.raises(RuntimeError, match="power cut"):
        with database.transaction() as tx:
            person = tx.register.add_person(NewPerson("Grace Hopper"))
            tx.audit.append({"action": "person_added", "person_id": person.id})
            raise RuntimeError("power cut")
    with database.transaction() as tx:
        assert tx.register.list_people() == []
        assert list(tx.audit.records()) == []
        assert tx.audit.head() is None


def test_concurrent_writers_queue_instead_of_failing(database):
    """Appends from several connections at once (as from several PCs) all succeed and form one unbroken chain."""
    writers, appends_each = 4, 5
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            for number in range(appends_each):
                with database.transaction() as tx:
                    tx.audit.append({"writer": writer, "number": number})
                    time.sleep(0.002)  # hold the lock a moment so the writers really overlap
        except BaseException as error:  # reported below; a thread cannot fail the test itself
            failures.append(error)

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with database.transaction() as tx:
        report = verify_chain(tx.audit.records(), tx.audit.head())
    assert report.ok, report.describe()
    assert report.verified_up_to == writers * appends_each


def _migrate(database: Database, revision: str, downgrade: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if downgrade else command.upgrade)(config, revision)


def test_migration_0002_adds_thumbnails_and_keeps_existing_reference_faces(database):
    """A register made before 0002 keeps its reference faces (without thumbnails) on upgrade, and 0002 can be undone."""
    with database.transaction() as tx:
        person = tx.register.add_person(NewPerson("Ada Lovelace"))
    _migrate(database, "0001", downgrade=True)
    with database.engine.begin() as connection:
        assert "thumbnail" not in {c["name"] for c in inspect(connection).get_columns("reference_face")}
        connection.execute(
            text("INSERT INTO reference_face (person_id, encoding, source_sha256, added_at) VALUES (:p, :e, :s, :a)"),
            {"p": person.id, "e": b"\0" * 1024, "s": "ab" * 32, "a": datetime(2026, 9, 1, tzinfo=timezone.utc)},
        )
    _migrate(database, "head")
    with database.transaction() as tx:
        (face,) = tx.register.reference_faces(person.id)
    assert face.person_id == person.id and face.source_sha256 == "ab" * 32 and face.thumbnail_jpeg is None


def _counting_upgrades(monkeypatch) -> list[str]:
    """Records every Alembic upgrade Database.migrate asks for, and still runs it."""
    upgrades: list[str] = []
    real_upgrade = command.upgrade

    def upgrade(config, revision, *args, **kwargs):
        upgrades.append(revision)
        return real_upgrade(config, revision, *args, **kwargs)

    monkeypatch.setattr(command, "upgrade", upgrade)
    return upgrades


def test_an_up_to_date_database_is_recognised_without_running_alembic(database, monkeypatch):
    """At every start `migrate()` first compares the stored revision with the newest migration file's: when
    they agree it does no Alembic work at all; a database one migration behind is upgraded by Alembic, once."""
    upgrades = _counting_upgrades(monkeypatch)
    assert database.schema_is_current()
    database.migrate()
    assert upgrades == []
    _migrate(database, "0004", downgrade=True)
    assert not database.schema_is_current()
    database.migrate()
    assert upgrades == ["head"]
    assert database.schema_is_current()
    with database.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == _head_revision()


def test_a_new_database_is_not_taken_for_a_current_one(tmp_path, monkeypatch):
    """A database with no tables yet (no stored revision) gets the full migration."""
    upgrades = _counting_upgrades(monkeypatch)
    database = open_database(f"sqlite:///{tmp_path / 'rws.sqlite3'}")
    try:
        assert not database.schema_is_current()
        database.migrate()
        assert upgrades == ["head"] and database.schema_is_current()
    finally:
        database.close()


def test_the_newest_migration_is_read_from_the_files_as_alembic_reads_it(tmp_path):
    """head_revision agrees with Alembic on the app's migrations, and gives up (so Alembic decides) on files it
    cannot read plainly: two heads, a merge, or none at all."""
    assert head_revision(migrations_dir() / "versions") == _head_revision()
    versions = tmp_path / "versions"
    versions.mkdir()
    assert head_revision(versions) is None
    (versions / "a.py").write_text('revision = "a"\ndown_revision = None\n', encoding="utf-8")
    (versions / "b.py").write_text('revision: str = "b"\ndown_revision: str | None = "a"\n', encoding="utf-8")
    assert head_revision(versions) == "b"
    (versions / "c.py").write_text('revision = "c"\ndown_revision = "a"\n', encoding="utf-8")
    assert head_revision(versions) is None  # b and c both heads
    (versions / "d.py").write_text('revision = "d"\ndown_revision = ("b", "c")\n', encoding="utf-8")
    assert head_revision(versions) is None  # a merge: left to Alembic
