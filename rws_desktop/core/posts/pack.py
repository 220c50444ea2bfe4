"""Writing a posting pack: the safe media (photos and clips), caption.txt, hashes.txt and receipt.pdf,
with its `post_approved` entry.

Everything is written into a folder beside the destination first; the entry is then recorded, and
only then does the folder take its name, so no pack exists without its record and a failure leaves
no half-written pack.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..clips.results import file_sha256
from ..kernel.disk_errors import unreadable_reason
from ..kernel.audit_chain import utc_timestamp
from ..kernel.disk_errors import unwritable_reason
from ..kernel.ports import Store
from ..vetting.publishing import record
from .entry import post_approved_entry
from .media import PostMedia, kind_word
from .receipt import Receipt, ReceiptFile, render_receipt
from .review import PostReview

CAPTION_FILE = "caption.txt"
RECEIPT_FILE = "receipt.pdf"
HASHES_FILE = "hashes.txt"  # every file's SHA-256, in `sha256sum` form, so `sha256sum -c hashes.txt` checks the pack

log = logging.getLogger(__name__)


class PackError(Exception):
    """A pack that cannot be written, explained in plain words."""


@dataclass(frozen=True)
class PackedFile:
    name: str
    sha256: str
    audit_seq: int | None


@dataclass(frozen=True)
class PostingPack:
    folder: Path
    files: tuple[PackedFile, ...]
    caption_sha256: str
    audit_seq: int


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_destination(folder: Path) -> None:
    """A pack goes in a new folder, or an empty one, so it holds nothing but what the receipt lists."""
    try:
        taken = folder.exists() and (not folder.is_dir() or any(folder.iterdir()))
    except OSError as exc:
        log.info("posting pack folder could not be looked into: %s", exc.strerror or type(exc).__name__)
        raise PackError(f"{folder} could not be opened to see whether it is empty: "
                        f"{unreadable_reason(exc)} Choose another folder for the posting pack.") from exc
    if taken:
        raise PackError(f"{folder} already exists and is not an empty folder. Choose a new folder for the posting pack.")


def write_pack(store: Store, review: PostReview, folder: Path, user: str, user_name: str, checks: list[str],
               school: str) -> PostingPack:
    if not review.ready:
        raise PackError("This post is blocked, so no posting pack was written:\n" + "\n".join(review.problems))
    check_destination(folder)
    staging = folder.with_name(folder.name + ".part")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
    except OSError as exc:
        raise pack_not_written(exc, folder) from exc
    try:
        files = [_copy_media(result, staging) for result in review.media]
        caption_bytes = review.caption.caption.encode("utf-8")
        (staging / CAPTION_FILE).write_bytes(caption_bytes)
        caption_sha = sha256_of(caption_bytes)
        hashes_bytes = hashes_text([(f.name, f.sha256) for f in files] + [(CAPTION_FILE, caption_sha)]).encode("utf-8")
        (staging / HASHES_FILE).write_bytes(hashes_bytes)
        hashes_sha = sha256_of(hashes_bytes)
        now = datetime.now(timezone.utc)
        at = utc_timestamp(now)
        render_receipt(staging / RECEIPT_FILE, Receipt(
            school, review, f"{user} ({user_name})" if user_name else user,
            now.astimezone().strftime("%d %b %Y %H:%M:%S"), at, caption_sha,
            [ReceiptFile(f.name, f.sha256, f.audit_seq, r.decision.value, kind_word(r)) for f, r in zip(files, review.media)],
            checks, hashes_sha,
        ))
        media = [{"kind": kind_word(r), "audit_seq": f.audit_seq, "source_name": r.source.name,
                  "source_sha256": r.source_sha256, "output_name": f.name, "output_sha256": f.sha256}
                 for f, r in zip(files, review.media)]
        seq = record(store, post_approved_entry(review, at, user, caption_sha, media, folder.name, checks, hashes_sha))
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise pack_not_written(exc, folder) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        if folder.exists():
            folder.rmdir()  # empty, as checked
        os.replace(staging, folder)
    except OSError as exc:
        raise pack_not_written(exc, folder) from exc
    return PostingPack(folder, tuple(files), caption_sha, seq)


def pack_not_written(exc: OSError, folder: Path) -> PackError:
    """A write that failed, in plain words; the system's wording goes to the log (without the file's name)."""
    log.info("posting pack not written: %s (errno %s)", exc.strerror or type(exc).__name__, exc.errno)
    return PackError(f"The posting pack could not be written. {unwritable_reason(exc, folder.parent)}")


def hashes_text(files: list[tuple[str, str]]) -> str:
    return "".join(f"{sha}  {name}\n" for name, sha in files)


def _copy_media(result: PostMedia, staging: Path) -> PackedFile:
    """The safe copy (photo or clip) as vetted: the copy in the pack must hash to what its audit entry
    recorded. Copied in chunks and hashed as copied, since a clip can be large."""
    if result.output is None:
        raise PackError(f"{result.source.name} has no safe copy to put in the pack.")
    name = Path(result.output).name
    target = staging / name
    try:
        with open(result.output, "rb") as source:
            try:
                with open(target, "xb") as copy:
                    shutil.copyfileobj(source, copy, 1024 * 1024)
            except OSError as exc:
                raise pack_not_written(exc, staging) from exc
        digest = file_sha256(target)
    except OSError as exc:
        log.info("safe copy for a posting pack not read: %s", exc.strerror or type(exc).__name__)
        raise PackError(f"The safe copy of {result.source.name} could not be put in the pack. "
                       f"{unreadable_reason(exc)}") from exc
    if result.output_sha256 and digest != result.output_sha256:
        raise PackError(f"The safe copy of {result.source.name} has changed since it was vetted; vet it again.")
    return PackedFile(name, digest, result.audit_seq)
