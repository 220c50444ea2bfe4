"""Vet photos: add a batch, watch it being checked, review each photo, correct, export.

The view only arranges widgets and forwards requests: analysis runs in worker processes
driven from a thread, rules and audit live in the core's ReviewService, and anything that
asks the person something goes through a method tests can replace.
"""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QImage, QStandardItemModel
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QListView, QMessageBox, QProgressBar,
                               QPushButton, QSplitter, QVBoxLayout, QWidget)

from ...app import App
from ...core.vetting.batch import IN_FLIGHT_PER_WORKER, AnalysisSettings
from ...core.faces.geometry import Box
from ...core.faces.imaging import PHOTO_SUFFIXES, load_photo
from ...core.kernel.permissions import Action as Permission, NotAllowed
from ...core.faces.redaction import Shape
from ...core.vetting.review import ReviewError, safe_preview
from ...core.vetting.review_service import ExportOutcome, ReviewService
from ...core.vetting.analysis import Action, PhotoResult, collect_photos
from ..images import to_qimage
from ..posts.hook import open_post_panel
from ..tasks import ProgressThread, TaskRunner
from .analysis import AnalysisJob, AnalysisThread
from .batch import BatchItem, Status, VettingBatch
from .details import DetailsPanel, face_label
from .dialogs import PersonPickerDialog, ReasonDialog
from .photo_list import PhotoListModel
from .photo_view import AreaOverlay, FaceOverlay, PhotoView

# Both cases: phones name files IMG_0001.JPG, and some platforms match filters case-sensitively.
PHOTO_FILTER = "Photos (" + " ".join(f"*{s} *{s.upper()}" for s in sorted(PHOTO_SUFFIXES)) + ")"


