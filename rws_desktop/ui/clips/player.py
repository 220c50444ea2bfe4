"""A clip player for review: the frame, a timeline with a highlighted span, play and pause, a frame
step either way, and a flip between the original and the safe version. An area can be dragged
out on the frame (for blurring it by hand)."""
from __future__ import annotations

from typing import Callable

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from ...core.faces.geometry import Box
from ..images import to_qimage

FrameSource = Callable[[int, bool], np.ndarray]  # (index, safe) -> upright RGB pixels


class FrameView(QLabel):
    """The frame, scaled to fit; a drag draws an area, reported in frame pixels."""

    area_drawn = Signal(object)  # Box

    def __init__(self):
        super().__init__()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(320, 180)
        self._frame_size = (1, 1)
        self._start: QPoint | None = None
        self._band: QRect | None = None
        self._pixmap: QPixmap | None = None

    def show_frame(self, pixels: np.ndarray) -> None:
        self._frame_size = (pixels.shape[1], pixels.shape[0])
        self._pixmap = QPixmap.fromImage(to_qimage(Image.fromarray(pixels)))
        self._rescale()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is not None:
            self.setPixmap(self._pixmap.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    def to_frame(self, point: QPoint) -> tuple[float, float]:
        """A point on the widget in frame pixels."""
        shown = self.pixmap()
        if shown is None or shown.isNull():
            return 0.0, 0.0
        left, top = (self.width() - shown.width()) / 2, (self.height() - shown.height()) / 2
        scale = self._frame_size[0] / max(1, shown.width())
        return (point.x() - left) * scale, (point.y() - top) * scale

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self._start = event.position().toPoint()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._start is not None:
            self._band = QRect(self._start, event.position().toPoint()).normalized()
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._start is None:
            return
        (x0, y0), (x1, y1) = self.to_frame(self._start), self.to_frame(event.position().toPoint())
        self._start, self._band = None, None
        self.update()
        self.area_drawn.emit(Box(round(min(x0, x1)), round(min(y0, y1)), round(max(x0, x1)), round(max(y0, y1))))

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        if self._band is not None:
            painter = QPainter(self)
            painter.setPen(QColor(255, 200, 0))
            painter.drawRect(self._band)


class Timeline(QSlider):
    """A frame slider that also paints a highlighted span (the selected track's frames)."""

    def __init__(self):
        super().__init__(Qt.Orientation.Horizontal)
        self.span: tuple[int, int] | None = None

    def set_span(self, span: tuple[int, int] | None) -> None:
        self.span = span
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        if self.span is not None and self.maximum() > 0:
            painter = QPainter(self)
            first, last = self.span
            width = self.width()
            left = round(width * first / (self.maximum() + 1))
            right = round(width * (last + 1) / (self.maximum() + 1))
            painter.fillRect(QRect(left, self.height() - 6, max(2, right - left), 6), QColor(40, 120, 220))
            painter.end()
        super().paintEvent(event)


class ClipPlayer(QWidget):
    frame_changed = Signal(int)

    def __init__(self, frames: FrameSource, frame_count: int, fps: float):
        super().__init__()
        self._frames = frames
        self.frame_count, self.fps = frame_count, fps
        self.index = 0
        self.view = FrameView()
        self.timeline = Timeline()
        self.timeline.setRange(0, max(0, frame_count - 1))
        self.play_button = QPushButton("Play")
        self.back_button = QPushButton("◀ Frame")
        self.forward_button = QPushButton("Frame ▶")
        self.original = QCheckBox("Show the original")
        self.position = QLabel()
        self._timer = QTimer(self)
        self._timer.setInterval(max(10, round(1000 / max(1.0, fps))))
        self._timer.timeout.connect(self._tick)
        controls = QHBoxLayout()
        for widget in (self.play_button, self.back_button, self.forward_button, self.original):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.position)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.timeline)
        layout.addLayout(controls)
        self.timeline.valueChanged.connect(self.seek)
        self.play_button.clicked.connect(self.toggle_play)
        self.back_button.clicked.connect(lambda: self.seek(self.index - 1))
        self.forward_button.clicked.connect(lambda: self.seek(self.index + 1))
        self.original.toggled.connect(lambda _: self.refresh())
        self.refresh()

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    @property
    def showing_safe(self) -> bool:
        return not self.original.isChecked()

    def toggle_play(self) -> None:
        if self.playing:
            self._timer.stop()
        else:
            if self.index >= self.frame_count - 1:
                self.seek(0)
            self._timer.start()
        self.play_button.setText("Pause" if self.playing else "Play")

    def _tick(self) -> None:
        if self.index >= self.frame_count - 1:
            self.toggle_play()
        else:
            self.seek(self.index + 1)

    def seek(self, index: int) -> None:
        index = max(0, min(self.frame_count - 1, index))
        changed = index != self.index
        self.index = index
        if self.timeline.value() != index:
            self.timeline.setValue(index)  # calls back here, with nothing left to change
        self.refresh()
        if changed:
            self.frame_changed.emit(index)

    def refresh(self) -> None:
        self.view.show_frame(self._frames(self.index, self.showing_safe))
        seconds = self.index / max(1.0, self.fps)
        self.position.setText(f"frame {self.index + 1} of {self.frame_count} · {int(seconds // 60)}:{seconds % 60:04.1f}"
                              f" · {'safe' if self.showing_safe else 'original'}")
