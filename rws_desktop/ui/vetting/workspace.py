"""Vet photos: add a batch of photos and clips, watch it being checked, review each one, correct, export.

The widgets only arrange and draw: the state and every decision live in the Qt-free
VettingPresenter, the batch is vetted by the core's VettingService in its worker processes
(driven from a Job, which forwards each event here), rules and audit live in the ReviewService,
and every question goes through the window's Questions.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QSettings, Signal
from PySide6.QtGui import QImage

from ...app import App
from ...core.clips.media import CLIP_SUFFIXES
from ...core.clips.review import ClipReviewService
from ...core.clips.service import clip_analyser
from ...core.faces.geometry import Box
from ...core.faces.imaging import PHOTO_SUFFIXES, load_photo_bytes
from ...core.faces.redaction import Shape
from ...core.vetting.analysis import Action
from ..folders import PHOTOS, remember_folder, start_folder
from ..images import face_thumbnail, to_qimage
from ..posts.hook import open_post_panel
from ..questions import Questions
from ..tasks import Job, Jobs
from .batch import BatchItem
from .clip_view import ClipStage
from .clip_work import ClipDesk
from .export_flow import ExportFlow
from ..face_words import face_figures, face_label, face_sentence
from .panels import VettingPanels, showing_text, toggle_text
from .photo_view import AreaOverlay, FaceOverlay
from .presenter import LOADING_MODELS, BatchWork, VettingPresenter



def _patterns(suffixes) -> str:
    # Both cases: phones name files IMG_0001.JPG, and some platforms match filters case-sensitively.
    return " ".join(f"*{s} *{s.upper()}" for s in sorted(suffixes))


PHOTO_FILTER = (f"Photos and clips ({_patterns(PHOTO_SUFFIXES | CLIP_SUFFIXES)});;Photos ({_patterns(PHOTO_SUFFIXES)});;"
                f"Clips ({_patterns(CLIP_SUFFIXES)})")


class BatchJob(Job):
    """Checks a batch in the core's worker processes, forwarding each event to the UI thread."""

    def __init__(self, work: BatchWork, parent=None):
        super().__init__(parent=parent)
        self.work = work

    def run(self) -> None:
        for event in self.work.run(lambda: self.cancelled, self.report):
            self.report(event)


