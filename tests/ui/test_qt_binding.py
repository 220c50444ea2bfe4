"""The Qt binding the app is built on keeps Python's None alive: PySide6 6.12.0 on Python 3.11 took a
reference from None on every Qt call that returns nothing, and after a few thousand of them the
interpreter freed None and the app aborted mid-session (pyproject.toml pins below 6.12)."""
from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_qt_calls_that_return_nothing_leave_none_alive(qtbot):
    """A thousand setText and setEnabled calls leave None's reference count where it was (within the few
    references the loop itself may hold), where 6.12.0 lowered it by exactly one a call."""
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("checked")
        label.setEnabled(True)
    assert sys.getrefcount(None) >= before - 10
