"""The Post panel opened from the Vet photos workspace, over the photos checked there.

The workspace calls `open_post_panel(workspace)` from its "Post…" button; everything the panel needs is
read from the workspace here, so the workspace itself changes by a few lines. The window checks
photos without writing safe copies, so making the pack first exports the chosen photos (each recorded
as an export is), then writes the pack from those safe copies.
"""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QDialog, QVBoxLayout

from ...core.captions.contacts import load_school_contacts
from ...core.captions.findings import Confirmation
from ...core.posts.pack import PackError, PostingPack
from ...core.posts.service import PostService
from ...core.vetting.analysis import PhotoResult
from ...core.vetting.review import PhotoReview
from ...paths import resources_dir
from .panel import PostPanel


def open_post_panel(workspace) -> PostPanel | None:
    """Opens (non-modal) the Post panel for the workspace's checked photos; returns it, or None after explaining why not."""
    presenter = workspace.presenter
    if presenter.checking:
        presenter.questions.explain("Still checking", "Wait for the check to finish, or cancel it, before making a post.")
        return None
    reviews = [item.review for item in presenter.batch.items if item.review is not None]
    if not reviews:
        presenter.questions.explain("Nothing to post", "Add photos and let them be checked first; then make a post from them.")
        return None
    app, channel_key = workspace.app, workspace.channel_key
    service = PostService(app.database, app.channels, app.signed_in(), load_school_contacts(resources_dir()))
    panel = PostPanel(app.channels.get(channel_key), [photo_of(r) for r in reviews],
                      lambda: service.checker(channel_key), pack_maker(presenter.review, service, channel_key, reviews))
    dialog = QDialog(workspace)
    dialog.setWindowTitle(f"Post to {panel.channel.name}")
    dialog.resize(720, 680)
    QVBoxLayout(dialog).addWidget(panel)
    dialog.finished.connect(panel.shutdown)
    panel.pack_made.connect(lambda pack: (workspace.model.refresh(), workspace.message.emit(f"Posting pack written to {pack.folder}.")))
    dialog.show()
    workspace.post_dialog = dialog  # kept alive while it is open
    return panel


def photo_of(review: PhotoReview) -> PhotoResult:
    """The photo as reviewed: corrections applied, decided as it stands now."""
    decision, reason = review.decision()
    return replace(review.result, faces=review.faces(), decision=decision, reason=reason,
                   output=review.exported_to, audit_seq=review.recorded_seq)


def pack_maker(review_service, service: PostService, channel_key: str, reviews: list[PhotoReview]):
    by_source = {review.source: review for review in reviews}

    def make(caption: str, confirmations: list[Confirmation], photos: list[PhotoResult], folder: Path) -> PostingPack:
        chosen = [by_source[photo.source] for photo in photos]
        staging = folder.with_name(folder.name + ".vetting")
        try:
            pending = [r for r in chosen if r.recorded_seq is None]
            outcomes = {o.review.source: o for o in review_service.export(pending, channel_key, staging)} if pending else {}
            media = []
            for review in chosen:
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
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for review in chosen:
            if review.exported_to is not None and review.exported_to.parent == staging:
                review.exported_to = folder / review.exported_to.name
        return pack
    return make
