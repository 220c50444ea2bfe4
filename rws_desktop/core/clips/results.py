"""What vetting a clip produced: for the report, the audit entry and the window."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..kernel.audit_entries import ClipVetted
from ..kernel.channels import Channel
from ..kernel.decisions import Decision
from .media import ClipInfo
from .verdicts import TrackVerdict

CLIP_ENTRY_KIND = ClipVetted.KIND


@dataclass
class ClipResult:
    source: Path
    decision: Decision
    reason: str
    tracks: list[TrackVerdict] = field(default_factory=list)
    info: ClipInfo | None = None
    frames: int | None = None  # frames actually decoded
    output: Path | None = None
    source_sha256: str | None = None
    output_sha256: str | None = None
    audit_seq: int | None = None

    @property
    def frame_count(self) -> int | None:
        return self.frames if self.frames is not None else (self.info.frame_count if self.info else None)

    def as_dict(self) -> dict:
        """The `--json` report's entry: a photo's fields, with tracks in place of faces."""
        info = self.info
        return {
            "kind": "clip",
            "source": str(self.source),
            "output": str(self.output) if self.output else None,
            "decision": self.decision.value,
            "reason": self.reason,
            "duration_s": round(info.duration_s, 3) if info else None,
            "frame_count": self.frame_count,
            "frame_rate": round(info.fps, 3) if info else None,
            "tracks": [track.report_dict() for track in self.tracks],
        }


def clip_entry(result: ClipResult, channel: Channel, user: str, corrections: Iterable[dict] = (),
               origin: str | None = None) -> ClipVetted:
    """The clip's audit entry: hashes, timing and every track by person id (never a name)."""
    info = result.info
    return ClipVetted(
        user=user, channel=channel.key, source_name=result.source.name, source_sha256=result.source_sha256,
        output_name=result.output.name if result.output else None,
        output_sha256=result.output_sha256 if result.output else None,
        decision=result.decision.value, reason=result.reason,
        duration_s=round(info.duration_s, 3) if info else None, frame_count=result.frame_count,
        frame_rate=round(info.fps, 3) if info else None, tracks=tuple(track.audit_dict() for track in result.tracks),
        corrections=tuple(corrections), origin=origin,
    )


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """A file's SHA-256, read in chunks (a clip can be gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
