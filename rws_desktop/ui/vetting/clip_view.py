"""A selected clip's review in the vetting workspace: the clip panel (ui/clips) takes the place of the
photo view and its details, and its questions go through the window's Questions like a photo's."""
from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..clips.dialogs import ask_span
from ..clips.review_panel import ClipReviewPanel, Questions as PanelQuestions
from .batch import BatchItem


class ClipStage:
    """Owns the clip panel shown for the current clip; the workspace tells it what is selected."""

    def __init__(self, workspace):
        self.workspace = workspace
        self.area = QWidget()
        self.area.setAccessibleName("Clip review")
        self.layout = QVBoxLayout(self.area)
        self.layout.setContentsMargins(0, 0, 0, 0)
        self.area.hide()
        workspace.splitter.addWidget(self.area)
        workspace.splitter.setStretchFactor(workspace.splitter.count() - 1, 1)
        self.panel: ClipReviewPanel | None = None
        self.item: BatchItem | None = None
        self._photo_sizes: list[int] | None = None  # the panes' widths while a photo was shown

    @property
    def showing(self) -> bool:
        return self.panel is not None

    def show(self, item: BatchItem | None) -> bool:
        """Shows the clip's review when `item` is a checked clip that can be reviewed; returns whether it did."""
        reviewable = item is not None and item.clip is not None and item.clip.scan is not None
        if not reviewable:
            self.close()
            return False
        if self.panel is not None and self.item is item and self.panel.review is item.clip:
            return True
        self.close()
        self.panel = self._panel(item)
        self.item = item
        self.layout.addWidget(self.panel)
        ws = self.workspace
        sizes = ws.splitter.sizes()
        self._photo_sizes = sizes
        ws.view.hide()
        ws.details.hide()
        self.area.show()
        # The clip takes the room of the photo and its details (a splitter leaves a newly shown pane at 0).
        ws.splitter.setSizes([sizes[0], 0, 0, max(400, sizes[1] + sizes[2] + sizes[3])])
        return True

    def close(self) -> None:
        if self.panel is None:
            return
        self.panel.player._timer.stop()
        self.panel.close_reader()
        self.panel.setParent(None)
        self.panel.deleteLater()
        self.panel, self.item = None, None
        self.area.hide()
        self.workspace.view.show()
        self.workspace.details.show()
        if self._photo_sizes:
            self.workspace.splitter.setSizes(self._photo_sizes)

    def flip(self, safe: bool) -> None:
        if self.panel is not None:
            self.panel.player.original.setChecked(not safe)

    def refresh(self) -> None:
        if self.panel is not None:
            self.panel.refresh()

    def _panel(self, item: BatchItem) -> ClipReviewPanel:
        ws = self.workspace
        presenter, questions = ws.presenter, ws.questions
        channel_key = presenter.channel_key or ws.channel_key
        channel_name = presenter.channels.get(channel_key).name
        review = item.clip

        def shown() -> set[int]:
            return {t.person_id for t in review.tracks() if t.person_id is not None and t.action.value == "shown"}

        span = getattr(questions, "ask_span", None)
        panel_questions = PanelQuestions(
            reason=lambda _parent, title, question: questions.ask_reason(title, question),
            person=lambda _parent, candidates: questions.ask_person(channel_name, candidates, shown()),
            span=(lambda _parent, current, last: span(current, last)) if span else ask_span,
            explain=lambda _parent, title, text: questions.explain(title, text))
        desk = presenter.clips
        panel = ClipReviewPanel(review, desk.service, channel_key, desk.analyser,
                                lambda text: presenter.review.candidates(channel_key, text), panel_questions, presenter.names)
        panel.player.original.setChecked(not ws.showing_safe)
        panel.corrected.connect(ws._clip_corrected)
        return panel
