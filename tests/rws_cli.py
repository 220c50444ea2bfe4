"""Calling the `rws` command line from tests."""
from __future__ import annotations

import json
from pathlib import Path

from rws_desktop.cli import main


def rws(db: Path, *args) -> int:
    return main(["--db", f"sqlite:///{db}", *map(str, args)])


def run_json(capsys, db: Path, *args):
    assert rws(db, *args) == 0
    return json.loads(capsys.readouterr().out)
