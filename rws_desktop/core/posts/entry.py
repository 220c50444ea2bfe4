"""The `post_approved` audit entry: what a posting pack held, by hash and register id (never by name)."""
from __future__ import annotations

from ..kernel.audit_entries import PostApproved
from .review import PostReview


def post_approved_entry(review: PostReview, at: str, user: str, caption_sha256: str, media: list[dict],
                        pack_name: str, checks: list[str], hashes_sha256: str | None = None) -> PostApproved:
    """The one place the entry is built from a post's review.

    `media`: for each file, its photo_vetted entry's seq and the names and hashes it was recorded with.
    Confirmed ambiguous names keep their offsets, the ids they could mean and the reason typed."""
    return PostApproved(
        at=at, user=user, channel=review.channel.key, caption_sha256=caption_sha256, media=tuple(media),
        named_person_ids=tuple(review.caption.named_person_ids), shown_person_ids=tuple(review.shown_person_ids),
        confirmations=tuple({"start": f.start, "end": f.end, "person_ids": list(f.person_ids), "reason": f.confirmed_reason}
                            for f in review.confirmed),
        warnings=tuple({"kind": f.kind.value, "start": f.start, "end": f.end} for f in review.warnings),
        checks=tuple(checks), pack=pack_name, hashes_sha256=hashes_sha256,
    )
