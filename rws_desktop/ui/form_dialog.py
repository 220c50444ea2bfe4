"""The one shape of the window's small forms: an intro, the fields, a red line for what went wrong, and
OK/Cancel. OK runs the dialog's `check`; a problem in plain words stays on screen and the dialog stays
open, so nothing typed is lost."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..core.kernel.account_rules import AccountError
from ..core.kernel.permissions import NotAllowed

PLAIN_REFUSALS = (AccountError, NotAllowed)  # problems worded for the person, shown as they are


def problem_label() -> QLabel:
    """A red line for what stopped a change; empty (and hidden) until then."""
    label = QLabel("")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.setAccessibleName("Problem")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_problem(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class FormDialog(QDialog):
    """`body` holds the fields; without one, `field()` adds rows to a form of the dialog's own."""

    def __init__(self, title: str, intro: str, ok_text: str, body: QWidget | None = None, parent=None,
                 min_width: int = 460):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(min_width)
        self.form = QFormLayout()
        self.problem = problem_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            layout.addWidget(label)
        if body is not None:
            layout.addWidget(body)
        else:
            layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def field(self, label: str, secret: bool = False) -> QLineEdit:
        edit = QLineEdit()
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(label, edit)
        return edit

    def accept(self) -> None:
        try:
            self.check()
        except PLAIN_REFUSALS as error:
            show_problem(self.problem, str(error))
            self.adjustSize()  # grow to the wrapped message instead of squashing the fields under it
            return
        super().accept()

    def check(self) -> None:
        """Raise AccountError, in plain words, for what must be fixed before OK (or do the work and let it raise)."""
