"""The machine-wide settings file: written by `rws setup database`, read before the user's, naming
SQLite or a shared PostgreSQL server whose password lives in the OS keyring, never in the file."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from keyring.backends import fail
import pytest
from sqlalchemy import create_engine, text

from rws_desktop.app import App
from rws_desktop.cli import main
from rws_desktop.settings import Settings, SettingsError, keyring_entry, without_password, write_database_url
from rws_desktop.storage import StorageError


class FakeKeyring:
    """An OS keyring in memory, so no test touches the real one. Not a KeyringBackend subclass: those register
    themselves with keyring, which could then pick this one for every other test."""

    priority = 1

    def __init__(self):
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


@pytest.fixture
def folders(tmp_path, monkeypatch) -> dict[str, Path]:
    """Private machine-wide and user settings folders and data folder; no database address in the environment."""
    found = {name: tmp_path / name for name in ("site", "user", "data")}
    monkeypatch.setenv("RWS_SITE_CONFIG_DIR", str(found["site"]))
    monkeypatch.setenv("RWS_CONFIG_DIR", str(found["user"]))
    monkeypatch.setenv("RWS_DATA_DIR", str(found["data"]))
    monkeypatch.delenv("RWS_DB", raising=False)
    return found


@pytest.fixture
def fake_keyring(monkeypatch) -> FakeKeyring:
    backend = FakeKeyring()
    monkeypatch.setattr("rws_desktop.keys.system_keyring", lambda: backend)
    return backend


def test_machine_wide_sqlite_file_is_the_database_every_command_opens(folders, tmp_path, capsys):
    """`rws setup database sqlite --file` writes the machine-wide file; `rws init` with no --db then opens that file."""
    shared = tmp_path / "school" / "register.sqlite3"
    assert main(["setup", "database", "sqlite", "--file", str(shared)]) == 0
    written = (folders["site"] / "settings.toml").read_text(encoding="utf-8")
    assert f'url = "sqlite:///{shared}"' in written
    capsys.readouterr()
    assert main(["init"]) == 0
    assert f"Database ready: sqlite:///{shared}" in capsys.readouterr().out
    assert shared.is_file()
    assert not (folders["data"] / "rws.sqlite3").exists()


def test_without_a_url_the_embedded_database_is_in_the_data_folder(folders, capsys):
    """`rws setup database sqlite` with no file names the embedded default: each user's own data folder."""
    assert main(["setup", "database", "sqlite"]) == 0
    assert "url" not in (folders["site"] / "settings.toml").read_text(encoding="utf-8").replace("# No url", "")
    assert Settings.load().database_url is None
    assert main(["init"]) == 0
    assert (folders["data"] / "rws.sqlite3").is_file()


def test_the_users_file_is_read_after_the_machine_wide_one_and_wins(folders, tmp_path):
    """Machine-wide first, then the user's: a user's own file (written with --for-me) overrides the PC's."""
    write_database_url(folders["site"] / "settings.toml", "postgresql://rws@db.school.example/rws")
    assert Settings.load() == Settings("postgresql://rws@db.school.example/rws", folders["site"] / "settings.toml")
    assert main(["setup", "database", "sqlite", "--for-me", "--file", str(tmp_path / "mine.sqlite3")]) == 0
    assert Settings.load().database_url == f"sqlite:///{tmp_path / 'mine.sqlite3'}"
    assert Settings.load().database_from == folders["user"] / "settings.toml"


def test_a_postgres_password_goes_to_the_keyring_and_never_into_the_file(folders, fake_keyring, capsys):
    """A password given in the URL is moved to the OS keyring; the file names the server and user only."""
    assert main(["setup", "database", "postgres", "postgresql://rws_app:Sup3r-secret@db.school.example:5433/rws"]) == 0
    written = (folders["site"] / "settings.toml").read_text(encoding="utf-8")
    assert 'url = "postgresql://rws_app@db.school.example:5433/rws"' in written
    assert "Sup3r-secret" not in written
    assert fake_keyring.entries == {("RWS Photo Check", "database rws_app@db.school.example:5433/rws"): "Sup3r-secret"}
    assert "kept in" in capsys.readouterr().out


