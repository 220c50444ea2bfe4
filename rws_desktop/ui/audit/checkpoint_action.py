"""The audit workspace's "Save checkpoint…" button: a signed checkpoint of the log, for the auditor to keep
outside the database (on a USB stick, or printed with the governors' papers). Kept apart from the
workspace so the workspace only adds the button and calls this."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QPushButton

from ..folders import AUDIT_REPORTS, remember_folder

TOOLTIP = ("Save a signed record of the log as it is now (its last entry and hash). Keep the file away from this "
           "computer: later, 'rws audit verify --checkpoint FILE' proves no entry it covers was changed or removed.")


def checkpoint_button(workspace) -> QPushButton:
    button = QPushButton("Save checkpoint…")
    button.setToolTip(TOOLTIP)
    button.clicked.connect(lambda: save_checkpoint(workspace))
    return button


def save_checkpoint(workspace) -> None:
    """Ask where, then sign and write the checkpoint on the write pool; say what was saved or why not."""
    path: Path | None = workspace.ask_save_path("Save a signed checkpoint of the audit log", "audit-checkpoint.json",
                                                "Checkpoint files (*.json)")
    if not path:
        return
    remember_folder(workspace.settings, AUDIT_REPORTS, path.parent)

    def done(checkpoint) -> None:
        workspace.message.emit(f"Checkpoint of entry {checkpoint.entry} saved to {path}; "
                               f"signed by key {checkpoint.fingerprint}. Keep it away from this computer.")
        workspace.export_done.emit(str(path))

    def failed(exc: Exception) -> None:
        workspace.questions.explain("The checkpoint was not saved", str(exc))

    workspace.jobs.run(lambda: workspace.service.save_checkpoint(path), done, failed, pool=workspace.jobs.writes)
