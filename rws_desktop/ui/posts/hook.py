"""The Post panel opened from the Vet photos workspace, over the photos and clips checked there.

The workspace calls `open_post_panel(workspace)` from its "Post…" button; everything the panel needs is
read from the workspace here, so the workspace itself changes by a few lines. The window checks
photos and clips without writing safe copies, so making the pack first exports the chosen ones (each
recorded as an export is), then writes the pack from those safe copies. The presenter's items carry a
`PhotoReview` or a `ClipReview`; both are taken.
"""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QDialog, QVBoxLayout

from ...core.captions.contacts import load_school_contacts
from ...core.captions.findings import Confirmation
from ...core.clips.results import ClipResult
from ...core.clips.review import ClipReview, ClipReviewService
from ...core.clips.service import clip_analyser
from ...core.posts.media import PostMedia
from ...core.posts.media_vetting import record_not_written
from ...core.posts.pack import PackError, PostingPack
from ...core.posts.service import PostService, not_written_reason
from ...paths import resources_dir
from .panel import PostPanel


def open_post_panel(workspace) -> PostPanel | None:
    """Opens (non-modal) the Post panel for the workspace's checked photos and clips; returns it, or None after explaining why not."""
    presenter = workspace.presenter
    if presenter.checking:
        presenter.questions.explain("Still checking", "Wait for the check to finish, or cancel it, before making a post.")
        return None
    # A photo's review is item.review; a clip's, item.clip (see ui/vetting/batch.py).
    reviews = [review for item in presenter.batch.items
               if (review := getattr(item, "clip", None) or getattr(item, "review", None)) is not None]
    if not reviews:
        presenter.questions.explain("Nothing to post", "Add photos or clips and let them be checked first; then make a post from them.")
        return None
    app, channel_key = workspace.app, workspace.channel_key
    service = PostService(app.database, app.channels, app.signed_in(), load_school_contacts(resources_dir()))
    clips = ClipExporter(ClipReviewService(app.database, app.channels, app.signed_in()), lambda: clip_analyser(app.encoder))
    panel = PostPanel(app.channels.get(channel_key), [media_of(r, clips) for r in reviews],
                      lambda: service.checker(channel_key), pack_maker(presenter.review, service, channel_key, reviews, clips),
                      settings=workspace.settings)
    dialog = QDialog(workspace)
    dialog.setWindowTitle(f"Post to {panel.channel.name}")
    dialog.resize(720, 680)
    QVBoxLayout(dialog).addWidget(panel)
    dialog.finished.connect(panel.shutdown)
    panel.pack_made.connect(lambda pack: (workspace.model.refresh(), workspace.message.emit(f"Posting pack written to {pack.folder}.")))
    dialog.show()
    workspace.post_dialog = dialog  # kept alive while it is open
    return panel


class ClipExporter:
    """Exports a reviewed clip for a post, and remembers what each export wrote (a ClipReview keeps only its
    entry's number), so the pack is made from the safe copy that was recorded."""

    def __init__(self, service: ClipReviewService, analyser):
        self.service = service
        self._analyser = analyser
        self.exported: dict[Path, ClipResult] = {}

    def analyser(self):
        if callable(self._analyser):
            self._analyser = self._analyser()
        return self._analyser

    def clip_of(self, review: ClipReview) -> ClipResult:
        """The clip as reviewed (corrections applied), or as exported when it was exported for a post."""
        if review.result.source in self.exported:
            return self.exported[review.result.source]
        # No output: the pack is made from the copy this post exports (see export).
        return replace(review.current_result(), output=None, audit_seq=review.recorded_seq)

    def export(self, review: ClipReview, channel_key: str, out_dir: Path) -> ClipResult:
        source = review.result.source
        if source in self.exported:
            return self.exported[source]
        if review.recorded_seq is not None:
            raise PackError(f"{source.name} was exported before this post, and its safe copy cannot be found "
                            "from here: check it again to post it.")
        result = self.service.export(review, channel_key, out_dir, self.analyser())
        if result.output is None:
            raise PackError(f"{source.name} has no safe copy: it is {result.decision.value} ({result.reason}).")
        self.exported[source] = result
        return result


def media_of(review, clips: ClipExporter) -> PostMedia:
    return clips.clip_of(review) if isinstance(review, ClipReview) else review.current_result()


def _source(review) -> Path:
    return review.result.source if isinstance(review, ClipReview) else review.source


def pack_maker(review_service, service: PostService, channel_key: str, reviews: list, clips: ClipExporter):
    by_source = {_source(review): review for review in reviews}

    def make(caption: str, confirmations: list[Confirmation], chosen_media: list[PostMedia], folder: Path) -> PostingPack:
        chosen = [by_source[item.source] for item in chosen_media]
        staging = folder.with_name(folder.name + ".vetting")
        # Checked before anything is exported, so a blocked post records no copies that would then be deleted.
        before = service.review(service.checker(channel_key), caption, chosen_media, confirmations)
        if not before.ready:
            raise PackError("the post is blocked:\n" + "\n".join(before.problems))
        media: list[PostMedia] = []
        try:
            photos = [r for r in chosen if not isinstance(r, ClipReview)]
            pending = [r for r in photos if r.recorded_seq is None]
            outcomes = {o.review.source: o for o in review_service.export(pending, channel_key, staging)} if pending else {}
            for review in chosen:
                if isinstance(review, ClipReview):
                    media.append(clips.export(review, channel_key, staging))
                    continue
                if review.exported_to is None:
                    outcome = outcomes.get(review.source)
                    why = (outcome.problem if outcome and outcome.problem else "it is blocked") if outcome else "it was not exported"
                    raise PackError(f"{review.source.name} has no safe copy: {why}.")
                decision, reason = review.decision()
                data = review.exported_to.read_bytes()
                media.append(replace(review.result, faces=review.faces(), decision=decision,
                                     reason=reason, output=review.exported_to, output_sha256=hashlib.sha256(data).hexdigest(),
                                     audit_seq=review.recorded_seq))
            checker = service.checker(channel_key)  # the register as it is now, not when the panel opened
            post = service.review(checker, caption, media, confirmations)
            if not post.ready:
                raise PackError("the post is blocked:\n" + "\n".join(post.problems))
            pack = service.make_pack(post, channel_key, folder)
        except BaseException as exc:
            _discarded(service, channel_key, folder, staging, chosen, clips, exc)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for review in chosen:
            if isinstance(review, ClipReview):
                result = clips.exported.get(review.result.source)
                if result is not None and result.output is not None and result.output.parent == staging:
                    result.output = folder / result.output.name
            elif review.exported_to is not None and review.exported_to.parent == staging:
                review.exported_to = folder / review.exported_to.name
        return pack
    return make


def _discarded(service: PostService, channel_key: str, folder: Path, staging: Path, chosen: list, clips: ClipExporter,
               exc: BaseException) -> None:
    """The pack failed after copies were exported (and recorded) into the staging folder, which is about to be
    deleted: record which entries' copies were discarded, and forget those copies."""
    written: list[PostMedia] = []
    for review in chosen:
        if isinstance(review, ClipReview):
            result = clips.exported.get(review.result.source)
            if result is not None and result.output is not None and result.output.parent == staging:
                written.append(replace(result))
                result.output = None
        elif review.exported_to is not None and review.exported_to.parent == staging:
            written.append(replace(review.result, output=review.exported_to, audit_seq=review.recorded_seq))
            review.exported_to = None
    if written:
        record_not_written(service.store, written, service.channels.get(channel_key), service.session.initials,
                           folder.name, not_written_reason(exc))
