"""Walking a window's tab order with the Tab key, as someone without a mouse would."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from accessibility import accessible_name


def tab_walk(start: QWidget, presses: int = 400) -> list[QWidget]:
    """The widgets that hold the focus, in order, from `start` while Tab is pressed, until the focus comes back to
    `start` (or `presses` run out, when something keeps the focus)."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    reached = [QApplication.focusWidget()]
    for _ in range(presses):
        QTest.keyClick(QApplication.focusWidget() or start, Qt.Key.Key_Tab)
        QApplication.processEvents()
        focused = QApplication.focusWidget()
        if focused is reached[0]:
            break
        reached.append(focused)
    return reached


def buttons_to_reach(root: QWidget) -> list[QAbstractButton]:
    """Every button under `root` that a person could press now: shown on screen and enabled."""
    return [button for button in root.findChildren(QAbstractButton)
            if button.isVisibleTo(root.window()) and button.isEnabled() and button.window() is root.window()]


def unreachable_buttons(root: QWidget, reached: list[QWidget]) -> list[str]:
    """The buttons under `root` that Tab never reached, by their text or accessible name."""
    seen = {id(widget) for widget in reached if widget is not None}
    return sorted(f"{type(button).__name__} {accessible_name(button) or button.toolTip() or button.objectName()!r}"
                  for button in buttons_to_reach(root) if id(button) not in seen)


def first_focusable(root: QWidget) -> QWidget:
    """The first widget under `root` in the focus chain that takes focus by Tab, shown and enabled."""
    widget = root.nextInFocusChain()
    while widget is not root:
        if (root.isAncestorOf(widget) and widget.isVisibleTo(root.window()) and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            return widget
        widget = widget.nextInFocusChain()
    raise AssertionError(f"nothing under {type(root).__name__} takes the focus by Tab")
