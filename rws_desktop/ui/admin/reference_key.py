"""The reference-face key as the admin workspace uses it: status, and export and import for a second PC.

One adapter over what `rws key status/export/import` calls today (rws_desktop.key_transfer), so it can
be re-pointed in one place when the key service moves into the core. Qt-free.

The window protects the exported file with a passphrase: the command line's key file (the key in the
clear) is sealed with AES-256-GCM under a key derived from the passphrase by scrypt. The clear file
exists only for a moment, in a private temporary folder, readable by its owner only. Import takes a
sealed file with its passphrase, or a clear file written by `rws key export`.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ...app import App
from ...core.kernel.permissions import Action
from ...key_transfer import export_key, import_key
from ...core.kernel.ports import StoreUnavailable as StorageError
from ...storage.template_key import KeyStatus

SEALED_MARK = "rws_reference_face_key_sealed"
MIN_PASSPHRASE = 10
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1  # about 32 MiB and a tenth of a second
KEY_FILE_FILTER = "RWS key files (*.rwskey);;All files (*)"


class KeyTransferError(StorageError):
    """A key export or import that cannot be done, in plain words."""


def status(app: App) -> KeyStatus:
    """Whether this computer holds the key, as `rws key status` reports it."""
    app.signed_in().require(Action.VIEW_SETUP)
    return app.key_status


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeyTransferError(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters; you type it again on "
                               "the other PC, so a short sentence works well.")


def export_sealed(app: App, path: Path, passphrase: str) -> str:
    """Write the key to `path`, sealed with `passphrase`; returns the key's id. Audited as an export."""
    check_passphrase(passphrase)
    with tempfile.TemporaryDirectory(prefix="rws-key-") as folder:
        clear = Path(folder) / "key.json"
        key_id = export_key(app.database, app.key_store, app.signed_in(), clear)
        document = clear.read_bytes()
        clear.unlink()
    _write_private(path, json.dumps(_seal(document, passphrase)).encode("ascii"))
    return key_id


def import_sealed(app: App, path: Path, passphrase: str) -> KeyStatus:
    """Keep the key in `path` on this computer; returns the new status. Audited as an import."""
    session = app.signed_in()
    session.require(Action.MANAGE_KEY)
    try:
        document = json.loads(path.read_text(encoding="ascii"))
    except (OSError, ValueError) as error:
        raise KeyTransferError(f"{path.name} is not a key file exported by RWS Photo Check ({error}).") from None
    if isinstance(document, dict) and SEALED_MARK in document:
        clear_bytes = _open(document, passphrase, path.name)
        with tempfile.TemporaryDirectory(prefix="rws-key-") as folder:
            clear = Path(folder) / "key.json"
            _write_private(clear, clear_bytes)
            app.key_status = import_key(app.database, app.key_store, session, clear)
    else:
        app.key_status = import_key(app.database, app.key_store, session, path)
    return app.key_status


def _seal(document: bytes, passphrase: str) -> dict:
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_derive(passphrase, salt)).encrypt(nonce, document, SEALED_MARK.encode("ascii"))
    return {SEALED_MARK: 1, "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
            "salt": _b64(salt), "nonce": _b64(nonce), "sealed": _b64(sealed)}


def _open(document: dict, passphrase: str, name: str) -> bytes:
    try:
        salt, nonce, sealed = (base64.b64decode(document[k], validate=True) for k in ("salt", "nonce", "sealed"))
        key = _derive(passphrase, salt, int(document["n"]), int(document["r"]), int(document["p"]))
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise KeyTransferError(f"{name} is damaged and cannot be read ({error}); export the key again.") from None
    try:
        return AESGCM(key).decrypt(nonce, sealed, SEALED_MARK.encode("ascii"))
    except InvalidTag:
        raise KeyTransferError("That passphrase does not open this key file. Check it with whoever exported it "
                               "(capitals count) and try again.") from None


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
