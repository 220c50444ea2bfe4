"""`rws setup`: which database this PC uses, written to the settings file by IT.

It runs before any database is opened (the database may not exist yet), so it needs no
account: writing the machine-wide file needs the computer's administrator rights instead.
"""
from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .logs import log_file
from .paths import data_dir
from .settings import (
    Settings, SettingsError, save_database_password, site_settings_file, user_settings_file, without_password,
    write_database_url,
)

if TYPE_CHECKING:
    from .cli_parsing import CommandParsers


def add_setup_command(commands: CommandParsers) -> None:
    setup = commands.add_actions("setup", "this PC's settings: which database (for IT)")
    if setup is None:
        return
    database = setup.add_parser("database", help="write the database into the machine-wide settings file")
    kinds = database.add_subparsers(dest="kind", required=True)
    sqlite = kinds.add_parser("sqlite", help="the embedded database: one file per user (the default), or --file")
    sqlite.add_argument("--file", type=Path, help="a database file on this PC's own disk, instead of one per user")
    postgres = kinds.add_parser("postgres", help="a PostgreSQL server that several PCs share")
    postgres.add_argument("url", help="postgresql://USER@HOST[:PORT]/DATABASE (a password in it goes to the keyring)")
    postgres.add_argument("--ask-password", action="store_true", help="ask for the password and keep it in your OS keyring")
    for parser in (sqlite, postgres):
        parser.add_argument("--for-me", action="store_true", help="write your own settings file instead of the machine-wide one")
    password = setup.add_parser("password", help="keep the shared database's password in your OS keyring")
    password.add_argument("--url", help="the database (default: the one the settings name)")
    setup.add_parser("show", help="which settings files are read, the database, the data folder and the log file")


def cmd_setup(args) -> int:
    try:
        return {"database": _database, "password": _password, "show": _show}[args.action](args)
    except SettingsError as error:
        print(f"rws: {error}", file=sys.stderr)
        return 1


def _database(args) -> int:
    target = user_settings_file() if args.for_me else site_settings_file()
    if args.kind == "sqlite":
        if args.file is not None:
            _check_sqlite(args.file)
        url = None if args.file is None else f"sqlite:///{args.file.expanduser().resolve()}"
        write_database_url(target, url)
        print(f"Wrote {target}: " + ("the embedded database, one file in each user's data folder." if url is None
                                     else f"the database file {args.file}."))
        return 0
    if not args.url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        raise SettingsError(f"'{args.url}' is not a PostgreSQL address (postgresql://USER@HOST/DATABASE).")
    url, password = without_password(args.url.replace("postgres://", "postgresql://", 1))
    if args.ask_password:
        password = getpass.getpass(f"Password for {url}: ")
    kept = save_database_password(url, password) if password else None  # first: no keyring, nothing written
    write_database_url(target, url)
    print(f"Wrote {target}: the PostgreSQL database {url}.")
    if kept:
        print(f"The password is kept in {kept}, for your account only; other users of this PC run "
              "`rws setup password` once.")
    return 0


def _check_sqlite(path: Path) -> None:
    from .storage.network_paths import sqlite_refusal

    refusal = sqlite_refusal(path)
    if refusal:
        raise SettingsError(refusal)


def _password(args) -> int:
    url = args.url or Settings.load().database_url
    if not url or not url.startswith("postgresql"):
        raise SettingsError("No PostgreSQL database is set for this PC; name one with --url, or run "
                            "`rws setup database postgres URL` first.")
    url, _ = without_password(url)
    password = getpass.getpass(f"Password for {url}: ")
    print(f"The password for {url} is kept in {save_database_password(url, password)}.")
    return 0


def _show(args) -> int:
    settings = Settings.load()
    for label, path in (("Machine-wide settings", site_settings_file()), ("Your settings", user_settings_file())):
        print(f"{label}: {path}{'' if path.is_file() else ' (none)'}")
    where = f" (from {settings.database_from})" if settings.database_from else " (the default)"
    print(f"Database: {settings.database_url or 'the embedded SQLite file in your data folder'}{where}")
    print(f"Data folder: {data_dir()}")
    print(f"Log file: {log_file()}")
    return 0

