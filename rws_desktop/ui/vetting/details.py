"""The panel beside the photo: its decision, every face with its reason, and the corrections."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QGridLayout, QGroupBox, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from ...core.vetting.review import CorrectionAction, PhotoReview
from ...core.vetting.analysis import Action, FaceReport
from ..face_words import face_figures, face_sentence, person_name
from .batch import BatchItem


def face_line(number: int, face: FaceReport, names: dict[int, str], channel_name: str) -> str:
    return f"{number}. {face_sentence(face, names, channel_name)}"


class DetailsPanel(QWidget):
    face_selected = Signal(int)  # -1 when none

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel("No photo selected")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.decision = QLabel("")
        self.decision.setWordWrap(True)
        self.faces = QListWidget()
        self.faces.setWordWrap(True)
        self.faces.setAccessibleName("Faces")
        self.faces.currentRowChanged.connect(self.face_selected.emit)
        self.corrections = QLabel("")
        self.corrections.setWordWrap(True)
        self.blur_face = QPushButton("Blur face…")
        self.show_face = QPushButton("Show face as…")
        self.blur_rectangle = QPushButton("Blur rectangle")
        self.blur_ellipse = QPushButton("Blur ellipse")
        for button, tip in ((self.blur_face, "Blur the selected face (always allowed)"),
                            (self.show_face, "Show the selected blurred face as someone with consent for this channel"),
                            (self.blur_rectangle, "Drag a rectangle over anything the detector missed"),
                            (self.blur_ellipse, "Drag an ellipse over anything the detector missed")):
            button.setToolTip(tip)
        for button in (self.blur_rectangle, self.blur_ellipse):
            button.setCheckable(True)
        corrections = QGroupBox("Corrections")
        grid = QGridLayout(corrections)
        grid.addWidget(self.blur_face, 0, 0)
        grid.addWidget(self.show_face, 0, 1)
        grid.addWidget(self.blur_rectangle, 1, 0)
        grid.addWidget(self.blur_ellipse, 1, 1)
        grid.addWidget(self.corrections, 2, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.decision)
        layout.addWidget(QLabel("Faces (select one to correct it):"))
        layout.addWidget(self.faces, 1)
        layout.addWidget(corrections)
        self.show_item(None, {}, -1)

    def show_item(self, item: BatchItem | None, names: dict[int, str], selected_face: int, channel_name: str = "this channel") -> None:
        review = item.review if item else None
        self.title.setText(f"<b>{item.path.name}</b>" if item else "No photo selected")
        self.title.setToolTip(str(item.path) if item else "")
        self.decision.setText(f"{item.status.value.capitalize()}: {item.reason}" if item else "Add photos to check them.")
        self.faces.blockSignals(True)
        self.faces.clear()
        faces = review.faces() if review else []
        for number, face in enumerate(faces, start=1):
            line = QListWidgetItem(face_line(number, face, names, channel_name))
            line.setToolTip(face_figures(face))
            line.setForeground(Qt.GlobalColor.darkGreen if face.action is Action.SHOWN else Qt.GlobalColor.darkRed)
            self.faces.addItem(line)
        self.faces.setCurrentRow(selected_face if 0 <= selected_face < len(faces) else -1)
        self.faces.blockSignals(False)
        self.corrections.setText(corrections_text(review, names) if review else "")
        editable = bool(review and review.editable)
        face = faces[selected_face] if review and 0 <= selected_face < len(faces) else None
        self.blur_face.setEnabled(editable and face is not None and face.action is Action.SHOWN)
        self.show_face.setEnabled(editable and face is not None and face.action is Action.BLURRED)
        self.blur_rectangle.setEnabled(editable)
        self.blur_ellipse.setEnabled(editable)


def corrections_text(review: PhotoReview, names: dict[int, str]) -> str:
    if not review.corrections:
        locked = " Exported: no further corrections." if review.exported else ""
        return f"None yet.{locked}"
    lines = []
    for correction in review.corrections:
        if correction.action is CorrectionAction.BLUR_FACE:
            what = f"Face {correction.face + 1} blurred"
        elif correction.action is CorrectionAction.SHOW_FACE:
            what = f"Face {correction.face + 1} shown as {person_name(correction.person_id, names)}"
        else:
            what = f"{correction.area.shape.value.capitalize()} blurred"
        lines.append(f"• {what} by {correction.user}: “{correction.reason}”")
    if review.exported:
        lines.append("Exported: no further corrections.")
    return "\n".join(lines)
