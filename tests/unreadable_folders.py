"""Folders the user may not read, for tests of folder walks (a chmod would not stop root, who runs CI)."""
from __future__ import annotations

import os
from pathlib import Path


def refuse_listing(monkeypatch, name: str = "locked") -> None:
    """Any folder called `name` raises PermissionError when listed, as an unreadable folder does."""
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
