"""Writing safe copies and their audit entries, for the command line and the window alike.

A safe copy is written under a temporary name and published only once its audit entry has
committed, so no exported photo ever lacks its record, and a failed write leaves nothing behind.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..faces.imaging import file_sha256
from ..kernel.audit_chain import safe_text
from ..kernel.audit_entries import Entry, PhotoVetted, payload_of
from ..kernel.audit_index import AuditQuery
from ..kernel.channels import Channel
from ..kernel.ports import Store
from ..kernel.safe_names import PART_SUFFIX, safe_copy_path
from .analysis import Decision, FaceReport, PhotoResult


def vetted_entry(result: PhotoResult, channel: Channel, user: str, decision: Decision, reason: str,
                 faces: list[FaceReport], corrections: Iterable[dict] = (), origin: str | None = None) -> PhotoVetted:
    """The photo's `photo_vetted` entry: hashes, the decision and every face by person id (never a name)."""
    return PhotoVetted(
        user=user, channel=channel.key, source_name=safe_text(result.source.name), source_sha256=result.source_sha256,
        output_name=safe_text(result.output.name) if result.output else None,
        output_sha256=result.output_sha256 if result.output else None,
        decision=decision.value, reason=reason,
        faces=tuple({key: value for key, value in face.as_dict().items() if key != "reason"} for face in faces),
        corrections=tuple(corrections), origin=origin, checked_at=result.checked_at,
    )


def record(store: Store, entry: Entry) -> int:
    with store.transaction() as tx:
        return tx.audit.append(payload_of(entry)).seq


def publish(store: Store, data: bytes, target: Path, entry: Entry) -> int:
    """Write `data` to `target` and record `entry`; the file appears only once the entry is committed."""
    pending = pending_path(target)
    descriptor = create_exclusive(pending)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        seq = record(store, entry)
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
    """`<stem> (safe).jpg` in `out_dir`, numbered when taken (see kernel.safe_names: one rule for every safe copy)."""
    return safe_copy_path(source, out_dir, ".jpg", taken)


def already_published(store: Store, result: PhotoResult, channel: Channel, output_sha256: str,
                      out_dir: Path) -> tuple[int, Path] | None:
    """The entry and file of an earlier run that published this very safe copy into `out_dir`: the same
    source (SHA-256), the same channel, the same safe copy (so the register said the same), and the file
    still there with the recorded hash. A rerun after a crash then says so instead of writing `name (safe) 2.jpg`."""
    if not result.source_sha256:
        return None
    query = AuditQuery(kind=PhotoVetted.KIND, channel=channel.key, source_sha256=result.source_sha256)
    with store.transaction() as tx:
        records = tx.audit.newest(query, limit=20)
    for record in records:
        vetted = PhotoVetted.from_payload(record.content)
        name = vetted.output_name if vetted else None
        if not isinstance(name, str) or vetted.output_sha256 != output_sha256:
            continue
        candidate = out_dir / name
        try:
            if candidate.is_file() and not candidate.is_symlink() and file_sha256(candidate.read_bytes()) == output_sha256:
                return record.seq, candidate
        except OSError:
            continue
    return None


def reconcile_pending(store: Store, out_dir: Path) -> dict[Path, str]:
    """Finish or clear what a crash left in `out_dir`; returns the safe copies finished, each with a sentence.

    A `.part` file whose entry was committed (its name and hash are in the log) was killed between the
    commit and the rename: it is renamed into place now. Any other `.part` never had an entry: it is
    deleted (the name only, if it is a link), and its photo is vetted again in this run."""
    notes: dict[Path, str] = {}
    try:
        pending = sorted(p for p in out_dir.iterdir() if p.name.endswith(PART_SUFFIX))
    except OSError:
        return notes
    if not pending:
        return notes
    recorded = _recorded_outputs(store)
    for part in pending:
        final = part.with_name(part.name[:-len(PART_SUFFIX)])
        try:
            if part.is_symlink() or not part.is_file():
                part.unlink()
                continue
            digest = file_sha256(part.read_bytes())
            if recorded.get(safe_text(final.name)) == digest and not os.path.lexists(final):
                os.replace(part, final)
                notes[final] = (f"the last run stopped after recording this photo's check but before saving "
                                f"{safe_text(final.name)}; it has now been saved.")
            else:
                part.unlink()
        except OSError:
            continue  # left for the next run; output_path never picks a name whose .part is present
    return notes


def already_done_reason(result: PhotoResult, seq: int, output: Path, finished_note: str | None) -> str:
    done = (f"Already vetted for this channel (audit entry {seq}): {result.reason}. The safe copy "
            f"{safe_text(output.name)} is in place, so it was not written again.")
    return f"{done} Note: {finished_note}" if finished_note else done


def _recorded_outputs(store: Store) -> dict[str, str]:
    with store.transaction() as tx:
        entries = [PhotoVetted.from_payload(record.content) for record in tx.audit.matching(AuditQuery(kind=PhotoVetted.KIND))]
    return {entry.output_name: entry.output_sha256 for entry in entries if entry and entry.output_name}
