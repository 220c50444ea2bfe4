"""The vetting workspace's widgets: the channel list, the photo list, the photo, the details and the
progress bar, laid out and kept in step with the settings. No behaviour: VettingWorkspace adds it."""
from __future__ import annotations

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QListView, QProgressBar, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from ...app import App
from ...core.faces.redaction import Shape
from ...core.kernel.permissions import Action as Permission
from ..tasks import Jobs
from .batch import VettingBatch
from .details import DetailsPanel
from .photo_list import PhotoListModel
from .photo_view import PhotoView


def showing_text(safe: bool, safe_pending: bool = False) -> str:
    """Which version of the photo is on screen now (the safe one may still be being made)."""
    if safe and safe_pending:
        return "Showing: original (the safe version is being made…)"
    return "Showing: safe version" if safe else "Showing: original"


def toggle_text(safe: bool) -> str:
    """What the flip button will do."""
    return "Show original" if safe else "Show safe version"


class VettingPanels(QWidget):
    message = Signal(str)  # for the window's status bar

    def __init__(self, app: App, settings: QSettings, jobs: Jobs, batch: VettingBatch, parent=None):
        super().__init__(parent)
        self.app, self.settings, self.jobs, self.batch = app, settings, jobs, batch
        self._build()

    def _build(self) -> None:
        self.channel = QComboBox()
        self.channel.setAccessibleName("Channel")
        self.channel.setAccessibleName("Channel")
        self.channel.setMinimumContentsLength(24)
        self._fill_channels()
        self.add_button = QPushButton("Add photos…")
        self.export_button = QPushButton("Export safe copies…")
        self.export_button.setEnabled(False)
        self.post_button = QPushButton("Post…")  # the Post panel (ui/posts/hook.py)
        self.safe_toggle = QPushButton(toggle_text(False))
        self.safe_toggle.setCheckable(True)
        self.safe_toggle.setToolTip("Flip between the original photo and the safe version, as it will be exported (Space)")
        self.showing = QLabel(showing_text(False))
        self.showing.setAccessibleName("Which version is on screen")
        top = QHBoxLayout()
        top.addWidget(QLabel("Channel:"))
        top.addWidget(self.channel)
        top.addWidget(self.add_button)
        top.addStretch(1)
        top.addWidget(self.showing)
        top.addWidget(self.safe_toggle)
        top.addWidget(self.export_button)
        top.addWidget(self.post_button)

        self.model = PhotoListModel(self.batch, self.jobs, self)
        self.photos = QListView()
        self.photos.setAccessibleName("Photos")
        self.photos.setModel(self.model)
        self.photos.setIconSize(QSize(96, 96))
        self.photos.setUniformItemSizes(True)
        self.photos.setSpacing(2)
        self.photos.setMinimumWidth(200)
        self.photos.setSelectionMode(QListView.SelectionMode.ExtendedSelection)  # several at once, for a post
        self.view = PhotoView()
        self.details = DetailsPanel()
        self.details.setMinimumWidth(240)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget, stretch in ((self.photos, 0), (self.view, 1), (self.details, 0)):
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.splitter.setSizes([240, 760, 300])

        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m photos checked")
        self.time_left = QLabel("")
        self.cancel_button = QPushButton("Cancel")
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.time_left)
        bottom.addWidget(self.cancel_button)
        self._set_running(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)

    def _fill_channels(self) -> None:
        self.channel.clear()
        model: QStandardItemModel = self.channel.model()
        for channel in self.app.channels:
            self.channel.addItem(f"{channel.name} ({channel.platform})", channel.key)
            # Mirrors the core's answer; the core checks again on every request.
            why_not = channel.refusal_reason() or self.app.signed_in().refusal(Permission.VET, channel.key)
            if why_not:
                item = model.item(self.channel.count() - 1)
                item.setEnabled(False)
                item.setToolTip(why_not)

    def usable_channels(self) -> list[int]:
        """Rows of the channel list this person may pick."""
        model: QStandardItemModel = self.channel.model()
        return [row for row in range(self.channel.count()) if model.item(row).isEnabled()]

    def _restore(self) -> None:
        sizes = self.settings.value("vet/splitter")
        if sizes is not None:
            self.splitter.restoreState(sizes)
        usable = self.usable_channels()
        index = self.channel.findData(self.settings.value("vet/last_channel", ""))
        self.channel.setCurrentIndex(index if index in usable else (usable[0] if usable else -1))

    def save_settings(self) -> None:
        self.settings.setValue("vet/splitter", self.splitter.saveState())
        self.settings.setValue("vet/last_channel", self.channel_key)

    @property
    def channel_key(self) -> str:
        return self.channel.currentData()

    def _set_running(self, running: bool) -> None:
        for widget in (self.progress, self.time_left, self.cancel_button):
            widget.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.export_button.setEnabled(not running and self.batch.to_export())

    def _draw(self, shape: Shape, on: bool) -> None:
        other = self.details.blur_ellipse if shape is Shape.RECTANGLE else self.details.blur_rectangle
        if on:
            other.setChecked(False)
            self.view.set_drawing(shape is Shape.ELLIPSE)
            self.message.emit("Drag across what should be blurred.")
        elif not other.isChecked():
            self.view.set_drawing(None)

    def _set_drawing_off(self) -> None:
        for button in (self.details.blur_rectangle, self.details.blur_ellipse):
            button.setChecked(False)
        self.view.set_drawing(None)
