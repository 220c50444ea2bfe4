"""Where the keys are kept on this computer (`core.keys.ports.KeyStore`): never in the database.

The OS keyring first, through `keyring`: the Windows Credential Manager (protected by the
user's Windows login), the macOS login Keychain, or the Secret Service (GNOME Keyring or
KWallet) on Linux. When there is no usable keyring (a headless Linux PC, a locked or broken
one), the key goes to a file in the app's data folder that only this user may read: mode
0600 in a 0700 folder on macOS and Linux; on Windows the folder is in the user's own profile,
whose access list admits only them and administrators.

A key is looked for in its file first. The app keeps each key in one place only (the keyring, or
the file when the keyring could not take it), so the order finds the same key; and every key loaded
is checked against the database before it is used, so a file holding another key unlocks nothing.
A PC keeping its keys in files then neither imports keyring nor asks the OS for a keyring at start
(about 0.04 s of every `rws` command and window start).
"""
from __future__ import annotations

import base64
import binascii
import importlib
import logging
import os
import stat
import sys
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .paths import APP_NAME

if TYPE_CHECKING:  # keyring is imported when a key store is made, not by every module that names these types
    from keyring.backend import KeyringBackend

    from .core.keys.ports import KeyStore

KEYRING_SERVICE = APP_NAME
log = logging.getLogger(__name__)

_KEYRING_NAMES = {
    "WinVaultKeyring": "the Windows Credential Manager",
    "SecretService.Keyring": "the Secret Service keyring (GNOME Keyring or KWallet)",
    "macOS.Keyring": "the macOS Keychain",
    "kwallet.DBusKeyring": "KWallet",
}
# The OS keyrings keyring offers on each platform (module, class), as its own plugin list names them. Only these
# are imported: keyring's automatic choice first imports every plugin it finds through the installed packages'
# metadata, the macOS one included, which on Linux and Windows looks for the Security framework with
# `find_library` (a subprocess on Linux): a tenth of a second or more at every start, to learn nothing.
_PLATFORM_KEYRINGS = {
    "win32": (("keyring.backends.Windows", "WinVaultKeyring"),),
    "darwin": (("keyring.backends.macOS", "Keyring"),),
}
_OTHER_KEYRINGS = (("keyring.backends.SecretService", "Keyring"), ("keyring.backends.libsecret", "Keyring"),
                   ("keyring.backends.kwallet", "DBusKeyring"))


class MemoryKeyStore:
    """Keys in this process only: for tests."""

    def __init__(self):
        self.keys: dict[str, bytes] = {}

    def load(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)

    def save(self, key_id: str, key: bytes) -> str:
        self.keys[key_id] = key
        return "memory"


class KeyringKeyStore:
    def __init__(self, backend: KeyringBackend):
        self._backend = backend

    @property
    def where(self) -> str:
        kind = type(self._backend)
        name = f"{kind.__module__.rsplit('.', 1)[-1]}.{kind.__name__}"
        return next((words for key, words in _KEYRING_NAMES.items() if name.endswith(key)), f"the system keyring ({name})")

    def load(self, key_id: str) -> bytes | None:
        text = self._backend.get_password(KEYRING_SERVICE, _entry_name(key_id))
        return _decode(text) if text else None

    def save(self, key_id: str, key: bytes) -> str:
        self._backend.set_password(KEYRING_SERVICE, _entry_name(key_id), base64.b64encode(key).decode("ascii"))
        return self.where


