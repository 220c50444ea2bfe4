"""Vetting a batch, for `rws vet` and the window alike: the one road a photo travels.

`vet_batch` analyses (on every core) and reports events: the batch started, each photo started,
was analysed (with its safe copy) or failed, and the batch finished, saying why if it stopped
early. `rws vet` prints the events and publishes each safe copy with `vet`; the window forwards
them to its screen and publishes on export through the ReviewService, from the same safe copies.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..faces.detection import DetectorSettings
from ..kernel.channels import Channel, ChannelCatalogue
from ..kernel.permissions import Action, requires
from ..kernel.ports import Store
from ..kernel.session import Session
from .analysis import PhotoAnalyser, PhotoResult, RegisterSnapshot
from .batch import AnalysisSettings, BatchContext, WorkerPool, WorkersStopped, analyse_in_process
from .events import BatchFinished, BatchStarted, PhotoAnalysed, PhotoFailed, VettingEvent
from .publishing import already_done_reason, already_published, output_path, publish, reconcile_pending, record, vetted_entry

EventCallback = Callable[[VettingEvent], None]


class VettingService:
    """Vets a batch: analyses photos (on every core), and for `rws vet` writes the safe copies and records
    each decision. `analyser` (or a function making it, so a window that never analyses in its own
    process never loads the models) serves one worker on the command line; more use worker processes: `pool`,
    when given (the App's, which outlives a session and may already be warm), else a pool of `workers`."""

    def __init__(self, store: Store, channels: ChannelCatalogue, analyser: PhotoAnalyser | Callable[[], PhotoAnalyser],
                 session: Session, workers: int = 1, settings: AnalysisSettings | None = None,
                 pool: WorkerPool | None = None):
        self.store = store
        self.channels = channels
        self.session = session
        self._analyser = analyser
        if settings is None and isinstance(analyser, PhotoAnalyser):  # workers build the same analyser
            settings = AnalysisSettings(getattr(analyser.detector, "settings", DetectorSettings()), analyser.policy)
        self.workers = pool or WorkerPool(workers, settings or AnalysisSettings())
        self._keep_workers = False

    # Worker processes kept for a session (the window's)

    @requires(Action.VET, channel_arg="channel_key")
    def keep_workers(self, channel_key: str, start_now: bool = True) -> None:
        """From now on every batch runs in worker processes (never in this process, whose UI thread dlib
        would freeze), kept between batches until `workers.close()` (App.close does it). `start_now` starts them at once and
        blocks while they load the models, so the first batch need not wait. For someone who may vet
        `channel_key`."""
        self._keep_workers = True
        if start_now:
            self.workers.start()

    @requires(Action.VET, channel_arg="channel_key")
    def workers_ready(self, channel_key: str) -> bool:
        return self.workers.started

    # Vetting

    @requires(Action.VET, channel_arg="channel_key")
    def vet_batch(self, photos: Iterable[Path], channel_key: str, today: date | None = None, block_hidden: bool = False,
                  should_stop: Callable[[], bool] = lambda: False, register: RegisterSnapshot | None = None,
                  ) -> Iterator[VettingEvent]:
        """Analyses the photos (against `register`, or the register as it is now) and reports each step."""
        channel = self.channels.get(channel_key)
        today = today or date.today()
        sources = list(photos)
        context = BatchContext(channel, register or RegisterSnapshot.load(self.store, today), today, block_hidden)
        # Workers already started (kept by the window, or started by `rws vet` while it signed in) take even
        # one photo: their models are loaded, or loading, where this process has not begun.
        in_processes = self._keep_workers or self.workers.warming or (self.workers.workers > 1 and len(sources) > 1)
        yield BatchStarted(len(sources), loading_models=in_processes and not self.workers.started)
        done = 0
        try:
            events = (self.workers.analyse(sources, context, should_stop) if in_processes
                      else analyse_in_process(sources, context, self._photo_analyser(), should_stop))
            for event in events:
                done += isinstance(event, (PhotoAnalysed, PhotoFailed))
                yield event
        except WorkersStopped as exc:  # nothing restarts on its own: the person decides what next
            yield BatchFinished(done, len(sources), problem=str(exc))
            return
        finally:
            if in_processes and not self._keep_workers:
                self.workers.close()
        yield BatchFinished(done, len(sources), cancelled=done < len(sources))

    @requires(Action.VET, channel_arg="channel_key")
    @requires(Action.EXPORT, channel_arg="channel_key")
    def vet(
        self, photos: Iterable[Path], channel_key: str, out_dir: Path,
        today: date | None = None, block_hidden: bool = False, progress: EventCallback | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> list[PhotoResult]:
        """Vets the batch and writes each safe copy with its audit entry (and an entry for every other photo)."""
        channel = self.channels.get(channel_key)
        out_dir.mkdir(parents=True, exist_ok=True)
        results: list[PhotoResult] = []
        taken_names: set[str] = set()
        finished = reconcile_pending(self.store, out_dir)  # what a run killed mid-write left behind
        for event in self.vet_batch(photos, channel_key, today, block_hidden, should_stop):
            if isinstance(event, (PhotoAnalysed, PhotoFailed)):
                results.append(self._publish(event, channel, out_dir, taken_names, finished))
            if progress:
                progress(event)
        return results

    def _publish(self, event: PhotoAnalysed | PhotoFailed, channel: Channel, out_dir: Path, taken_names: set[str],
                 finished: dict[Path, str]) -> PhotoResult:
        result = event.result
        safe = event.safe_copy if isinstance(event, PhotoAnalysed) else None
        earlier = already_published(self.store, result, channel, safe.sha256, out_dir) if safe is not None else None
        if earlier is not None:  # a rerun: the same safe copy is already published here, with its entry
            result.audit_seq, result.output = earlier
            result.output_sha256 = safe.sha256
            result.reason = already_done_reason(result, *earlier, finished.get(earlier[1]))
            taken_names.add(earlier[1].name.lower())
            return result
        if safe is not None:
            result.output = output_path(result.source, out_dir, taken_names)
        content = vetted_entry(result, channel, self.session.initials, result.decision, result.reason, result.faces)
        result.audit_seq = record(self.store, content) if safe is None else publish(self.store, safe.jpeg, result.output, content)
        return result

    def _photo_analyser(self) -> PhotoAnalyser:
        if not isinstance(self._analyser, PhotoAnalyser):
            self._analyser = self._analyser()
        return self._analyser
