"""Vetting a batch end to end: analyse (on every core), write the safe copies, record each decision.

A safe copy is written under a temporary name and published only once its audit entry has
committed, so no exported photo ever lacks its record.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from .audit import utc_timestamp
from .batch import analyse_batch
from .channels import Channel, ChannelCatalogue
from .ports import Store
from .vetting import PhotoAnalyser, PhotoResult, RegisterSnapshot

ProgressCallback = Callable[[int, int, PhotoResult], None]


class VettingService:
    """Vets a batch: analyses photos (on every core), writes the safe copies and records each decision."""

    def __init__(self, store: Store, channels: ChannelCatalogue, analyser: PhotoAnalyser, workers: int = 1):
        self.store = store
        self.channels = channels
        self.analyser = analyser
        self.workers = workers

    def vet(
        self, photos: Iterable[Path], channel_key: str, out_dir: Path, user: str,
        today: date | None = None, block_hidden: bool = False, progress: ProgressCallback | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> list[PhotoResult]:
        channel = self.channels.get(channel_key)
        today = today or date.today()
        sources = list(photos)
        out_dir.mkdir(parents=True, exist_ok=True)
        register = RegisterSnapshot.load(self.store, today)
        results: list[PhotoResult] = []
        taken_names: set[str] = set()
        analyses = analyse_batch(sources, channel, register, today, block_hidden, self.analyser, self.workers, should_stop)
        for index, analysis in enumerate(analyses, start=1):
            result = analysis.result
            if analysis.safe_jpeg is not None:
                result.output = self._write_pending(analysis.safe_jpeg, out_dir / _output_name(result.source, taken_names))
            result.audit_seq = self._record(result, channel, user)
            if result.output is not None:
                # Published only once its audit entry is committed.
                os.replace(_pending(result.output), result.output)
            results.append(result)
            if progress:
                progress(index, len(sources), result)
        return results

    @staticmethod
    def _write_pending(data: bytes, target: Path) -> Path:
        with open(_pending(target), "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return target

    def _record(self, result: PhotoResult, channel: Channel, user: str) -> int:
        content = {
            "kind": "photo_vetted",
            "at": utc_timestamp(),
            "user": user,
            "channel": channel.key,
            "source_name": result.source.name,
            "source_sha256": result.source_sha256,
            "output_name": result.output.name if result.output else None,
            "output_sha256": result.output_sha256 if result.output else None,
            "decision": result.decision.value,
            "reason": result.reason,
            "faces": [
                {key: value for key, value in face.as_dict().items() if key != "reason"} for face in result.faces
            ],
        }
        try:
            with self.store.transaction() as tx:
                return tx.audit.append(content).seq
        except Exception:
            if result.output is not None:
                _pending(result.output).unlink(missing_ok=True)
            raise


def _pending(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def _output_name(source: Path, taken: set[str]) -> str:
    stem, name, counter = source.stem, f"{source.stem}.jpg", 2
    while name.lower() in taken:
        name, counter = f"{stem} ({counter}).jpg", counter + 1
    taken.add(name.lower())
    return name
