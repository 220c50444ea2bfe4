"""The reference-face key as the admin workspace uses it: status, and export and import for a second PC.

Qt-free. Export and import go through the core's key service (`core.keys.service.KeyTransferService`),
the very one `rws key export/import` calls, so a key file exported here is read there and the reverse:
the keys sealed with a passphrase (see core/keys/key_file.py).
"""
from __future__ import annotations

from pathlib import Path

from ...app import App
from ...core.kernel.permissions import Action
from ...core.keys.key_file import MIN_PASSPHRASE  # noqa: F401  (the passphrase dialog's rule)
from ...core.keys.status import KeyStatus

KEY_FILE_FILTER = "RWS key files (*.rwskey);;All files (*)"


def status(app: App) -> KeyStatus:
    """Whether this computer holds the key, as `rws key status` reports it."""
    app.signed_in().require(Action.VIEW_SETUP)
    return app.key_status


def export_sealed(app: App, path: Path, passphrase: str) -> str:
    """Write the keys to `path`, sealed with `passphrase`; returns the key's id. Audited as an export."""
    return app.key_transfer.export(path, passphrase)


def import_sealed(app: App, path: Path, passphrase: str) -> KeyStatus:
    """Keep the keys in `path` on this computer; returns the new status. Audited as an import."""
    app.key_status = app.key_transfer.import_file(path, passphrase)
    return app.key_status
