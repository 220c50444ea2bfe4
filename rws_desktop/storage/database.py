"""Opening the database, migrating it, and running work in transactions.

SQLite (one PC) and PostgreSQL (several PCs sharing one register) are supported.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session

from ..paths import migrations_dir
from .file_modes import make_private_database_file
from .access_repositories import SqlAccountRepository, SqlDpiaRepository
from .errors import StorageError
from .network_paths import sqlite_refusal
from ..core.kernel.audit_seal import LogKey
from ..core.keys.template_cipher import TemplateCipher
from .audit_repository import SqlAuditRepository
from .register_repository import SqlRegisterRepository
from .row_seals import RowSealer
from .thumbnail_encryption import SqlThumbnailRepository
from .template_key import SqlTemplateKeyRepository

SQLITE_BUSY_TIMEOUT_MS = 10_000
# An execution option marking snapshot connections, so the SQLite "begin" hook starts them deferred.
_READ_ONLY_OPTION = "rws_read_only"
# Any fixed number will do; it only has to be the same on every PC.
_MIGRATION_LOCK_KEY = 7_297_001

_SQLITE_PRAGMAS = (
    # Wait for another writer instead of failing at once; set first so the pragmas below wait too.
    f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    # Overwrite deleted content (such as a removed reference face) instead of leaving it in the file.
    "PRAGMA secure_delete = ON",
)


@dataclass
class DatabaseTransaction:
    """The repositories for one transaction; they share one session, so they commit together."""

    register: SqlRegisterRepository
    audit: SqlAuditRepository
    accounts: SqlAccountRepository
    dpia: SqlDpiaRepository
    template_key: SqlTemplateKeyRepository  # for core/keys: which key encrypts reference faces
    sealer: RowSealer  # seals the register rows written in this transaction
    thumbnails: SqlThumbnailRepository  # storage's own: encrypting thumbnails stored before 0008


class Database:
    """The app's database. Satisfies `core.kernel.ports.Store` and `core.keys.ports.KeyedStore`."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._template_cipher: TemplateCipher | None = None
        self._log_key: LogKey | None = None
        self._unsealed_appends: list[tuple[int, str]] = []

    def use_log_key(self, key: LogKey | None) -> None:
        """The audit-log key: entries and register rows are sealed with it and checked against it."""
        self._log_key = key

    @property
    def log_key(self) -> LogKey | None:
        return self._log_key

    def adopt_unsealed_appends(self, user: str) -> int:
        """Once the log key has arrived: vouch, in one sealed entry, for the entries this process wrote
        without it (such as the sign-in before a key import). Returns how many."""
        from ..core.kernel.audit_entries import audit_entry
        from ..core.kernel.audit_seal import ADOPTED_ENTRY_KIND

        pending = list(self._unsealed_appends)
        if self._log_key is None or not pending:
            return 0
        with self.transaction() as tx:
            tx.audit.append(audit_entry(ADOPTED_ENTRY_KIND, user, entries=[[seq, entry_hash] for seq, entry_hash in pending]))
        del self._unsealed_appends[:len(pending)]
        return len(pending)

    def use_template_cipher(self, cipher: TemplateCipher | None) -> None:
        """The key that encrypts reference faces; without one none can be stored or read."""
        self._template_cipher = cipher

    @property
    def template_cipher(self) -> TemplateCipher | None:
        return self._template_cipher

    def discard_replaced_pages(self) -> None:
        """Rows rewritten in place (plain encodings just encrypted) may still sit in SQLite's write-ahead log:
        copy it into the file and empty it. PostgreSQL needs nothing here."""
        if self.dialect_name == "sqlite":
            with self._engine.connect() as connection:
                # Straight to the driver: a checkpoint cannot run inside the transaction SQLAlchemy would begin.
                connection.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").close()

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def url(self) -> str:
        """The database address, with any password masked, fit to show to a user."""
        return self._engine.url.render_as_string(hide_password=True)

    @property
    def dialect_name(self) -> str:
        return self._engine.dialect.name

    def migrate(self, revision: str = "head") -> None:
        """Bring the tables up to date (or to `revision`, for tests of a migration). Harmless when they already are.

        An up-to-date database (the usual case) is recognised by its stored revision alone, without
        loading Alembic, which costs a second or more at every start."""
        if revision == "head" and self.schema_is_current():
            return
        from alembic import command  # deferred: only a database that needs migrating pays for Alembic
        from alembic.config import Config

        config = Config()
        # Config values go through configparser, which treats "%" specially.
        config.set_main_option("script_location", str(migrations_dir()).replace("%", "%%"))
        try:
            with self._engine.begin() as connection:
                if self.dialect_name == "postgresql":
                    # Two PCs starting at once must not both create the tables.
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        except DBAPIError as error:
            raise StorageError(
                f"The database at {self.url} could not be prepared for use: {_driver_message(error)}"
            ) from error

    def schema_is_current(self) -> bool:
        """Whether the database already stands at the newest migration. False when that cannot be told
        cheaply (no revision stored yet, an unreadable table, migration files out of the ordinary): then
        `migrate` runs Alembic, which does the work or explains the problem."""
        head = head_revision(migrations_dir() / "versions")
        if head is None:
            return False
        try:
            with self._engine.connect().execution_options(**{_READ_ONLY_OPTION: True}) as connection:
                stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except DBAPIError:
            return False
        return stored == [head]

    @contextmanager
    def transaction(self) -> Iterator[DatabaseTransaction]:
        """Everything done inside commits together on success, or is rolled back on any error."""
        failure = "The database did not accept the change, so nothing was saved"
        with self._session(self._engine, failure) as transaction:
            yield transaction

    @contextmanager
    def snapshot(self) -> Iterator[DatabaseTransaction]:
        """A read-only transaction seeing one consistent state, which other PCs can write past.

        On SQLite a deferred BEGIN in WAL mode reads a snapshot without taking the write lock;
        on PostgreSQL, REPEATABLE READ keeps the entries and the head of the log in step.
        """
        if self.dialect_name == "postgresql":
            bind = self._engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        else:
            bind = self._engine.execution_options(**{_READ_ONLY_OPTION: True})
        with self._session(bind, "The database could not be read") as transaction:
            yield transaction

    @contextmanager
    def _session(self, bind: Engine, failure: str) -> Iterator[DatabaseTransaction]:
        session = Session(bind, expire_on_commit=False)
        try:
            with session.begin():
                sealer = RowSealer(session, self._log_key, self._unsealed_appends)
                yield DatabaseTransaction(SqlRegisterRepository(session, self._template_cipher, sealer),
                                          SqlAuditRepository(session, sealer), SqlAccountRepository(session),
                                          SqlDpiaRepository(session), SqlTemplateKeyRepository(session, sealer), sealer,
                                          SqlThumbnailRepository(session, self._template_cipher, sealer))
                sealer.finish()
        except DBAPIError as error:
            raise StorageError(f"{failure}: {_driver_message(error)}") from error
        finally:
            session.close()

    def close(self) -> None:
        self._engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url!r})"


