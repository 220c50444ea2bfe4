"""What the window asks the person and tells them, as one small protocol the workspaces share.

The workspaces and their presenters call these; the window passes in `DialogQuestions` (real
dialogs, in dialog_questions.py) and tests pass answers of their own, so nothing is written three
times. No Qt here: presenters use this and are tested without Qt.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Protocol

from ..core.audit.person_search import PersonChoice
from ..core.vetting.review_service import Candidate


class Questions(Protocol):
    def confirm(self, title: str, question: str) -> bool: ...

    def explain(self, title: str, text: str) -> None: ...

    def ask_reason(self, title: str, question: str) -> str | None: ...

    def ask_person(self, channel_name: str, search: Callable[[str], list[Candidate]],
                   already_shown: set[int]) -> tuple[int, str] | None:
        """Someone who may be shown on the channel, and the reason typed; None if cancelled."""

    def find_person(self, title: str, people: Callable[[], list[PersonChoice]]) -> PersonChoice | None:
        """Someone chosen by name, MIS id or id from `people` (read off the UI thread); None if cancelled."""

    def open_files(self, title: str, folder: str, file_filter: str) -> list[Path]: ...

    def open_file(self, title: str, folder: str, file_filter: str) -> Path | None: ...

    def save_file(self, title: str, suggested: Path, file_filter: str) -> Path | None: ...

    def folder(self, title: str, start: str) -> Path | None: ...

    def export_folder(self, proposed: Path, count: int, problem: Callable[[Path], str | None]) -> Path | None:
        """Where `count` safe copies go: `proposed`, or a folder typed or picked instead (which may not exist yet);
        `problem(folder)` says why one will not do, before the person leaves the question. None if cancelled."""
