"""Reviewing one clip: the player, the list of tracks and the corrections.

Each track shows a thumbnail of its face (from its best frame of the original), its frames, its
action and the reason. Selecting a track highlights its frames on the timeline and goes to its
best frame. Corrections ask for a typed reason (and for showing a track, the person, from the
register); the review service audits each. The questions go through `Questions`, so a test (or
the vetting workspace) can answer them without dialogs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QVBoxLayout,
                               QWidget)

from ...core.clips.media import FrameReader
from ...core.clips.pipeline import ClipAnalyser
from ...core.clips.review import ClipReview, ClipReviewError, ClipReviewService
from ...core.faces.geometry import Box
from ...core.faces.redaction import redact
from ...core.kernel.decisions import Action
from ..face_words import face_figures, face_sentence
from ..images import to_qimage
from .dialogs import ask_person, ask_reason, ask_span
from .player import ClipPlayer

THUMB_PX = 64


@dataclass
class Questions:
    """How the panel asks for what a correction needs; None means the user cancelled."""

    reason: Callable[[QWidget, str, str], str | None] = ask_reason
    person: Callable[[QWidget, Callable[[str], list]], tuple[int, str] | None] = ask_person
    span: Callable[[QWidget, int, int], tuple[int, int, str] | None] = ask_span
    explain: Callable[[QWidget, str, str], None] = lambda parent, title, text: QMessageBox.information(parent, title, text)


class ClipReviewPanel(QWidget):
    corrected = Signal(str)  # a correction was made and audited: what to say

    def __init__(self, review: ClipReview, service: ClipReviewService, channel_key: str, analyser: ClipAnalyser,
                 candidates: Callable[[str], list], questions: Questions = Questions(), names: dict[int, str] | None = None):
        super().__init__()
        self.names = names or {}  # person id -> name, from the register snapshot the clip was checked against
        self.review, self.service, self.channel_key, self.analyser = review, service, channel_key, analyser
        self.candidates, self.questions = candidates, questions
        info = review.result.info
        self.reader = FrameReader(review.result.source, info)
        self.player = ClipPlayer(self._frame, review.scan.frames, info.fps)
        self.tracks = QListWidget()
        self.tracks.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.blur_button = QPushButton("Blur this face")
        self.show_button = QPushButton("Show as…")
        self.area_hint = QLabel("Drag across the picture to blur an area for a span of frames.")
        self.status = QLabel()
        self.status.setWordWrap(True)
        side = QVBoxLayout()
        side.addWidget(QLabel("Faces in this clip"))
        side.addWidget(self.tracks, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.blur_button)
        buttons.addWidget(self.show_button)
        side.addLayout(buttons)
        side.addWidget(self.area_hint)
        side.addWidget(self.status)
        layout = QHBoxLayout(self)
        layout.addWidget(self.player, 3)
        layout.addLayout(side, 2)
        self.tracks.currentRowChanged.connect(self._track_selected)
        self.blur_button.clicked.connect(self.blur_selected)
        self.show_button.clicked.connect(self.show_selected)
        self.player.view.area_drawn.connect(self.blur_area)
        self._fill_tracks()

    def close_reader(self) -> None:
        self.reader.close()

    # The frames

    def _frame(self, index: int, safe: bool) -> np.ndarray:
        pixels = self.reader.frame(index)
        if not safe:
            return pixels
        regions = self.review.hidden_regions(index, self.analyser.settings.coverage(self.review.result.info))
        return np.asarray(redact(Image.fromarray(pixels), regions)) if regions else pixels

    # The tracks

    def _fill_tracks(self) -> None:
        row = self.tracks.currentRow()
        self.tracks.clear()
        for number, track in enumerate(self.review.tracks(), start=1):
            item = QListWidgetItem(self._thumbnail(track.best_frame, track.box), self._describe(number, track))
            item.setToolTip(face_figures(track))
            item.setData(Qt.ItemDataRole.UserRole, track.track_id)
            self.tracks.addItem(item)
        if self.tracks.count():
            self.tracks.setCurrentRow(max(0, min(row, self.tracks.count() - 1)))
        decision, reason = self.review.decision()
        self.status.setText(f"{decision.value.capitalize()}: {reason}.")

    def _describe(self, number: int, track) -> str:
        channel_name = self.service.channels.get(self.channel_key).name
        return (f"Face {number}: frames {track.first_frame + 1}–{track.last_frame + 1}\n"
                f"{face_sentence(track, self.names, channel_name)}")

    def _thumbnail(self, frame: int, box: Box) -> QIcon:
        pixels = self.reader.frame(frame)
        grown = box.grown(0.3, 0.3, 0.3).clipped(pixels.shape[1], pixels.shape[0])
        face = Image.fromarray(pixels).crop((grown.left, grown.top, grown.right, grown.bottom))
        face.thumbnail((THUMB_PX, THUMB_PX))
        return QIcon(QPixmap.fromImage(to_qimage(face)))

    def selected_track(self):
        item = self.tracks.currentItem()
        if item is None:
            return None
        track_id = item.data(Qt.ItemDataRole.UserRole)
        return next(t for t in self.review.tracks() if t.track_id == track_id)

    def _track_selected(self, _row: int) -> None:
        track = self.selected_track()
        self.player.timeline.set_span(None if track is None else (track.first_frame, track.last_frame))
        editable = self.review.editable  # not once exported, blocked or in error
        self.blur_button.setEnabled(editable and track is not None and track.action is Action.SHOWN)
        self.show_button.setEnabled(editable and track is not None and track.action is Action.BLURRED)
        if track is not None:
            self.player.seek(track.best_frame)

    # Corrections

    def blur_selected(self) -> None:
        track = self.selected_track()
        if track is None:
            return
        reason = self.questions.reason(self, "Blur this face", "Why should this face be blurred?")
        if reason is not None:
            self._correct(lambda: self.service.blur_track(self.review, self.channel_key, track.track_id, reason),
                          "Face blurred for the whole clip")

    def show_selected(self) -> None:
        track = self.selected_track()
        if track is None:
            return
        answer = self.questions.person(self, self.candidates)
        if answer is not None:
            person_id, reason = answer
            self._correct(lambda: self.service.show_track(self.review, self.channel_key, track.track_id, person_id, reason),
                          "Face shown")

    def blur_area(self, box: Box) -> None:
        answer = self.questions.span(self, self.player.index, self.review.scan.frames - 1)
        if answer is not None:
            first, last, reason = answer
            self._correct(lambda: self.service.blur_area(self.review, self.channel_key, box, first, last, reason),
                          f"Area blurred on frames {first + 1} to {last + 1}")

    def _correct(self, make, done: str = "Corrected") -> bool:
        try:
            make()
        except ClipReviewError as exc:
            self.questions.explain(self, "Cannot make this correction", str(exc))
            return False
        self.refresh()
        self.corrected.emit(f"{done}; recorded in the audit log.")
        return True

    def refresh(self) -> None:
        """Redraws the tracks and the frame after the review changed (a correction, or one undone)."""
        self._fill_tracks()
        self.player.refresh()

    def export(self, out_dir: Path, progress=None, should_stop=lambda: False):
        """Write the safe clip beside the safe photos (the workspace runs this as a job)."""
        return self.service.export(self.review, self.channel_key, out_dir, self.analyser, progress, should_stop)
