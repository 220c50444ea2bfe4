"""The setup assistant's page: Next first does the page's work off the UI thread, then moves on."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtWidgets import QVBoxLayout, QWizardPage

from ...core.kernel.account_rules import AccountError
from ..form_dialog import problem_label, show_problem
from .presenter import AdminProblem, plain

if TYPE_CHECKING:
    from .setup_assistant import SetupAssistant


class AssistantPage(QWizardPage):
    """A page whose Next first does its work off the UI thread, then moves on; a problem keeps it open."""

    skippable = True

    def __init__(self, assistant: "SetupAssistant", title: str, subtitle: str):
        super().__init__()
        self.assistant = assistant
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.problem = problem_label()
        self.layout_ = QVBoxLayout(self)
        self._done = False
        self.skipped = False

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        self._done = False
        self.skipped = False
        show_problem(self.problem, "")

    def work(self) -> Callable[[], Any] | None:
        """What Next does (run off the UI thread), or None when there is nothing to do."""
        return None

    def finished(self, result: Any) -> None:
        """On the UI thread, after `work` succeeded."""

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        if self._done or self.skipped:
            return True
        try:
            work = self.work()
        except (AccountError, AdminProblem) as error:
            show_problem(self.problem, str(error))
            return False
        if work is None:
            return True
        show_problem(self.problem, "")
        self.assistant.run(work, self._succeeded, self._failed)
        return False

    def _succeeded(self, result: Any) -> None:
        self.finished(result)
        self._done = True
        self.assistant.next()

    def _failed(self, error: Exception) -> None:
        show_problem(self.problem, str(error) if isinstance(error, AdminProblem) else plain(error))
