"""A person's reference faces as small thumbnails, so staff can confirm each is the right person."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QListView, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout)

from ...core.kernel.ports import ReferenceFace
from ...core.faces.thumbnails import THUMBNAIL_PX
from .wording import day

REFERENCE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def face_icon(face: ReferenceFace) -> QIcon:
    image = QImage.fromData(face.thumbnail_jpeg) if face.thumbnail_jpeg else QImage()
    if image.isNull():  # enrolled before thumbnails were kept
        pixmap = QPixmap(THUMBNAIL_PX, THUMBNAIL_PX)
        pixmap.fill(QColor("#d9dce1"))
        return QIcon(pixmap)
    return QIcon(QPixmap.fromImage(image))


class ReferenceFacesBox(QGroupBox):
    add_requested = Signal()
    remove_requested = Signal(int)  # reference face id

    def __init__(self, parent=None):
        super().__init__("Reference faces", parent)
        self.faces = QListWidget()
        self.faces.setAccessibleName("Reference faces")
        self.faces.setViewMode(QListView.ViewMode.IconMode)
        self.faces.setIconSize(QSize(THUMBNAIL_PX, THUMBNAIL_PX))
        self.faces.setMovement(QListView.Movement.Static)
        self.faces.setResizeMode(QListView.ResizeMode.Adjust)
        # One row of thumbnails in view (more scroll), so the outcome of adding stays on screen below.
        self.faces.setFixedHeight(THUMBNAIL_PX + 48)
        self.add = QPushButton("Add from photos…")
        self.add.setToolTip("One reference face per photo; each photo must show this person alone")
        self.remove = QPushButton("Remove selected")
        self.remove.setEnabled(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.faces)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.add.clicked.connect(self.add_requested)
        self.remove.clicked.connect(self._remove)
        self.faces.currentItemChanged.connect(lambda item, _old: self.remove.setEnabled(item is not None))

    def show_faces(self, faces: list[ReferenceFace], may_enrol: bool, why_not: str) -> None:
        self.faces.clear()
        for number, face in enumerate(faces, start=1):
            item = QListWidgetItem(face_icon(face), f"Face {number}")
            item.setData(REFERENCE_ID_ROLE, face.id)
            item.setToolTip(f"Added {day(face.added_at.date())} from a photo with fingerprint {face.source_sha256[:12]}…")
            self.faces.addItem(item)
        self.remove.setEnabled(False)
        self.add.setEnabled(may_enrol)
        self.add.setToolTip("One reference face per photo; each photo must show this person alone" if may_enrol
                            else f"No reference faces can be added: {why_not}")
        self.setTitle(f"Reference faces ({len(faces)})")

    def set_busy(self, text: str) -> None:
        self.add.setEnabled(False)
        self.status.setText(text)

    def _remove(self) -> None:
        item = self.faces.currentItem()
        if item is not None:
            self.remove_requested.emit(item.data(REFERENCE_ID_ROLE))
