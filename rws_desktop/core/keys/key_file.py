"""The key file that carries both keys to another PC sharing the database, for `rws key` and the window.

Inside is a small JSON document: the reference-face key and, when this PC holds it, the audit-log
key, base64 (a PC needs both to recognise anyone). The file sealed around it holds that document
encrypted with AES-256-GCM under a key derived from the admin's passphrase by scrypt, so the keys
are never on disk in the clear. It is written readable by its owner only. Reading also accepts the
unsealed document alone, as `rws key export` wrote it before files were sealed.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ..kernel.disk_errors import unreadable_reason
from .status import KeyRefused

SEALED_MARK = "rws_reference_face_key_sealed"
KEY_MARK = "rws_reference_face_key"  # the inner document's first field: the reference-face key's id
MIN_PASSPHRASE = 10
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1  # about 32 MiB and a tenth of a second
# A file says how hard its passphrase was made to guess, and opening it pays that cost: unchecked, a crafted
# file could ask for gigabytes of memory or hours of work. Up to four times today's memory and sixteen times
# its work are accepted (room for stronger settings later); anything beyond is refused before any work.
MAX_SCRYPT_MEMORY = 4 * 128 * SCRYPT_N * SCRYPT_R  # bytes: scrypt holds 128 x n x r of them (128 MiB)
MAX_SCRYPT_WORK = 16 * SCRYPT_N * SCRYPT_R * SCRYPT_P  # n x r x p, which the time grows with
MAX_FILE_BYTES = 64 * 1024  # a key file is well under 1 KB
DAMAGED = "{name} is damaged and cannot be read; export the key again."
NOT_A_KEY_FILE = "{name} is not a key file exported by RWS Photo Check."

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CarriedKeys:
    """What one key file carries: the reference-face key, and the audit-log key when the exporting PC held it."""

    key_id: str
    key: bytes
    log_key_id: str | None = None
    log_secret: bytes | None = None

    def document(self) -> bytes:
        document = {KEY_MARK: self.key_id, "key": _b64(self.key)}
        if self.log_secret is not None:
            document |= {"audit_log_key": self.log_key_id, "log_key": _b64(self.log_secret)}
        return json.dumps(document).encode("ascii")

    @classmethod
    def from_document(cls, document: dict, name: str) -> "CarriedKeys":
        try:
            log_secret = base64.b64decode(document["log_key"], validate=True) if "log_key" in document else None
            return cls(document[KEY_MARK], base64.b64decode(document["key"], validate=True),
                       document.get("audit_log_key"), log_secret)
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            log.info("key file refused: %s: %s", type(error).__name__, error)
            raise KeyRefused(NOT_A_KEY_FILE.format(name=name)) from None


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeyRefused(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters; you type it again on "
                         "the other PC, so a short sentence works well.")


def write_key_file(path: Path, keys: CarriedKeys, passphrase: str) -> None:
    """`keys` sealed with `passphrase` into `path`, readable by its owner only; a file already there is replaced."""
    check_passphrase(passphrase)
    _write_private(path, json.dumps(_seal(keys.document(), passphrase)).encode("ascii"))


def needs_passphrase(path: Path) -> bool:
    """Whether the file at `path` is sealed (an unreadable file counts as not: reading it says why)."""
    try:
        return SEALED_MARK in _read_json(path)
    except KeyRefused:
        return False


def read_key_file(path: Path, passphrase: str | None) -> CarriedKeys:
    """The keys in `path`: a sealed file opened with `passphrase`, or an unsealed one from an older `rws key export`."""
    document = _read_json(path)
    if SEALED_MARK in document:
        if not passphrase:
            raise KeyRefused(f"{path.name} is locked with a passphrase: type the one chosen when the key was exported.")
        try:
            document = json.loads(_open(document, passphrase, path.name))
        except ValueError as error:
            log.info("key file refused: its sealed document is not JSON: %s", error)
            raise KeyRefused(DAMAGED.format(name=path.name)) from None
    return CarriedKeys.from_document(document, path.name)


def _read_json(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        log.info("key file not read: %s (errno %s)", error.strerror or type(error).__name__, error.errno)
        raise KeyRefused(f"{path.name} could not be read. {unreadable_reason(error)}") from None
    if len(data) > MAX_FILE_BYTES:
        raise KeyRefused(f"{path.name} is far larger than a key file (well under 1 KB), so it is not one exported "
                         "by RWS Photo Check.")
    try:
        document = json.loads(data.decode("ascii"))
    except ValueError as error:  # UnicodeDecodeError is one
        log.info("key file refused: %s: %s", type(error).__name__, error)
        raise KeyRefused(NOT_A_KEY_FILE.format(name=path.name)) from None
    if not isinstance(document, dict):
        raise KeyRefused(NOT_A_KEY_FILE.format(name=path.name))
    return document


def _seal(document: bytes, passphrase: str) -> dict:
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_derive(passphrase, salt)).encrypt(nonce, document, SEALED_MARK.encode("ascii"))
    return {SEALED_MARK: 1, "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
            "salt": _b64(salt), "nonce": _b64(nonce), "sealed": _b64(sealed)}


def _open(document: dict, passphrase: str, name: str) -> bytes:
    try:
        salt, nonce, sealed = (base64.b64decode(document[k], validate=True) for k in ("salt", "nonce", "sealed"))
        n, r, p = (_whole_number(document[k]) for k in ("n", "r", "p"))
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        log.info("key file refused: its sealed parts are damaged: %s: %s", type(error).__name__, error)
        raise KeyRefused(DAMAGED.format(name=name)) from None
    check_scrypt_settings(n, r, p, name)
    try:
        key = _derive(passphrase, salt, n, r, p)
    except (TypeError, ValueError) as error:  # an empty salt, say
        log.info("key file refused: scrypt refused its settings: %s", error)
        raise KeyRefused(DAMAGED.format(name=name)) from None
    try:
        return AESGCM(key).decrypt(nonce, sealed, SEALED_MARK.encode("ascii"))
    except InvalidTag:
        raise KeyRefused("That passphrase does not open this key file. Check it with whoever exported it "
                         "(capitals count) and try again.") from None


def check_scrypt_settings(n: int, r: int, p: int, name: str) -> None:
    """Refuse, before any work, settings that are not scrypt's or that would cost far more than this app asks."""
    if n < 2 or n & (n - 1) or r < 1 or p < 1:
        raise KeyRefused(DAMAGED.format(name=name))
    if 128 * n * r > MAX_SCRYPT_MEMORY or n * r * p > MAX_SCRYPT_WORK:
        log.info("key file refused: scrypt settings n=%d r=%d p=%d are over the limits", n, r, p)
        raise KeyRefused(f"{name} asks for far more memory or time to open than a key file exported by RWS Photo "
                         "Check does, so it was not opened (it may have been made to stall this computer). "
                         "Export the key again from the PC that holds it.")


def _whole_number(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def _derive(passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _write_private(path: Path, data: bytes) -> None:
    """Readable by its owner only from the moment it exists; a file already there is replaced."""
    if path.exists():
        path.unlink()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