_REVISION_LINE = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*(None|["']([^"']+)["'])\s*$""", re.MULTILINE)


def head_revision(versions: Path) -> str | None:
    """The newest migration's revision, read from the `revision = ...` and `down_revision = ...` lines of
    the migration files, as Alembic would find it; None unless there is exactly one plain chain to a head."""
    revisions: dict[str, str | None] = {}
    try:
        files = sorted(versions.glob("*.py"))
        for file in files:
            lines = {name: value for name, _raw, value in _REVISION_LINE.findall(file.read_text(encoding="utf-8"))}
            if not lines.get("revision") or "down_revision" not in lines:
                return None  # not a migration this reader understands (a merge, a computed id): ask Alembic
            revisions[lines["revision"]] = lines["down_revision"] or None
    except (OSError, UnicodeDecodeError):
        return None
    heads = set(revisions) - set(revisions.values())
    return heads.pop() if len(heads) == 1 and len(revisions) == len(files) else None


def open_database(url: str) -> Database:
    """Connect to the database at `url` (SQLite or PostgreSQL) and check it can be used."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StorageError(f"'{url}' is not a database address this app understands.") from error
    parsed = _with_supported_driver(parsed)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        refuse_network_share(parsed)
        _create_parent_folder(parsed, shown)
    else:
        parsed = _with_keyring_password(parsed)
    try:
        engine = create_engine(parsed, pool_pre_ping=parsed.get_backend_name() == "postgresql")
    except (ImportError, NoSuchModuleError) as error:
        raise StorageError(
            f"This copy of the app cannot talk to {shown}: PostgreSQL support is not installed "
            "(install the app with its 'postgres' extra)."
        ) from error
    if engine.dialect.name == "sqlite":
        _prepare_sqlite(engine)
    try:
        with engine.connect():
            pass
    except DBAPIError as error:
        engine.dispose()
        raise StorageError(f"The database at {shown} could not be opened: {_driver_message(error)}") from error
    return Database(engine)


def _with_supported_driver(url: URL) -> URL:
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StorageError(
            f"'{url.render_as_string(hide_password=True)}' is neither an SQLite nor a PostgreSQL database."
        )
    if url.drivername == "postgresql":
        # Plain postgresql:// would mean psycopg2; the app ships psycopg 3.
        return url.set(drivername="postgresql+psycopg")
    return url


def refuse_network_share(url: URL) -> None:
    """Raises StorageError, naming PostgreSQL, when an SQLite file would be on a network share."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    refusal = sqlite_refusal(Path(database))
    if refusal:
        raise StorageError(refusal)


def _with_keyring_password(url: URL) -> URL:
    """A PostgreSQL URL naming a user but no password gets the one kept in this user's OS keyring, if any."""
    if url.password is not None or not url.username:
        return url
    from ..settings import database_password

    password = database_password(url.render_as_string(hide_password=False))
    return url if password is None else url.set(password=password)


def _create_parent_folder(url: URL, shown: str) -> None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    try:
        make_private_database_file(Path(database).expanduser().resolve())
    except OSError as error:
        raise StorageError(
            f"The folder for the database {shown} could not be created: {error.strerror or error}."
        ) from error


def _prepare_sqlite(engine: Engine) -> None:
    """Pragmas on every new connection, and write locks taken up front.

    Following SQLAlchemy's pysqlite recipe, the driver's own BEGIN handling is switched off
    and every transaction starts with BEGIN IMMEDIATE. A transaction that read first and
    wrote later could otherwise fail to upgrade its lock while another PC or thread writes.
    Snapshots (`Database.snapshot`) only read, so they begin deferred and take no write lock.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in _SQLITE_PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        read_only = connection.get_execution_options().get(_READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def _driver_message(error: DBAPIError) -> str:
    """The database's own first line, without SQLAlchemy's statement dump."""
    text = str(error.orig).strip() or type(error.orig).__name__
    return text.splitlines()[0]