class VettingWorkspace(QWidget):
    message = Signal(str)  # for the window's status bar
    batch_finished = Signal()  # a batch's analysis ended (finished or cancelled)
    export_finished = Signal(list)  # list[ExportOutcome]
    undo_available = Signal(bool)

    def __init__(self, app: App, settings: QSettings, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        self.app, self.settings, self.tasks = app, settings, tasks
        self.review: ReviewService = app.review  # checks the signed-in person may vet each channel
        self.batch = VettingBatch()
        self.names: dict[int, str] = {}
        self.analysis: AnalysisThread | None = None
        self.export_thread: ProgressThread | None = None
        self._in_flight: list[BatchItem] = []
        self._started_at = 0.0
        self._done = 0
        self.current: BatchItem | None = None
        self.selected_face = -1
        self.showing_safe = False
        self._photo = None  # the current photo's upright pixels (Pillow), for the safe version
        self._original: QImage | None = None
        self._safe: QImage | None = None
        self._generation = 0  # discards images loaded for a photo no longer selected
        self._loading_for: int | None = None
        self._build()
        self._restore()
        self._refresh_current()

    # Layout

    def _build(self) -> None:
        self.channel = QComboBox()
        self.channel.setAccessibleName("Channel")
        self.channel.setMinimumContentsLength(24)
        self._fill_channels()
        self.add_button = QPushButton("Add photos…")
        self.export_button = QPushButton("Export safe copies…")
        self.export_button.setEnabled(False)
        self.post_button = QPushButton("Post…")  # the Post panel (ui/posts/hook.py)
        self.safe_toggle = QPushButton("Show safe version")
        self.safe_toggle.setCheckable(True)
        self.safe_toggle.setToolTip("Flip between the original and the safe version (Space)")
        top = QHBoxLayout()
        top.addWidget(QLabel("Channel:"))
        top.addWidget(self.channel)
        top.addWidget(self.add_button)
        top.addStretch(1)
        top.addWidget(self.safe_toggle)
        top.addWidget(self.export_button)
        top.addWidget(self.post_button)

        self.model = PhotoListModel(self.batch, self.tasks, self)
        self.photos = QListView()
        self.photos.setAccessibleName("Photos")
        self.photos.setModel(self.model)
        self.photos.setIconSize(QSize(96, 96))
        self.photos.setUniformItemSizes(True)
        self.photos.setSpacing(2)
        self.photos.setMinimumWidth(200)
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

        self.channel.currentIndexChanged.connect(self._channel_changed)
        self.add_button.clicked.connect(self.open_photos)
        self.export_button.clicked.connect(self.export)
        self.post_button.clicked.connect(lambda: open_post_panel(self))
        self.safe_toggle.toggled.connect(self._show_safe)
        self.cancel_button.clicked.connect(self.cancel)
        self.photos.selectionModel().currentChanged.connect(lambda index, _previous: self.select(index.row()))
        self.view.face_clicked.connect(self.select_face)
        self.view.area_drawn.connect(self._area_drawn)
        self.details.face_selected.connect(self.select_face)
        self.details.blur_face.clicked.connect(self.blur_selected_face)
        self.details.show_face.clicked.connect(self.show_selected_face)
        self.details.blur_rectangle.toggled.connect(lambda on: self._draw(Shape.RECTANGLE, on))
        self.details.blur_ellipse.toggled.connect(lambda on: self._draw(Shape.ELLIPSE, on))

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

    # Questions to the person (tests replace these)

    def ask_photos(self) -> list[Path]:
        files, _ = QFileDialog.getOpenFileNames(self, "Add photos", self.settings.value("vet/last_folder", ""), PHOTO_FILTER)
        return [Path(f) for f in files]

    def ask_export_folder(self) -> Path | None:
        folder = QFileDialog.getExistingDirectory(self, "Export safe copies to", self.settings.value("vet/export_folder", ""))
        return Path(folder) if folder else None

    def ask_reason(self, title: str, question: str) -> str | None:
        dialog = ReasonDialog(title, question, self)
        return dialog.reason.text() if dialog.exec() else None

    def ask_person(self) -> tuple[int, str] | None:
        channel = self.app.channels.get(self.channel_key)
        shown = self.current.review.shown_person_ids() if self.current and self.current.review else set()
        dialog = PersonPickerDialog(channel.name, lambda text: self.review.candidates(channel.key, text), shown, self)
        if dialog.exec() and dialog.chosen_person_id() is not None:
            return dialog.chosen_person_id(), dialog.reason.text()
        return None

    def confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question)
        return answer == QMessageBox.StandardButton.Yes

    def explain(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    # Adding photos and checking them

    def open_photos(self) -> None:
        paths = self.ask_photos()
        if paths:
            self.add_paths(paths)

    def add_paths(self, paths: list[Path]) -> int:
        found = collect_photos(p for p in paths if p.exists())
        missing = [p for p in paths if not p.exists()]
        added = self.batch.add(found)
        if added:
            self.model.appended(len(added))
            self.settings.setValue("vet/last_folder", str(added[-1].path.parent))
            if self.current is None:
                self.photos.setCurrentIndex(self.model.index(self.batch.row_of(added[0])))
        note = f" ({len(missing)} not found)" if missing else ""
        self.message.emit(f"Added {len(added)} photo{'s' if len(added) != 1 else ''}{note}.")
        self.start_checking()
        return len(added)

    def start_checking(self) -> None:
        if self.analysis is not None:
            return  # whatever was added meanwhile is checked when this batch ends
        waiting = self.batch.waiting()
        if not waiting:
            return
        today = date.today()
        channel = self.app.channels.get(self.channel_key)
        try:
            register = self.review.register_snapshot(channel.key, today)
            self.names = {person.id: person.name for person in register.people.values()}
        except NotAllowed as exc:
            self.explain("Not allowed", str(exc))
            return
        except Exception as exc:
            self.explain("The register could not be read", _storage_problem(exc))
            return
        self._in_flight = waiting
        workers = max(1, self.app.workers)
        for item in waiting[: workers * IN_FLIGHT_PER_WORKER]:
            item.checking = True
        job = AnalysisJob([item.path for item in waiting], channel, register, today, self.batch.block_hidden,
                          AnalysisSettings(), workers)
        self.analysis = AnalysisThread(job, self)
        self.analysis.photo_analysed.connect(self._photo_analysed)
        self.analysis.failed.connect(lambda text: self.explain("Checking stopped", text))
        self.analysis.finished.connect(self._analysis_finished)
        self._started_at, self._done = time.monotonic(), 0
        self.progress.setRange(0, len(waiting))
        self.progress.setValue(0)
        self.time_left.setText("Starting…")
        self._set_running(True)
        self.model.refresh()
        self.analysis.start()
        self._refresh_current()

    def _photo_analysed(self, index: int, result: PhotoResult) -> None:
        item = self._in_flight[index]
        self.batch.analysed(item, result)
        next_in_line = index + max(1, self.app.workers) * IN_FLIGHT_PER_WORKER
        if next_in_line < len(self._in_flight) and not self.analysis.cancelled:
            self._in_flight[next_in_line].checking = True
            self.model.refresh(self._in_flight[next_in_line])
        self._done += 1
        self.progress.setValue(self._done)
        self.time_left.setText(_time_left(time.monotonic() - self._started_at, self._done, len(self._in_flight)))
        self.model.refresh(item)
        if item is self.current:
            self._refresh_current()

    def _analysis_finished(self) -> None:
        cancelled = self.analysis.cancelled
        self.analysis.deleteLater()
        self.analysis = None
        for item in self._in_flight:
            item.checking = False
        self._in_flight = []
        self._set_running(False)
        self.model.refresh()
        self._refresh_current()
        counts = self.batch.counts()
        summary = ", ".join(f"{n} {status.value}" for status, n in counts.items() if n and status is not Status.WAITING)
        waiting = counts[Status.WAITING]
        self.message.emit(f"Cancelled: {summary or 'nothing checked'}; {waiting} waiting." if cancelled
                          else f"Checked: {summary}.")
        self.batch_finished.emit()
        if not cancelled:
            self.start_checking()

    def cancel(self) -> None:
        if self.analysis is not None:
            self.analysis.cancel()
            self.time_left.setText("Cancelling…")
            self.cancel_button.setEnabled(False)

    def _set_running(self, running: bool) -> None:
        for widget in (self.progress, self.time_left, self.cancel_button):
            widget.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.export_button.setEnabled(not running and bool(self.batch.unrecorded()))

    def _channel_changed(self) -> None:
        self.settings.setValue("vet/last_channel", self.channel_key)
        if not self.batch.unrecorded() and not self.batch.waiting() and self.analysis is None:
            return
        corrected = self.batch.corrected()
        if corrected and not self.confirm(
                "Check again for the new channel?",
                f"{corrected} photo(s) have corrections. Checking them for another channel starts them afresh "
                "(the corrections stay in the audit log). Go on?"):
            return
        if self.analysis is not None:
            self.analysis.cancel()
            self.analysis.wait()
            self._analysis_finished()
        count = self.batch.recheck_all()
        self.model.refresh()
        self.message.emit(f"Checking {count} photos again for {self.channel.currentText()}.")
        self.start_checking()

    # Reviewing one photo

    def select(self, row: int) -> None:
        self.current = self.model.item_at(row)
        self.selected_face = -1
        self._photo = self._original = self._safe = None
        self._generation += 1
        self._set_drawing_off()
        self._refresh_current()

    def select_next(self, step: int) -> None:
        if not len(self.batch):
            return
        row = self.batch.row_of(self.current) if self.current else -1
        row = min(max(row + step, 0), len(self.batch) - 1)
        self.photos.selectionModel().setCurrentIndex(self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def select_face(self, index: int) -> None:
        self.selected_face = index
        self._refresh_panels()

    def toggle_safe(self) -> None:
        self.safe_toggle.toggle()

    def _show_safe(self, on: bool) -> None:
        self.showing_safe = on
        self._show_pixels()

    def _refresh_current(self) -> None:
        item = self.current
        self._refresh_panels()
        if item is None:
            self.view.show_image(None, "Drop photos or folders here, or use File > Add photos (Ctrl+O).")
            return
        if item.review is None:
            self.view.show_image(None, f"{item.path.name}: {item.reason}")
            return
        if self._original is None:
            self._load_current()
        else:
            self._render_safe()

    def _refresh_panels(self) -> None:
        item = self.current
        self.details.show_item(item, self.names, self.selected_face)
        self.undo_available.emit(self.can_undo())
        self.export_button.setEnabled(self.analysis is None and bool(self.batch.unrecorded()))
        if item is None or item.review is None or self._original is None:
            return
        faces = item.review.faces()
        self.view.set_overlays(
            [FaceOverlay(face.box, face.action is Action.SHOWN, face_label(face, self.names), i == self.selected_face)
             for i, face in enumerate(faces)],
            [AreaOverlay(area.box, area.shape is Shape.ELLIPSE) for area in item.review.areas()])

    def _load_current(self) -> None:
        item, generation = self.current, self._generation
        if self._loading_for == generation:
            return
        self._loading_for = generation

        def load():
            photo = load_photo(item.path)
            return photo.image, to_qimage(photo.image)

        def loaded(result) -> None:
            if generation != self._generation:
                return
            self._photo, self._original = result
            self.view.show_image(self._original)
            self._refresh_panels()
            self._render_safe()

        def failed(exc: Exception) -> None:
            if generation == self._generation:
                self.view.show_image(None, f"{item.path.name} cannot be shown: {exc}")

        self.view.show_image(None, f"Opening {item.path.name}…")
        self.tasks.run(load, loaded, failed)

    def _render_safe(self) -> None:
        item, photo = self.current, self._photo
        if photo is None or item is None or item.review is None:
            return
        self._generation += 1
        generation = self._generation
        review = item.review

        def rendered(image: QImage) -> None:
            if generation == self._generation:
                self._safe = image
                self._show_pixels()

        self.tasks.run(lambda: to_qimage(safe_preview(photo, review)), rendered,
                       lambda exc: self.explain("The safe version could not be drawn", str(exc)))

    def _show_pixels(self) -> None:
        image = self._safe if self.showing_safe and self._safe is not None else self._original
        if image is not None:
            self.view.replace_image(image)

    # Corrections

    def blur_selected_face(self) -> None:
        reason = self.ask_reason("Blur face", f"Why should face {self.selected_face + 1} be blurred?")
        if reason is not None:
            self._correct(lambda: self.review.blur_face(self.current.review, self.channel_key, self.selected_face, reason),
                          f"Face {self.selected_face + 1} blurred")

    def show_selected_face(self) -> None:
        answer = self.ask_person()
        if answer is not None:
            person_id, reason = answer
            self._correct(lambda: self.review.show_face(self.current.review, self.channel_key, self.selected_face,
                                                        person_id, reason),
                          f"Face {self.selected_face + 1} shown as {self.names.get(person_id, f'person #{person_id}')}")

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

    def _area_drawn(self, box: Box) -> None:
        shape = Shape.ELLIPSE if self.details.blur_ellipse.isChecked() else Shape.RECTANGLE
        self._set_drawing_off()
        if self._photo is None:
            return
        reason = self.ask_reason("Blur area", "Why should this area be blurred? (for example: a face the check missed)")
        if reason is not None:
            size = self._photo.size
            self._correct(lambda: self.review.blur_area(self.current.review, self.channel_key, box, shape, size, reason),
                          f"{shape.value.capitalize()} blurred")

    def can_undo(self) -> bool:
        review = self.current.review if self.current else None
        return bool(review and review.editable and review.corrections)

    def undo(self) -> None:
        if self.current is None or self.current.review is None:
            return
        self._correct(lambda: self.review.undo(self.current.review, self.channel_key), "Undone")

    def _correct(self, change, done_message: str) -> None:
        if self.current is None or self.current.review is None:
            return
        try:
            change()
        except (ReviewError, NotAllowed) as exc:
            self.explain("That correction cannot be made", str(exc))
            return
        except Exception as exc:
            self.explain("The correction was not saved", _storage_problem(exc))
            return
        self.model.refresh(self.current)
        self._refresh_panels()
        self._render_safe()
        self.message.emit(f"{done_message}; recorded in the audit log.")

    # Export

    def export(self) -> None:
        if self.analysis is not None:
            self.explain("Still checking", "Wait for the check to finish, or cancel it, before exporting.")
            return
        reviews = self.batch.unrecorded()
        if not reviews or self.export_thread is not None:
            return
        folder = self.ask_export_folder()
        if folder is None:
            return
        if any(folder.resolve() == review.source.parent.resolve() for review in reviews):
            self.explain("Choose another folder",
                         "That folder holds the original photos. Safe copies beside the originals are easily "
                         "mistaken for them, so please export to a folder of their own.")
            return
        self.settings.setValue("vet/export_folder", str(folder))
        channel_key = self.channel_key
        self.export_thread = ProgressThread(
            lambda progress, stop: self.review.export(reviews, channel_key, folder, progress=progress, should_stop=stop), self)
        self.export_thread.progressed.connect(lambda args: self._photo_exported(*args))
        self.export_thread.failed.connect(lambda text: self.explain("Export stopped", _export_problem(text, folder)))
        self.export_thread.finished.connect(lambda: self._export_finished(folder))
        self.progress.setFormat("%v of %m photos exported")
        self.progress.setRange(0, len(reviews))
        self.progress.setValue(0)
        self._set_running(True)
        self.cancel_button.clicked.disconnect()
        self.cancel_button.clicked.connect(self.export_thread.stop_requested.stop)
        self.export_button.setEnabled(False)
        self.export_thread.start()

    def _photo_exported(self, done: int, total: int, outcome: ExportOutcome) -> None:
        self.progress.setValue(done)
        for item in self.batch.items:
            if item.review is outcome.review:
                self.model.refresh(item)

    def _export_finished(self, folder: Path) -> None:
        outcomes = self.export_thread.result or []
        self.export_thread.deleteLater()
        self.export_thread = None
        self.cancel_button.clicked.disconnect()
        self.cancel_button.clicked.connect(self.cancel)
        self.progress.setFormat("%v of %m photos checked")
        self._set_running(False)
        self._refresh_panels()
        written = sum(1 for o in outcomes if o.written)
        blocked = sum(1 for o in outcomes if o.written is None and o.review.recorded_seq is not None)
        problems = [o for o in outcomes if o.problem and o.review.recorded_seq is None]
        summary = f"Exported {written} safe cop{'y' if written == 1 else 'ies'} to {folder}."
        if blocked:
            summary += f" {blocked} blocked photo{'s were' if blocked > 1 else ' was'} recorded, not exported."
        if problems:
            summary += f" {len(problems)} could not be exported."
            self.explain("Some photos were not exported",
                         "\n".join(f"{o.review.source.name}: {o.problem}" for o in problems))
        self.message.emit(summary)
        self.export_finished.emit(outcomes)

    # Closing

    def has_unsaved_work(self) -> bool:
        return any(review.decision()[0].value in ("approved", "redacted") for review in self.batch.unrecorded())

    def shutdown(self) -> None:
        for thread in (self.analysis, self.export_thread):
            if thread is not None:
                (thread.cancel() if isinstance(thread, AnalysisThread) else thread.stop_requested.stop())
                thread.wait()
        self.tasks.wait()


def _time_left(elapsed: float, done: int, total: int) -> str:
    if not done:
        return ""
    seconds = elapsed / done * (total - done)
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"


def _storage_problem(exc: Exception) -> str:
    return (f"The database could not be reached ({exc}). Check the network or the database location, "
            "then try again; nothing already checked is lost.")


def _export_problem(text: str, folder: Path) -> str:
    return f"Nothing more was exported to {folder}: {text}. Choose another folder or fix the problem, then export again."
