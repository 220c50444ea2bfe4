"""Settings files: a machine-wide one, which IT writes once per PC, and each user's own.

Both are TOML files named settings.toml, in the platform's configuration folders (platformdirs):

- machine-wide: C:\\ProgramData\\Ravens Wood School\\RWS Photo Check on Windows,
  /Library/Application Support/RWS Photo Check on macOS, /etc/xdg/RWS Photo Check on Linux;
- the user's: their own configuration folder (AppData\\Local\\... on Windows, ~/.config/... on Linux).

The machine-wide file is read first, then the user's, whose values win. Today they name the
database only:

    [database]
    url = "postgresql://rws@db.school.example:5432/rws"

No `url` means the embedded SQLite file in each user's data folder. A PostgreSQL password is
never written here: it is kept in each user's OS keyring (`rws setup password`), or the server
signs staff in another way (Windows sign-in, certificates). RWS_SITE_CONFIG_DIR and RWS_CONFIG_DIR
point at other folders (for tests, or a technician trying a file out).
"""
from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from platformdirs import site_config_path, user_config_path

from .paths import APP_AUTHOR, APP_NAME

SETTINGS_FILE = "settings.toml"
KEYRING_SERVICE = APP_NAME
log = logging.getLogger(__name__)


class SettingsError(Exception):
    """A settings file that cannot be read or written, explained."""


def site_settings_file() -> Path:
    override = os.environ.get("RWS_SITE_CONFIG_DIR")
    folder = Path(override) if override else site_config_path(APP_NAME, APP_AUTHOR)
    return folder / SETTINGS_FILE


def user_settings_file() -> Path:
    override = os.environ.get("RWS_CONFIG_DIR")
    folder = Path(override) if override else user_config_path(APP_NAME, APP_AUTHOR)
    return folder / SETTINGS_FILE


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None  # None: the embedded SQLite file in the user's data folder
    database_from: Path | None = None  # the file that named it

    @classmethod
    def load(cls) -> "Settings":
        """The machine-wide file, then the user's on top of it."""
        settings = cls()
        for path in (site_settings_file(), user_settings_file()):
            url = _read(path).get("database", {}).get("url")
            if url:
                settings = cls(str(url), path)
        return settings


def _read(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"The settings file {path} could not be read: {error}. Correct it or delete it.") from error


def write_database_url(path: Path, url: str | None) -> None:
    """Write (or replace) the [database] table of the settings file at `path`; None means the embedded default.
    Any password in `url` must already have been taken out (see `without_password`)."""
    from sqlalchemy.engine import make_url

    if url is not None and make_url(url).password is not None:
        raise SettingsError("A password never goes into a settings file; keep it in the keyring instead.")
    lines = ["# RWS Photo Check settings, written by `rws setup database`.",
             "# The database password, if the server needs one, is kept in each user's OS keyring, never here.",
             "[database]"]
    if url is None:
        lines.append('# No url: the embedded SQLite database, one file in each user\'s data folder.')
    else:
        lines.append(f"url = {_toml_string(url)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except PermissionError as error:
        raise SettingsError(f"{path} could not be written: {error.strerror}. The machine-wide settings need an "
                            "administrator (Windows: run as administrator; macOS and Linux: sudo).") from error
    except OSError as error:
        raise SettingsError(f"{path} could not be written: {error.strerror or error}.") from error


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# PostgreSQL passwords: in the user's OS keyring, one entry per server, user and database.

def keyring_entry(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return f"database {parsed.username}@{parsed.host}:{parsed.port or 5432}/{parsed.database}"


def without_password(url: str) -> tuple[str, str | None]:
    """The URL with any password taken out, and that password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.password is None:
        return url, None
    # URL.set(password=None) would leave the password as it is; URL is a named tuple.
    return parsed._replace(password=None).render_as_string(hide_password=False), str(parsed.password)


def save_database_password(url: str, password: str) -> str:
    """Keep the password for `url` in this user's OS keyring; returns where, in words."""
    from .keys import KeyringKeyStore

    backend = _usable_keyring()
    if backend is None:
        raise SettingsError("This computer has no usable OS keyring, so the password cannot be kept safely. "
                            "Ask the database administrator for a sign-in that needs no password (such as "
                            "Windows sign-in or a client certificate).")
    backend.set_password(KEYRING_SERVICE, keyring_entry(url), password)
    return KeyringKeyStore(backend).where


def database_password(url: str) -> str | None:
    """The password for `url` from this user's OS keyring, or None (no keyring, no entry, or it failed)."""
    backend = _usable_keyring()
    if backend is None:
        return None
    try:
        return backend.get_password(KEYRING_SERVICE, keyring_entry(url))
    except Exception as error:  # keyring backends raise many kinds of error when their service is down
        log.warning("The OS keyring could not be read for the database password (%s).", type(error).__name__)
        return None


def _usable_keyring():
    from . import keys

    try:
        backend = keys.system_keyring()
    except Exception:
        return None
    return backend if keys.keyring_usable(backend) else None
