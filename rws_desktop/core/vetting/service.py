"""Vetting a batch end to end from the command line: analyse (on every core), write the safe
copies, record each decision."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from .batch import analyse_batch
from ..kernel.channels import ChannelCatalogue
from ..kernel.permissions import Action, requires
from ..kernel.ports import Store
from .publishing import output_path, publish, record, vetted_entry
from ..kernel.session import Session
from .analysis import PhotoAnalyser, PhotoResult, RegisterSnapshot

ProgressCallback = Callable[[int, int, PhotoResult], None]


class VettingService:
    """Vets a batch: analyses photos (on every core), writes the safe copies and records each decision."""

    def __init__(self, store: Store, channels: ChannelCatalogue, analyser: PhotoAnalyser, session: Session, workers: int = 1):
        self.store = store
        self.channels = channels
        self.analyser = analyser
        self.session = session
        self.workers = workers

    @requires(Action.VET, channel_arg="channel_key")
    @requires(Action.EXPORT, channel_arg="channel_key")
    def vet(
        self, photos: Iterable[Path], channel_key: str, out_dir: Path,
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
                result.output = output_path(result.source, out_dir, taken_names)
            content = vetted_entry(result, channel, self.session.initials, result.decision, result.reason, result.faces)
            if analysis.safe_jpeg is None:
                result.audit_seq = record(self.store, content)
            else:
                result.audit_seq = publish(self.store, analysis.safe_jpeg, result.output, content)
            results.append(result)
            if progress:
                progress(index, len(sources), result)
        return results