def test_without_a_keyring_a_password_is_refused_and_nothing_is_written(folders, monkeypatch, capsys):
    """With no usable keyring (a headless PC) the password cannot be kept safely: nothing is written."""
    monkeypatch.setattr("rws_desktop.keys.system_keyring", lambda: fail.Keyring())
    assert main(["setup", "database", "postgres", "postgresql://rws_app:secret@db.school.example/rws"]) == 1
    assert "no usable OS keyring" in capsys.readouterr().err
    assert not (folders["site"] / "settings.toml").exists()


def test_a_settings_file_cannot_hold_a_password(tmp_path):
    """write_database_url refuses a URL with a password; without_password splits one off."""
    with pytest.raises(SettingsError, match="never goes into a settings file"):
        write_database_url(tmp_path / "settings.toml", "postgresql://u:pw@host/db")
    assert without_password("postgresql://u:pw@host/db") == ("postgresql://u@host/db", "pw")
    assert keyring_entry("postgresql://u@host/db") == "database u@host:5432/db"


def test_an_unreadable_settings_file_stops_the_start_with_its_path(folders, capsys):
    """A damaged settings file is named, with what to do, rather than silently falling back to another database."""
    folders["site"].mkdir()
    (folders["site"] / "settings.toml").write_text("[database\nurl = ", encoding="utf-8")
    assert main(["init"]) == 1
    error = capsys.readouterr().err
    assert str(folders["site"] / "settings.toml") in error and "Correct it or delete it" in error


@pytest.fixture
def postgres_database() -> str:
    """A database of its own on the CI's throwaway PostgreSQL server, dropped afterwards."""
    url = os.environ.get("RWS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("set RWS_TEST_POSTGRES_URL to run against PostgreSQL")
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    name = f"rws_settings_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_machine_wide_postgres_url_opens_the_server_with_the_keyring_password(folders, fake_keyring, postgres_database, capsys):
    """The machine-wide file names the PostgreSQL server; the app connects there, with the password from this
    user's keyring added to the address it uses, while the file and what is shown carry none."""
    assert main(["setup", "database", "postgres", postgres_database]) == 0
    fake_keyring.set_password("RWS Photo Check", keyring_entry(postgres_database), "from-the-keyring")
    capsys.readouterr()
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert "Database ready: postgresql+psycopg://postgres:***@" in out  # a password, masked and postgres_database.rsplit("/", 1)[1] in out
    assert "from-the-keyring" not in out
    app = App.open()
    try:
        assert app.database.dialect_name == "postgresql"
        assert app.database.engine.url.password == "from-the-keyring"
    finally:
        app.close()
    assert "from-the-keyring" not in (folders["site"] / "settings.toml").read_text(encoding="utf-8")


def test_a_network_share_in_the_settings_is_refused(folders, tmp_path, monkeypatch, capsys):
    """`rws setup database sqlite --file` on an NFS mount is refused, naming PostgreSQL, and writes nothing."""
    share = tmp_path / "share"
    monkeypatch.setattr("rws_desktop.storage.network_paths._mount_table", lambda: [("/", "ext4"), (str(share), "nfs4")])
    assert main(["setup", "database", "sqlite", "--file", str(share / "rws.sqlite3")]) == 1
    error = capsys.readouterr().err
    assert "network file system (nfs4" in error and "PostgreSQL" in error
    assert not (folders["site"] / "settings.toml").exists()


def test_opening_sqlite_on_a_network_share_is_refused(folders, tmp_path, monkeypatch):
    """However the address arrives (here --db), an SQLite file on a CIFS mount is not opened or created."""
    share = tmp_path / "share"
    monkeypatch.setattr("rws_desktop.storage.network_paths._mount_table", lambda: [("/", "ext4"), (str(share), "cifs")])
    with pytest.raises(StorageError, match="use a PostgreSQL server"):
        App.open(f"sqlite:///{share / 'rws.sqlite3'}")
    assert not share.exists()
