"""The photo, large and zoomable, with every face boxed and labelled and any hand-drawn area outlined. Labels are
laid out again at each zoom so they never overlap (overlay_layout.py), and hovering a face opens its pop-up beside
the face, not over it."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsRectItem, QGraphicsScene,
                               QGraphicsSimpleTextItem, QGraphicsView, QLabel, QWidget)

from ...core.faces.geometry import Box
from .overlay_layout import beside, place_labels

SHOWN_COLOUR = QColor("#1e8e3e")
BLURRED_COLOUR = QColor("#d93025")
AREA_COLOUR = QColor("#f29900")
FACE_INDEX = 0  # QGraphicsItem data key holding a face's index
FACE_TIP = 1  # and the text of its pop-up
ZOOM_STEP = 1.25
LABEL_PADDING = (3, 1)  # the coloured backing's margin around a label's text, in screen pixels
LABEL_GAP_PX = 2


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
        self._labels: list[tuple[QGraphicsSimpleTextItem, Box]] = []
        self._attention: QRectF | None = None  # the face or area a correction is about, kept clear of dialogs
        self.popup = FacePopup(self)
        self.viewport().setMouseTracking(True)

    # What is shown

    def show_image(self, image: QImage | None, message: str = "") -> None:
        scene = self.scene()
        scene.clear()
        self._overlays, self._pixmap, self._rubber_band, self._labels, self._attention = [], None, None, [], None
        self.popup.hide()
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
        self._overlays, self._labels, self._attention = [], [], None
        self.popup.hide()
        if self._pixmap is None:
            return
        for index, face in enumerate(faces):
            self._add_face(index, face)
            if face.selected:
                self._attention = _rect(face.box)
        self._place_labels()
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
        box.setData(FACE_TIP, face.tip or face.label)  # shown by FacePopup, beside the face (not Qt's tooltip)
        label = QGraphicsSimpleTextItem(face.label)
        label.setBrush(QColor("white"))
        label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        label.setData(FACE_INDEX, index)
        pad_x, pad_y = LABEL_PADDING
        backing = QGraphicsRectItem(label.boundingRect().adjusted(-pad_x, -pad_y, pad_x, pad_y), label)
        backing.setBrush(QBrush(colour))
        backing.setPen(Qt.PenStyle.NoPen)
        backing.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        for item in (box, label):
            self.scene().addItem(item)
            self._overlays.append(item)
        self._labels.append((label, face.box))

    def _place_labels(self) -> None:
        """Labels are drawn at screen size whatever the zoom, so their places are worked out again at each zoom."""
        if not self._labels:
            return
        scale = self.transform().m11() or 1.0
        pad_x, pad_y = LABEL_PADDING
        sizes = [QSizeF((label.boundingRect().width() + 2 * pad_x) / scale, (label.boundingRect().height() + 2 * pad_y) / scale)
                 for label, _box in self._labels]
        places = place_labels([_rect(box) for _label, box in self._labels], sizes, self.scene().sceneRect(), LABEL_GAP_PX / scale)
        for (label, _box), place in zip(self._labels, places):
            label.setPos(place.left() + pad_x / scale, place.top() + pad_y / scale)

    def label_rects_on_screen(self) -> list[QRect]:
        """Each face's label with its backing, in the viewport's pixels, in the faces' order."""
        return [label.deviceTransform(self.viewportTransform()).mapRect(label.childrenBoundingRect() | label.boundingRect()).toAlignedRect()
                for label, _box in self._labels]

    def face_rect_on_screen(self, box: Box) -> QRect:
        """A face's box in global screen pixels."""
        view_rect = self.mapFromScene(_rect(box)).boundingRect()
        return QRect(self.viewport().mapToGlobal(view_rect.topLeft()), view_rect.size())

    def attention_on_screen(self) -> QRect | None:
        """The selected face, or the area just drawn, in global screen pixels: what a correction's dialog must not cover."""
        if self._attention is None or not self.isVisible():
            return None
        view_rect = self.mapFromScene(self._attention).boundingRect()
        return QRect(self.viewport().mapToGlobal(view_rect.topLeft()), view_rect.size())

    # Zoom

    def fit(self) -> None:
        self._fitted = True
        if not self.scene().sceneRect().isEmpty():
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
            self._place_labels()

    def zoom(self, factor: float) -> None:
        self._fitted = False
        self.scale(factor, factor)
        self.popup.hide()
        self._place_labels()

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

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            self._show_popup(event.pos())
            return True
        if event.type() == QEvent.Type.Leave:
            self.popup.hide()
        return super().viewportEvent(event)

    def _face_item_at(self, pos) -> QGraphicsItem | None:
        return next((item for item in self.items(pos) if isinstance(item, QGraphicsRectItem) and item.data(FACE_TIP)), None)

    def _show_popup(self, pos) -> None:
        """The face's pop-up beside its box, so it never covers the face being looked at."""
        item = self._face_item_at(pos)
        if item is None or self.drawing:
            self.popup.hide()
            return
        index = int(item.data(FACE_INDEX))
        faces = [self.face_rect_on_screen(box) for _label, box in self._labels]
        others = faces[:index] + faces[index + 1:]
        self.popup.show_beside(item.data(FACE_TIP), faces[index], self.screen().availableGeometry(), index, others)

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
        if self.popup.isVisible():
            item = self._face_item_at(event.position().toPoint())
            if item is None or int(item.data(FACE_INDEX)) != self.popup.face:
                self.popup.hide()
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
        self._attention = rect
        band = self._rubber_band
        # The outline stays while the reason is asked for (the dialog opens from this signal), then goes.
        self.area_drawn.emit(Box(int(rect.left()), int(rect.top()), int(rect.right() + 0.999), int(rect.bottom() + 0.999)))
        if band is not None and self._rubber_band is band:
            self.scene().removeItem(band)
            self._rubber_band = None


class FacePopup(QLabel):
    """A face's details in a small window of their own, placed beside the face's box."""

    def __init__(self, parent: QWidget):
        super().__init__(parent, Qt.WindowType.ToolTip)
        self.setWordWrap(True)
        self.setMaximumWidth(420)
        self.setMargin(6)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setAutoFillBackground(True)
        self.face: int | None = None

    def show_beside(self, text: str, face: QRect, screen: QRect, index: int, other_faces: list[QRect] = ()) -> None:
        self.setText(text)
        self.adjustSize()
        self.move(beside(self.size(), face, screen, also_avoid=other_faces))
        self.face = index
        self.show()

    def hideEvent(self, event) -> None:
        self.face = None
        super().hideEvent(event)


def _rect(box: Box) -> QRectF:
    return QRectF(box.left, box.top, box.width, box.height)


def _pen(colour: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(colour, width, style)
    pen.setCosmetic(True)  # the same width at every zoom
    return pen
