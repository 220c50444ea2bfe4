"""A workspace that has not been built yet, saying so and what to use meanwhile."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class Placeholder(QWidget):
    def __init__(self, headline: str, meanwhile: str, parent=None):
        super().__init__(parent)
        self.text = f"{headline}\n\n{meanwhile}"
        label = QLabel(f"<h3>{headline}</h3><p>{meanwhile}</p>")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
