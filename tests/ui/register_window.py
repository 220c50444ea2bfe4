"""Driving the Consent register workspace of the real window: its questions answered by the test."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings

from rws_desktop.core.kernel.consent import PersonKind
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.ui.register.workspace import RegisterWorkspace

from vetting_window import open_window

SETTLE_MS = 20_000


@dataclass
class RegisterAnswers:
    """What the office would pick or answer, and what the workspace asked and told them."""

    mis_file: Path | None = None
    reference_photos: list[Path] = field(default_factory=list)
    csv_destination: Path | None = None
    confirm: bool = True
    asked: list[tuple[str, str]] = field(default_factory=list)
    told: list[tuple[str, str]] = field(default_factory=list)


def open_register(qtbot, db: Path, settings: QSettings):
    window, _vetting_answers = open_window(qtbot, db, settings, user="TST")  # TST holds every role, office included
    workspace = window.findChild(RegisterWorkspace)
    answers = RegisterAnswers()
    questions = window.questions  # shared by every workspace: answered here from the office's answers
    questions.open_file = lambda title, folder, file_filter: answers.mis_file
    questions.open_files = lambda title, folder, file_filter: answers.reference_photos
    questions.save_file = lambda title, suggested, file_filter: answers.csv_destination

    def confirm(title: str, question: str) -> bool:
        answers.asked.append((title, question))
        return answers.confirm

    questions.confirm = confirm
    questions.explain = lambda title, text: answers.told.append((title, text))
    window.tabs.setCurrentWidget(workspace)
    settle(qtbot, workspace)
    return window, workspace, answers


def settle(qtbot, workspace: RegisterWorkspace, timeout: int = SETTLE_MS) -> None:
    """Wait until every read and write the workspace started has finished and is on screen."""
    qtbot.waitUntil(lambda: not workspace.busy, timeout=timeout)


def add_pupils(workspace: RegisterWorkspace, pupils: list[tuple[str, str | None, int | None, str | None]]) -> dict[str, int]:
    """Made-up pupils (name, MIS id, year, form) added through the register service; returns ids by name."""
    ids = {}
    for name, mis_id, year, form in pupils:
        ids[name] = workspace.app.register.add_person(NewPerson(name, PersonKind.PUPIL, mis_id, year, form)).id
    return ids


def table_names(workspace: RegisterWorkspace) -> list[str]:
    return [row.person.name for row in workspace.model.rows]


def choose(qtbot, workspace: RegisterWorkspace, person_id: int) -> None:
    """Click the person's row in the table and wait for their panel."""
    row = workspace.model.row_of(person_id)
    assert row >= 0, f"person {person_id} is not in the table"
    workspace.table.selectRow(row)
    settle(qtbot, workspace)
    assert workspace.panel.person_id == person_id


def audit(db: Path) -> list[dict]:
    with sqlite3.connect(db) as connection:
        return [json.loads(row[0]) for row in connection.execute("SELECT content FROM audit_entry ORDER BY seq")]


def today() -> date:
    return date.today()
