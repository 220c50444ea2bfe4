"""Writing safe copies and their audit entries, for the command line and the window alike.

A safe copy is written under a temporary name and published only once its audit entry has
committed, so no exported photo ever lacks its record, and a failed write leaves nothing behind.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..kernel.audit_chain import safe_text, utc_timestamp
from ..kernel.channels import Channel
from ..kernel.ports import Store
from .analysis import Decision, FaceReport, PhotoResult


def vetted_entry(result: PhotoResult, channel: Channel, user: str, decision: Decision, reason: str,
                 faces: list[FaceReport], corrections: Iterable[dict] = (), origin: str | None = None) -> dict:
    content = {
        "kind": "photo_vetted",
        "at": utc_timestamp(),
        "user": user,
        "channel": channel.key,
        "source_name": safe_text(result.source.name),
        "source_sha256": result.source_sha256,
        "output_name": safe_text(result.output.name) if result.output else None,
        "output_sha256": result.output_sha256 if result.output else None,
        "decision": decision.value,
        "reason": reason,
        "faces": [{key: value for key, value in face.as_dict().items() if key != "reason"} for face in faces],
    }
    corrections = list(corrections)
    if corrections:
        content["corrections"] = corrections
    if origin:
        content["origin"] = origin
    return content


def record(store: Store, content: dict) -> int:
    with store.transaction() as tx:
        return tx.audit.append(content).seq


PART_SUFFIX = ".part"
# Most file systems allow 255 bytes a name; the pending name adds PART_SUFFIX to the final one.
MAX_NAME_BYTES = 255 - len(PART_SUFFIX)


def publish(store: Store, data: bytes, target: Path, content: dict) -> int:
    """Write `data` to `target` and record `content`; the file appears only once the entry is committed."""
    pending = pending_path(target)
    descriptor = create_exclusive(pending)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        seq = record(store, content)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    os.replace(pending, target)  # replaces a name, never follows a link planted there
    return seq


def pending_path(target: Path) -> Path:
    return target.with_name(target.name + PART_SUFFIX)


def create_exclusive(path: Path) -> int:
    """A new file at `path`, opened for writing without following a link: a `.part` planted as a link to
    another file must not make the app write through it. A leftover `.part` (a crash before its entry was
    committed, or something planted) is removed (the name, never what a link points to) and made anew."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        return os.open(path, flags, 0o666)
    except FileExistsError:
        os.unlink(path)
        return os.open(path, flags, 0o666)


def output_path(source: Path, out_dir: Path, taken: set[str]) -> Path:
    """`<stem>.jpg` in `out_dir`, numbered when that name is taken in this batch or already on disk (or
    pending); the stem is shortened where needed so the name and its pending `.part` fit the file system."""
    counter, suffix = 2, ".jpg"
    name = _fitting(source.stem, suffix)
    while name.lower() in taken or (out_dir / name).exists() or os.path.lexists(out_dir / (name + PART_SUFFIX)):
        name, counter = _fitting(source.stem, f" ({counter}){suffix}"), counter + 1
    taken.add(name.lower())
    return out_dir / name


def _fitting(stem: str, ending: str) -> str:
    """`stem + ending`, the stem cut (on a character boundary) so the whole is at most MAX_NAME_BYTES."""
    room = MAX_NAME_BYTES - len(os.fsencode(ending))
    raw = os.fsencode(stem)
    if len(raw) <= room:
        return stem + ending
    cut = raw[:room]
    while cut:
        try:
            cut.decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            if exc.start < len(cut) - 4:  # not UTF-8 anyway: keep the bytes as the file system has them
                break
            cut = cut[:-1]
    return os.fsdecode(cut) + ending
