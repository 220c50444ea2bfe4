"""Writing safe copies and their audit entries, for the command line and the window alike.

A safe copy is written under a temporary name and published only once its audit entry has
committed, so no exported photo ever lacks its record, and a failed write leaves nothing behind.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..kernel.audit_chain import utc_timestamp
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
        "source_name": result.source.name,
        "source_sha256": result.source_sha256,
        "output_name": result.output.name if result.output else None,
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


def publish(store: Store, data: bytes, target: Path, content: dict) -> int:
    """Write `data` to `target` and record `content`; the file appears only once the entry is committed."""
    pending = target.with_name(target.name + ".part")
    try:
        with open(pending, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        seq = record(store, content)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    os.replace(pending, target)
    return seq


def output_path(source: Path, out_dir: Path, taken: set[str]) -> Path:
    """`<stem>.jpg` in `out_dir`, numbered when that name is taken in this batch or already on disk."""
    stem, name, counter = source.stem, f"{source.stem}.jpg", 2
    while name.lower() in taken or (out_dir / name).exists():
        name, counter = f"{stem} ({counter}).jpg", counter + 1
    taken.add(name.lower())
    return out_dir / name
