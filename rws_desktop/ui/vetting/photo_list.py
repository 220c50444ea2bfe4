"""The batch as a list: a thumbnail with a coloured status badge, the file name and the status (and for a
clip, its duration)."""
from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from ..clips.thumbnails import clip_thumbnail
from ..images import THUMBNAIL_PX, read_thumbnail
from ..tasks import Jobs
from .batch import BatchItem, Status, VettingBatch

STATUS_COLOURS = {
    Status.WAITING: "#8a8f98",
    Status.CHECKING: "#2d6cdf",
    Status.APPROVED: "#1e8e3e",
    Status.REDACTED: "#d08700",
    Status.BLOCKED: "#c5221f",
    Status.ERROR: "#7b1fa2",
}
STATUS_ROLE = Qt.ItemDataRole.UserRole + 1


class PhotoListModel(QAbstractListModel):
    def __init__(self, batch: VettingBatch, jobs: Jobs, parent=None):
        super().__init__(parent)
        self.batch = batch
        self.jobs = jobs
        self._thumbnails: dict[str, QImage | None] = {}  # None while loading
        self._durations: dict[str, str] = {}  # a clip's, as "1:05", once its thumbnail is read

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.batch)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.batch):
            return None
        item = self.batch.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            exported = " · exported" if (item.review and item.review.exported) or (item.clip and item.clip.exported_to) else ""
            clip = f" · clip {self._durations.get(str(item.path), '')}".rstrip() if item.is_clip else ""
            return f"{item.path.name}\n{item.status.value.capitalize()}{clip}{exported}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.path}\n{item.status.value.capitalize()}: {item.reason}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._decoration(item)
        if role == STATUS_ROLE:
            return item.status.value
        return None

    def item_at(self, row: int) -> BatchItem | None:
        return self.batch.items[row] if 0 <= row < len(self.batch) else None

    def refresh(self, item: BatchItem | None = None) -> None:
        if item is None:
            self.beginResetModel()
            self.endResetModel()
            return
        index = self.index(self.batch.row_of(item))
        self.dataChanged.emit(index, index)

    def appended(self, count: int) -> None:
        """Call after the batch grew by `count` items at the end."""
        first = len(self.batch) - count
        self.beginInsertRows(QModelIndex(), first, len(self.batch) - 1)
        self.endInsertRows()

    def _decoration(self, item: BatchItem) -> QPixmap:
        key = str(item.path)
        if key not in self._thumbnails:
            self._thumbnails[key] = None
            if item.is_clip:
                self.jobs.run(lambda: clip_thumbnail(item.path), lambda found: self._clip_thumbnail_ready(item, *found),
                              lambda _error: None)  # an unreadable clip keeps the plain tile; its status says why
            else:
                self.jobs.run(lambda: read_thumbnail(item.path), lambda image: self._thumbnail_ready(item, image),
                              lambda _error: None)  # an unreadable photo keeps the plain tile; its status says why
        return badge_tile(self._thumbnails[key], item.status)

    def _clip_thumbnail_ready(self, item: BatchItem, image: QImage, duration: str) -> None:
        self._durations[str(item.path)] = duration
        self._thumbnail_ready(item, image)

    def duration(self, item: BatchItem) -> str | None:
        return self._durations.get(str(item.path))

    def _thumbnail_ready(self, item: BatchItem, image: QImage) -> None:
        self._thumbnails[str(item.path)] = image
        if item in self.batch.items:
            self.refresh(item)


def badge_tile(thumbnail: QImage | None, status: Status) -> QPixmap:
    tile = QPixmap(THUMBNAIL_PX, THUMBNAIL_PX)
    tile.fill(QColor("#e9ebee"))
    painter = QPainter(tile)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if thumbnail is not None:
        painter.drawImage((THUMBNAIL_PX - thumbnail.width()) // 2, (THUMBNAIL_PX - thumbnail.height()) // 2, thumbnail)
    badge = QRectF(THUMBNAIL_PX - 30, THUMBNAIL_PX - 30, 26, 26)
    painter.setPen(QColor("white"))
    painter.setBrush(QColor(STATUS_COLOURS[status]))
    painter.drawEllipse(badge)
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, BADGE_MARKS[status])
    painter.end()
    return tile


BADGE_MARKS = {
    Status.WAITING: "…", Status.CHECKING: "⟳", Status.APPROVED: "✓",
    Status.REDACTED: "◐", Status.BLOCKED: "✕", Status.ERROR: "!",
}
