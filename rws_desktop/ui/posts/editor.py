"""The caption editor: findings highlighted as you type (green allowed, red blocked, amber to decide,
yellow warned), the reason on hover, and the one-click fix from the right-click menu."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QTextEdit, QToolTip

from ...core.captions.findings import Finding, Verdict

COLOURS = {
    Verdict.ALLOWED: QColor("#c6efce"),  # green
    Verdict.BLOCKED: QColor("#ffc7ce"),  # red
    Verdict.NEEDS_DECISION: QColor("#ffd591"),  # amber
    Verdict.WARNING: QColor("#fff2a8"),  # yellow
}
CONFIRMED = QColor("#e2f0d9")  # a decision made: pale green


def colour_of(finding: Finding) -> QColor:
    if finding.verdict is Verdict.NEEDS_DECISION and finding.confirmed_reason is not None:
        return CONFIRMED
    return COLOURS[finding.verdict]


class CaptionEditor(QPlainTextEdit):
    fix_requested = Signal(object)  # Finding
    confirm_requested = Signal(object)  # Finding

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Caption")
        self.setPlaceholderText("Type the caption as it will be posted")
        self.findings: tuple[Finding, ...] = ()

    def show_findings(self, findings: tuple[Finding, ...]) -> None:
        self.findings = findings
        text = self.toPlainText()
        selections = []
        for finding in findings:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(qt_position(text, finding.start))
            cursor.setPosition(qt_position(text, finding.end), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            text_format = QTextCharFormat()
            text_format.setBackground(colour_of(finding))
            if finding.verdict is not Verdict.ALLOWED:
                text_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                text_format.setUnderlineColor(QColor("#9c0006") if finding.blocks else QColor("#7f6000"))
            selection.format = text_format
            selections.append(selection)
        self.setExtraSelections(selections)

    def highlights(self) -> list[tuple[str, str]]:
        """(text, colour name) of each highlighted span, read back from the document."""
        return [(s.cursor.selectedText().replace("\u2029", "\n"), s.format.background().color().name())
                for s in self.extraSelections()]

    def finding_at(self, qt_index: int) -> Finding | None:
        position = python_index(self.toPlainText(), qt_index)
        return next((f for f in self.findings if f.start <= position < f.end), None)

    def replace_span(self, start: int, end: int, text: str) -> None:
        """One undoable edit; removing text also removes one space it leaves doubled."""
        cursor = QTextCursor(self.document())
        content = self.toPlainText()
        if not text and end < len(content) and content[end] == " " and (start == 0 or content[start - 1] in " \n"):
            end += 1
        elif not text and start > 0 and content[start - 1] == " " and (end == len(content) or content[end] in " \n.,;:!?"):
            start -= 1
        cursor.setPosition(qt_position(content, start))
        cursor.setPosition(qt_position(content, end), QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text)

    def viewportEvent(self, event) -> bool:
        """Hovering over the text: the tooltip says why a highlight is there."""
        if event.type() == QEvent.Type.ToolTip:
            finding = self.finding_at(self.cursorForPosition(event.pos()).position())
            if finding is not None:
                QToolTip.showText(event.globalPos(), tooltip(finding), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def contextMenuEvent(self, event) -> None:
        menu = self.createStandardContextMenu()
        finding = self.finding_at(self.cursorForPosition(event.pos()).position())
        if finding is not None:
            first = menu.actions()[0] if menu.actions() else None
            for action in fix_actions(menu, finding, self.fix_requested.emit, self.confirm_requested.emit):
                menu.insertAction(first, action)
            menu.insertSeparator(first)
        menu.exec(event.globalPos())


def qt_position(text: str, index: int) -> int:
    """Qt counts UTF-16 units, Python code points: an emoji before a name is two units, one character."""
    return len(text[:index].encode("utf-16-le")) // 2


def python_index(text: str, qt_index: int) -> int:
    units = 0
    for index, character in enumerate(text):
        if units >= qt_index:
            return index
        units += 2 if ord(character) > 0xFFFF else 1
    return len(text)


def tooltip(finding: Finding) -> str:
    words = {Verdict.ALLOWED: "Allowed", Verdict.BLOCKED: "Blocked", Verdict.NEEDS_DECISION: "Needs a decision",
             Verdict.WARNING: "Warning"}[finding.verdict]
    hint = f"\nFix: {finding.fix_label}" if finding.fix is not None else ""
    return f"{words}: {finding.reason}{hint}"


def fix_actions(menu: QMenu, finding: Finding, fix, confirm) -> list:
    actions = []
    if finding.fix is not None:
        action = menu.addAction(finding.fix_label)
        action.triggered.connect(lambda: fix(finding))
        actions.append(action)
    if finding.verdict is Verdict.NEEDS_DECISION and finding.confirmed_reason is None:
        action = menu.addAction("Confirm who this is…")
        action.triggered.connect(lambda: confirm(finding))
        actions.append(action)
    return actions
