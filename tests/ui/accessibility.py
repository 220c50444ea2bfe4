"""Walking a window's widgets for controls a screen reader could not name."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QComboBox,
                               QGraphicsView, QLineEdit, QMenu, QScrollBar, QTabBar, QTextEdit, QWidget)

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QTextEdit, QAbstractSlider,
               QGraphicsView)
# Parts of a composite control (a line edit's clear button, a combo's list), named through the control itself.
COMPOSITES = (QComboBox, QAbstractSpinBox, QAbstractItemView, QTabBar, QMenu, QLineEdit)


def accessible_name(widget: QWidget) -> str:
    """What a screen reader announces: the accessible name, else the text or the buddy label Qt finds."""
    interface = QAccessible.queryAccessibleInterface(widget)
    name = interface.text(QAccessible.Text.Name) if interface is not None else ""
    return (name or widget.accessibleName() or "").replace("&", "").strip()


def unnamed_controls(root: QWidget) -> list[str]:
    """Every interactive control under `root` (visible or not: pages not yet shown count too) with no name."""
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, QScrollBar):
            continue
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus and not isinstance(widget, QAbstractButton):
            continue
        if _inside_composite(widget, root):
            continue
        if not accessible_name(widget):
            found.append(describe(widget, root))
    return sorted(set(found))


def _inside_composite(widget: QWidget, root: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, COMPOSITES):
            return True
        parent = parent.parentWidget()
    return False


def describe(widget: QWidget, root: QWidget) -> str:
    """Where the control is, for a person to find it: its class, hint texts and the nearest named ancestors."""
    hints = [text for text in (getattr(widget, "placeholderText", lambda: "")(), widget.toolTip(), widget.objectName())
             if text]
    chain = []
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        title = getattr(parent, "title", None)
        label = title() if callable(title) else ""
        chain.append(label or type(parent).__name__)
        parent = parent.parentWidget()
    where = " < ".join(chain[:3])
    return f"{type(widget).__name__}{' ' + repr(hints[0]) if hints else ''} in {where or type(root).__name__}"
