"""Withdrawal impact: every photo already exported that shows a person, read from the audit log.

When consent is withdrawn or refused, or someone leaves, staff need to take down what is
already published. The log is the only complete record of what left the app: each exported
photo's entry has its `output_name` and a face list saying who was shown. An entry that also
carries `corrections` (a face shown by hand after review: action "show_face") counts too. A post
(`post_approved`) whose caption names the person is listed as well: its caption is a publication too.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from typing import IO

from ..kernel.audit_entries import PostApproved
from ..kernel.consent import ALL_CHANNELS
from ..kernel.ports import Store
from ..kernel.spreadsheet import safe_cell

IMPACT_CSV_COLUMNS = (
    "audit_seq", "exported_at", "channel", "source_name", "source_sha256", "output_name", "output_sha256", "vetted_by", "how",
)
SHOWN_WHEN_VETTED = "shown when vetted"
SHOWN_BY_CORRECTION = "shown by a correction"
NAMED_IN_POST = "named in a post's caption"


@dataclass(frozen=True)
class ExportedPhoto:
    audit_seq: int
    at: str  # UTC timestamp from the entry
    channel: str | None
    source_name: str | None
    source_sha256: str | None
    output_name: str
    output_sha256: str | None
    user: str | None
    how: str

    def as_row(self) -> list[str]:
        return [str(self.audit_seq), self.at, self.channel or "", self.source_name or "", self.source_sha256 or "",
                self.output_name, self.output_sha256 or "", self.user or "", self.how]


def withdrawal_impact(store: Store, person_id: int, channel: str | None = None) -> list[ExportedPhoto]:
    """Every exported photo that showed `person_id`, oldest first: those for `channel` only, or for every
    channel when it is None or "all" (so a consent record's own channel can be passed straight in)."""
    wanted_channel = None if channel in (None, ALL_CHANNELS) else channel
    found = []
    with store.transaction() as tx:
        for record in tx.audit.records():
            if '"output_name"' not in record.content_json and '"post_approved"' not in record.content_json:
                continue  # most entries export nothing; skip the JSON parse
            content = json.loads(record.content_json)
            post = PostApproved.from_payload(content)
            if post is not None:
                if person_id in post.named_person_ids and (not wanted_channel or post.channel in (None, wanted_channel)):
                    found.append(_post(record.seq, post))
                continue
            if not content.get("output_name"):
                continue
            # An entry that names no channel is kept: better one photo too many on the list than one missed.
            if wanted_channel and content.get("channel") not in (None, wanted_channel):
                continue
            how = _how_shown(content, person_id)
            if how:
                found.append(ExportedPhoto(
                    record.seq, content.get("at", ""), content.get("channel"), content.get("source_name"),
                    content.get("source_sha256"), content["output_name"], content.get("output_sha256"),
                    content.get("user"), how,
                ))
    return found


def _post(seq: int, post: PostApproved) -> ExportedPhoto:
    """A post listed as its caption file, inside the posting pack's folder."""
    return ExportedPhoto(seq, post.at or "", post.channel, "the post's caption", None,
                         f"{post.pack or 'posting pack'}/caption.txt", post.caption_sha256, post.user, NAMED_IN_POST)


def _how_shown(content: dict, person_id: int) -> str | None:
    if any(face.get("person_id") == person_id and face.get("action") == "shown" for face in content.get("faces") or ()):
        return SHOWN_WHEN_VETTED
    if any(c.get("person_id") == person_id and c.get("action") == "show_face" for c in content.get("corrections") or ()):
        return SHOWN_BY_CORRECTION
    return None


def write_impact_csv(photos: list[ExportedPhoto], handle: IO[str]) -> None:
    """The list as CSV for staff taking photos down; ids and file names only, no personal names.
    Open `handle` with newline="" (and encoding "utf-8-sig" so Excel reads it)."""
    writer = csv.writer(handle)
    writer.writerow(IMPACT_CSV_COLUMNS)
    writer.writerows([safe_cell(cell) for cell in photo.as_row()] for photo in photos)
