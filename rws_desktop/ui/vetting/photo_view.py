"""The photo, large and zoomable, with every face boxed and any hand-drawn area outlined."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsRectItem, QGraphicsScene,
                               QGraphicsSimpleTextItem, QGraphicsView)

from ...core.faces.geometry import Box

SHOWN_COLOUR = QColor("#1e8e3e")
BLURRED_COLOUR = QColor("#d93025")
AREA_COLOUR = QColor("#f29900")
FACE_INDEX = 0  # QGraphicsItem data key holding a face's index
ZOOM_STEP = 1.25


@dataclass(frozen=True)
class FaceOverlay:
    box: Box
    shown: bool
    label: str
    selected: bool = False
    tip: str = ""  # what the face's pop-up says (the label when empty)


@dataclass(frozen=True)
class AreaOverlay:
    box: Box
    ellipse: bool


class PhotoView(QGraphicsView):
    face_clicked = Signal(int)
    area_drawn = Signal(object)  # a Box in the photo's pixels

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QColor("#2b2d31"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Photo")
        self._pixmap = None
        self._overlays: list[QGraphicsItem] = []
        self._fitted = True
        self._drawing_ellipse: bool | None = None  # None: not drawing
        self._drag_start: QPointF | None = None
        self._rubber_band: QGraphicsItem | None = None

    # What is shown

    def show_image(self, image: QImage | None, message: str = "") -> None:
        scene = self.scene()
        scene.clear()
        self._overlays, self._pixmap, self._rubber_band = [], None, None
        if image is None:
            text = scene.addSimpleText(message)
            text.setBrush(QColor("white"))
            scene.setSceneRect(text.boundingRect())
            self.resetTransform()  # a message is read at its own size; the next photo is fitted again
            return
        self._pixmap = scene.addPixmap(QPixmap.fromImage(image))
        self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        scene.setSceneRect(QRectF(image.rect()))
        if self._fitted:
            self.fit()

    def replace_image(self, image: QImage) -> None:
        """Swap the pixels (original and safe version) keeping zoom and overlays."""
        if self._pixmap is not None:
            self._pixmap.setPixmap(QPixmap.fromImage(image))

    def set_overlays(self, faces: list[FaceOverlay], areas: list[AreaOverlay]) -> None:
        for item in self._overlays:
            self.scene().removeItem(item)
        self._overlays = []
        if self._pixmap is None:
            return
        for index, face in enumerate(faces):
            self._add_face(index, face)
        for area in areas:
            rect = QRectF(area.box.left, area.box.top, area.box.width, area.box.height)
            item = QGraphicsEllipseItem(rect) if area.ellipse else QGraphicsRectItem(rect)
            item.setPen(_pen(AREA_COLOUR, 2, Qt.PenStyle.DashLine))
            self.scene().addItem(item)
            self._overlays.append(item)

    def _add_face(self, index: int, face: FaceOverlay) -> None:
        colour = SHOWN_COLOUR if face.shown else BLURRED_COLOUR
        box = QGraphicsRectItem(QRectF(face.box.left, face.box.top, face.box.width, face.box.height))
        box.setPen(_pen(colour, 4 if face.selected else 2))
        box.setData(FACE_INDEX, index)
        box.setCursor(Qt.CursorShape.PointingHandCursor)
        box.setToolTip(face.tip or face.label)
        label = QGraphicsSimpleTextItem(face.label)
        label.setBrush(QColor("white"))
        label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        label.setPos(self._label_left(face.box.left, label.boundingRect().width()), face.box.bottom)
        backing = QGraphicsRectItem(label.boundingRect().adjusted(-3, -1, 3, 1), label)
        backing.setBrush(QBrush(colour))
        backing.setPen(Qt.PenStyle.NoPen)
        backing.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        for item in (box, label):
            self.scene().addItem(item)
            self._overlays.append(item)

    def _label_left(self, left: float, width_px: float) -> float:
        """Keeps a label (drawn at screen size) from running off the photo's right edge."""
        scale = self.transform().m11() or 1.0
        return max(0.0, min(left, self.scene().sceneRect().right() - width_px / scale))

    # Zoom

    def fit(self) -> None:
        self._fitted = True
        if not self.scene().sceneRect().isEmpty():
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def zoom(self, factor: float) -> None:
        self._fitted = False
        self.scale(factor, factor)

    def zoom_in(self) -> None:
        self.zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom(1 / ZOOM_STEP)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fitted and self._pixmap is not None:  # a message keeps its own size
            self.fit()

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)
        else:
            super().wheelEvent(event)

    # Clicking faces and drawing areas

    def set_drawing(self, ellipse: bool | None) -> None:
        """Start drawing a rectangle (False) or an ellipse (True); None stops."""
        self._drawing_ellipse = ellipse
        drawing = ellipse is not None
        self.setDragMode(QGraphicsView.DragMode.NoDrag if drawing else QGraphicsView.DragMode.ScrollHandDrag)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if drawing else Qt.CursorShape.OpenHandCursor)

    @property
    def drawing(self) -> bool:
        return self._drawing_ellipse is not None

    def mousePressEvent(self, event) -> None:
        if self.drawing and event.button() == Qt.MouseButton.LeftButton and self._pixmap is not None:
            self._drag_start = self.mapToScene(event.position().toPoint())
            return
        for item in self.items(event.position().toPoint()):
            if item.data(FACE_INDEX) is not None:
                self.face_clicked.emit(int(item.data(FACE_INDEX)))
                break
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._drag_start is None:
            super().mouseMoveEvent(event)
            return
        rect = QRectF(self._drag_start, self.mapToScene(event.position().toPoint())).normalized()
        if self._rubber_band is None:
            self._rubber_band = (QGraphicsEllipseItem if self._drawing_ellipse else QGraphicsRectItem)(rect)
            self._rubber_band.setPen(_pen(AREA_COLOUR, 2, Qt.PenStyle.DashLine))
            self.scene().addItem(self._rubber_band)
        self._rubber_band.setRect(rect)

    def mouseReleaseEvent(self, event) -> None:
        if self._drag_start is None:
            super().mouseReleaseEvent(event)
            return
        rect = QRectF(self._drag_start, self.mapToScene(event.position().toPoint())).normalized()
        self._drag_start = None
        if self._rubber_band is not None:
            self.scene().removeItem(self._rubber_band)
            self._rubber_band = None
        self.area_drawn.emit(Box(int(rect.left()), int(rect.top()), int(rect.right() + 0.999), int(rect.bottom() + 0.999)))


def _pen(colour: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(colour, width, style)
    pen.setCosmetic(True)  # the same width at every zoom
    return pen
