"""Where the app's files live: bundled resources, migrations, and the user's data folder."""
from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "RWS Photo Check"
APP_AUTHOR = "Ravens Wood School"
_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    """An installed wheel carries `name` inside the package; a source checkout has it at the top."""
    installed = _PACKAGE_DIR / "_data" / name
    return installed if installed.is_dir() else _PACKAGE_DIR.parent / name


def resources_dir() -> Path:
    return _bundled("resources")


def migrations_dir() -> Path:
    return _bundled("db")


def channels_file() -> Path:
    return resources_dir() / "channels.toml"


def data_dir() -> Path:
    override = os.environ.get("RWS_DATA_DIR")
    return Path(override) if override else user_data_path(APP_NAME, APP_AUTHOR)


def make_private_folder(path: Path) -> Path:
    """Create `path` and any missing parents readable by this user only (0700 on Linux and macOS). The app's
    own data folder is made 0700 even if it exists; other existing folders (a shared drive) are left alone.
    On Windows the data folder lives in the user's profile, whose access list admits only them and admins."""
    path = Path(path).expanduser()
    if os.name == "posix":
        previous = os.umask(0o077)
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        finally:
            os.umask(previous)
        if path.resolve() == data_dir().expanduser().resolve():
            os.chmod(path, 0o700)
    else:
        path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_url() -> str:
    """The database the settings files name (see settings.py), else the embedded SQLite file in the data folder."""
    from .settings import Settings

    return Settings.load().database_url or f"sqlite:///{data_dir() / 'rws.sqlite3'}"