class FileKeyStore:
    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, key_id: str) -> Path:
        return self.folder / f"{_entry_name(key_id)}.key"

    def load(self, key_id: str) -> bytes | None:
        path = self.path(key_id)
        if not path.is_file():
            return None
        if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            log.warning("The key file %s could be read by others; it is now readable by its owner only.", path)
            os.chmod(path, 0o600)
        return _decode(path.read_text(encoding="ascii").strip())

    def save(self, key_id: str, key: bytes) -> str:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(self.folder, 0o700)
        # Created with its permissions in one step, so it is never readable by others, even briefly.
        descriptor = os.open(self.path(key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(base64.b64encode(key).decode("ascii") + "\n")
        return f"the key file {self.path(key_id)} (readable by you only)"


class FallbackKeyStore:
    """The keyring, and the key file whenever the keyring fails (it may be locked, or its service not running)."""

    def __init__(self, primary: KeyStore, fallback: KeyStore):
        self.primary = primary
        self.fallback = fallback

    def load(self, key_id: str) -> bytes | None:
        try:
            key = self.primary.load(key_id)
        except Exception as error:  # keyring backends raise many kinds of error when their service is down
            log.warning("The system keyring could not be read (%s); looking for a key file instead.", error)
            key = None
        return key if key is not None else self.fallback.load(key_id)

    def save(self, key_id: str, key: bytes) -> str:
        try:
            return self.primary.save(key_id, key)
        except Exception as error:
            where = self.fallback.save(key_id, key)
            log.warning("The system keyring could not store the reference-face key (%s); it is kept in %s.", error, where)
            return where


def platform_keyrings() -> tuple[tuple[str, str], ...]:
    """This platform's OS keyring backends, as (module, class) names."""
    return _PLATFORM_KEYRINGS.get(sys.platform, _OTHER_KEYRINGS)


def system_keyring() -> KeyringBackend:
    """The OS keyring, chosen as keyring chooses: the backend named by PYTHON_KEYRING_BACKEND or keyring's own
    settings file (keyringrc.cfg) if either names one, else the highest-priority backend that works here, among
    this platform's OS keyrings only (`_PLATFORM_KEYRINGS`); keyring's fail backend when none does. Unlike
    `keyring.get_keyring()` it does not load every keyring plugin installed (see `_PLATFORM_KEYRINGS`), and on a
    Linux PC with several working keyrings it uses the best one rather than keyring's chain of them all."""
    from keyring import core
    from keyring.backends import fail

    configured = core.load_env() or core.load_config()
    if configured is not None:
        return configured
    working = []
    for module_name, class_name in platform_keyrings():
        try:
            backend_class = getattr(importlib.import_module(module_name), class_name)
            priority = backend_class.priority  # asks the OS (Credential Manager, Keychain, D-Bus); raises if unusable
            working.append((priority, backend_class()))
        except Exception as error:  # a backend whose own dependencies are missing or broken is not usable
            log.debug("The keyring backend %s.%s is not usable: %s", module_name, class_name, error)
    return max(working, key=lambda found: found[0], default=(0, fail.Keyring()))[1]


def keyring_usable(backend: KeyringBackend | None) -> bool:
    from keyring.backends import chainer, fail

    if backend is None or isinstance(backend, fail.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return False
    try:
        return backend.priority > 0
    except Exception:
        return False


class FileFirstKeyStore:
    """A key's file when this computer has one, else `chosen`: the OS keyring then the file, or the file alone where
    no keyring is usable, worked out (keyring imported, the OS asked) only when first needed."""

    def __init__(self, files: FileKeyStore, choose: Callable[[], KeyStore]):
        self.files = files
        self._choose = choose

    @cached_property
    def chosen(self) -> KeyStore:
        return self._choose()

    def load(self, key_id: str) -> bytes | None:
        key = self.files.load(key_id)
        return key if key is not None else self.chosen.load(key_id)

    def save(self, key_id: str, key: bytes) -> str:
        return self.chosen.save(key_id, key)


def default_key_store(data_folder: Path) -> KeyStore:
    files = FileKeyStore(data_folder / "keys")
    return FileFirstKeyStore(files, lambda: keyring_or_file(files))


def keyring_or_file(files: FileKeyStore) -> KeyStore:
    """The OS keyring with the key file behind it, or the key file alone when there is no usable keyring."""
    try:
        backend = system_keyring()
    except Exception:
        backend = None
    if not keyring_usable(backend):
        log.info("No system keyring is available; the reference-face key is kept in a file readable by this user only.")
        return files
    return FallbackKeyStore(KeyringKeyStore(backend), files)


def _entry_name(key_id: str) -> str:
    """The keyring entry (and key file) name: audit-log keys' ids start with "log-"."""
    if key_id.startswith("log-"):
        return f"audit-log-key-{key_id[4:]}"
    return f"reference-face-key-{key_id}"


def _decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        log.warning("A stored reference-face key is not readable and is ignored.")
        return None