class VettingWorkspace(ExportFlow, VettingPanels):
    batch_finished = Signal()  # a batch's analysis ended (finished, cancelled or stopped)
    export_finished = Signal(list)  # list[ExportOutcome]
    undo_available = Signal(bool)
    safe_shown = Signal(bool)  # whether the safe version is now asked for (the View menu's words follow)

    def __init__(self, app: App, settings: QSettings, jobs: Jobs, questions: Questions, parent=None):
        clips = ClipDesk(lambda: ClipReviewService(app.database, app.channels, app.signed_in()),
                         lambda: clip_analyser(app.encoder))
        presenter = VettingPresenter(app.vetting, app.review, app.channels, questions, clips)
        super().__init__(app, settings, jobs, presenter.batch, parent)
        self.presenter, self.questions = presenter, questions
        self.clip_stage = ClipStage(self)
        self.analysis: BatchJob | None = None
        self.export_job: Job | None = None
        self.warm_up: Job | None = None
        self.showing_safe = False
        self._photo = None  # the current photo's upright pixels (Pillow), for drawing areas
        self._original: QImage | None = None
        self._safe: QImage | None = None
        self._generation = 0  # discards images loaded for a photo no longer selected
        self._loading_for: int | None = None
        self._connect()
        self._restore()
        self._refresh_current()

    # The presenter's state, as tests and the window read it

    @property
    def current(self) -> BatchItem | None:
        return self.presenter.current

    @property
    def names(self) -> dict[int, str]:
        return self.presenter.names

    @property
    def selected_face(self) -> int:
        return self.presenter.selected_face

    # Wiring

    def _connect(self) -> None:
        self.channel.currentIndexChanged.connect(self._channel_changed)
        self.add_button.clicked.connect(self.open_photos)
        self.export_button.clicked.connect(self.export)
        self.post_button.clicked.connect(lambda: open_post_panel(self))
        self.safe_toggle.toggled.connect(self._show_safe)
        self.cancel_button.clicked.connect(self.cancel)
        self.photos.selectionModel().currentChanged.connect(lambda index, _previous: self.select(index.row()))
        self.photos.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.face_clicked.connect(self.select_face)
        self.view.area_drawn.connect(self._area_drawn)
        self.details.face_selected.connect(self.select_face)
        self.details.blur_face.clicked.connect(self.blur_selected_face)
        self.details.show_face.clicked.connect(self.show_selected_face)
        self.details.blur_rectangle.toggled.connect(lambda on: self._draw(Shape.RECTANGLE, on))
        self.details.blur_ellipse.toggled.connect(lambda on: self._draw(Shape.ELLIPSE, on))


    def keep_workers_warm(self) -> None:
        """Start the worker processes in the background now, so the first photo's result comes quickly."""
        if self.warm_up is not None or self.channel_key is None or self.channel.currentIndex() not in self.usable_channels():
            return
        vetting, channel_key = self.app.vetting, self.channel_key
        self.warm_up = Job(lambda _job: vetting.keep_workers(channel_key))
        self.warm_up.finished.connect(lambda _result: self.message.emit("Ready: the face models are loaded."))
        self.warm_up.failed.connect(lambda error: self.message.emit(f"The face models are not loaded yet ({error})."))
        self.message.emit(LOADING_MODELS)
        self.jobs.start(self.warm_up, self.jobs.long)

    # Adding photos and checking them

    def open_photos(self) -> None:
        paths = self.questions.open_files("Add photos", str(start_folder(self.settings, PHOTOS)), PHOTO_FILTER)
        if paths:
            self.add_paths(paths)

    def add_paths(self, paths: list[Path]) -> int:
        added, message = self.presenter.add(paths)
        if added:
            self.model.appended(len(added))
            last = added[-1].path
            remember_folder(self.settings, PHOTOS, last if last.is_dir() else last.parent)
            if self.current is None:
                self.photos.setCurrentIndex(self.model.index(self.batch.row_of(added[0])))
        self.message.emit(message)
        self.start_checking()
        return len(added)

    def start_checking(self) -> None:
        self.presenter.channel_key = self.channel_key
        work = self.presenter.next_batch()
        if work is None:
            return
        self.analysis = BatchJob(work)
        self.analysis.progressed.connect(self._event)
        self.analysis.finished.connect(lambda _result: self._analysis_finished())
        self.analysis.failed.connect(self._analysis_finished)
        self._show_progress()
        self.time_left.setText(self.presenter.status_text)
        self._set_running(True)
        self.model.refresh()
        self.jobs.start(self.analysis, self.jobs.long)
        self._refresh_current()

    def _event(self, event) -> None:
        for item in self.presenter.apply(event):
            self.model.refresh(item)
            if item is self.current:  # its verdict came, or it is now being checked
                self._refresh_current()
        self._show_progress()
        if self.analysis is not None and not self.analysis.cancelled:
            self.time_left.setText(self.presenter.status_text)

    def _show_progress(self) -> None:
        self.progress.setFormat(f"%v of %m {self.presenter.unit}")
        self.progress.setRange(0, self.presenter.total)
        self.progress.setValue(self.presenter.done)

    def _analysis_finished(self, failure: Exception | None = None) -> None:
        cancelled = self.analysis.cancelled
        self.analysis = None
        message, check_more = self.presenter.batch_ended(cancelled, failure)
        self._set_running(False)
        self.progress.setFormat("%v of %m photos checked")
        self.model.refresh()
        self._refresh_current()
        self.message.emit(message)
        self.batch_finished.emit()
        if check_more:
            self.start_checking()

    def cancel(self) -> None:
        job = self.analysis or self.export_job
        if job is not None:
            job.cancel()
            self.time_left.setText("Cancelling…")
            self.cancel_button.setEnabled(False)

    def _channel_changed(self) -> None:
        self.settings.setValue("vet/last_channel", self.channel_key)
        if not self.presenter.channel_changed(self.channel_key):
            return
        if self.analysis is not None:
            job = self.analysis
            job.cancel()
            job.wait()
            job.finished.disconnect()
            job.failed.disconnect()
            job.progressed.disconnect()
            self._analysis_finished()
        count = self.batch.recheck_all()
        self.clip_stage.close()
        self.model.refresh()
        self.message.emit(f"Checking {count} photos again for {self.channel.currentText()}.")
        self.start_checking()

    # Reviewing one photo

    def _selection_changed(self, *_args) -> None:
        rows = sorted(index.row() for index in self.photos.selectionModel().selectedRows())
        self.presenter.selection = [item for item in map(self.model.item_at, rows) if item is not None]

    def select(self, row: int) -> None:
        self.presenter.select(self.model.item_at(row))
        self._photo = self._original = self._safe = None
        self._generation += 1
        self._set_drawing_off()
        self._refresh_current()
        self._say_which_version()

    def select_next(self, step: int) -> None:
        if not len(self.batch):
            return
        row = self.batch.row_of(self.current) if self.current else -1
        row = min(max(row + step, 0), len(self.batch) - 1)
        self.photos.selectionModel().setCurrentIndex(self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def select_face(self, index: int) -> None:
        self.presenter.selected_face = index
        self._refresh_panels()

    def selected_face_image(self) -> QImage | None:
        """The selected face, cut from the original photo as a thumbnail (for "Show face as…"); None without one."""
        item, index = self.current, self.selected_face
        if item is None or item.review is None or self._original is None:
            return None
        faces = item.review.faces()
        if not 0 <= index < len(faces):
            return None
        box = faces[index].box
        return face_thumbnail(self._original, box.left, box.top, box.right, box.bottom)

    def toggle_safe(self) -> None:
        self.safe_toggle.toggle()

    def _show_safe(self, on: bool) -> None:
        self.showing_safe = on
        self.clip_stage.flip(on)
        self._show_pixels()
        self.safe_shown.emit(on)

    def _refresh_current(self) -> None:
        item = self.current
        self._refresh_panels()
        if self.clip_stage.show(item):
            return
        if item is None:
            self.view.show_image(None, "Drop photos, clips or folders here, or use File > Add photos (Ctrl+O).")
            return
        if item.is_clip or item.review is None:
            self.view.show_image(None, f"{item.path.name}: {item.reason}")
            return
        if self._original is None:
            self._load_current()
        else:
            self._render_safe()

    def _refresh_panels(self) -> None:
        item = self.current
        channel_name = self._checked_for()
        self.details.show_item(item, self.names, self.selected_face, channel_name)
        self.undo_available.emit(self.presenter.can_undo())
        self.export_button.setEnabled(self.analysis is None and self.export_job is None and self.batch.to_export())
        if item is None or item.review is None or self._original is None:
            return
        faces = item.review.faces()
        self.view.set_overlays(
            [FaceOverlay(face.box, face.action is Action.SHOWN, face_label(face, self.names), i == self.selected_face,
                         f"{face_sentence(face, self.names, channel_name)}\n{face_figures(face)}".strip())
             for i, face in enumerate(faces)],
            [AreaOverlay(area.box, area.shape is Shape.ELLIPSE) for area in item.review.areas()])

    def _checked_for(self) -> str:
        """The name of the channel the batch is checked for, as the review's sentences say it."""
        key = self.presenter.channel_key or self.channel_key
        return self.presenter.channels.get(key).name if key else "this channel"

    def _load_current(self) -> None:
        item, generation = self.current, self._generation
        if self._loading_for == generation:
            return
        self._loading_for = generation

        def load():
            photo = load_photo_bytes(item.path.read_bytes())
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
        self.jobs.run(load, loaded, failed)

    def _render_safe(self) -> None:
        """The safe copy as it will be exported: the one kept from the check, or made once for this state."""
        item = self.current
        if self._photo is None or item is None or item.review is None:
            return
        self._generation += 1
        generation, review, channel_key, service = self._generation, item.review, self.channel_key, self.app.review

        def rendered(image: QImage) -> None:
            if generation == self._generation:
                self._safe = image
                self._show_pixels()

        self.jobs.run(lambda: to_qimage(load_photo_bytes(service.safe_copy(review, channel_key).jpeg).image), rendered,
                      lambda exc: self.questions.explain("The safe version could not be drawn", str(exc)))

    def _show_pixels(self) -> None:
        image = self._safe if self.showing_safe and self._safe is not None else self._original
        if image is not None:
            self.view.replace_image(image)
        self._say_which_version()

    def _say_which_version(self) -> None:
        """The label says which version is on screen; the button says what pressing it will do."""
        pending = self._safe is None and not self.clip_stage.showing and self.current is not None and self.current.review is not None
        self.showing.setText(showing_text(self.showing_safe, pending))
        self.safe_toggle.setText(toggle_text(self.showing_safe))

    # Corrections

    def blur_selected_face(self) -> None:
        self._corrected(self.presenter.blur_selected_face())

    def show_selected_face(self) -> None:
        self._corrected(self.presenter.show_selected_face())

    def _area_drawn(self, box: Box) -> None:
        shape = Shape.ELLIPSE if self.details.blur_ellipse.isChecked() else Shape.RECTANGLE
        self._set_drawing_off()
        if self._photo is not None:
            self._corrected(self.presenter.blur_area(box, shape, self._photo.size))

    def can_undo(self) -> bool:
        return self.presenter.can_undo()

    def undo(self) -> None:
        if self.current is not None and self.current.is_clip:
            self._clip_corrected(self.presenter.undo(), redraw=True)
        else:
            self._corrected(self.presenter.undo())

    def _clip_corrected(self, message: str | None, redraw: bool = False) -> None:
        if message is None:
            return
        if redraw:
            self.clip_stage.refresh()
        self.model.refresh(self.current)
        self._refresh_panels()
        self.message.emit(message)

    def _corrected(self, message: str | None) -> None:
        if message is None:
            return
        self.model.refresh(self.current)
        self._refresh_panels()
        self._render_safe()
        self.message.emit(message)

    # Closing

    def has_unsaved_work(self) -> bool:
        return self.presenter.has_unsaved_work()

    def shutdown(self) -> None:
        self.clip_stage.close()
        self.jobs.cancel_all()
        self.jobs.wait()
