"""The vetting presenter's decisions, without Qt: which photos a batch checks, what each event changes, when a
batch stops for good, what a correction asks, and where export may go."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.matching import Gallery
from rws_desktop.core.kernel.consent import FaceConsent, Person
from rws_desktop.core.kernel.decisions import Action, Decision
from rws_desktop.core.kernel.permissions import NotAllowed
from rws_desktop.core.vetting.analysis import FaceReport, PhotoResult, RegisterSnapshot
from rws_desktop.core.vetting.events import BatchFinished, BatchStarted, PhotoAnalysed, PhotoFailed, PhotoStarted
from rws_desktop.core.vetting.safe_copy import SafeCopy, SafeCopyCache
from rws_desktop.ui.vetting.batch import Status
from rws_desktop.ui.vetting.presenter import LOADING_MODELS, VettingPresenter


@dataclass
class Told:
    """Questions answered by the test, and what the presenter explained."""

    reasons: list[str] = field(default_factory=list)
    confirm_answer: bool = True
    asked: list[str] = field(default_factory=list)
    explained: list[tuple[str, str]] = field(default_factory=list)

    def confirm(self, title, question):
        self.asked.append(title)
        return self.confirm_answer

    def explain(self, title, text):
        self.explained.append((title, text))

    def ask_reason(self, title, question):
        self.asked.append(title)
        return self.reasons.pop(0) if self.reasons else None


class FakeVetting:
    def __init__(self, ready=False):
        self.ready = ready
        self.batches: list[list[Path]] = []

    def workers_ready(self, channel_key):
        return self.ready

    def keep_workers(self, channel_key, start_now=True):
        pass

    def vet_batch(self, sources, channel_key, today, block_hidden, should_stop, register):
        self.batches.append(list(sources))
        return iter([BatchStarted(len(sources), not self.ready)])


class FakeReview:
    def __init__(self, refuse: bool = False):
        self.refuse = refuse
        self.safe_copies = SafeCopyCache()
        self.blurred: list[tuple[int, str]] = []

    def register_snapshot(self, channel_key, today):
        if self.refuse:
            raise NotAllowed("MSN may not vet for Geography Instagram")
        return RegisterSnapshot({1: Person(1, "Ada")}, {}, Gallery({}))

    def blur_face(self, review, channel_key, face, reason):
        self.blurred.append((face, reason))


def presenter(tmp_path, vetting=None, review=None, told=None) -> VettingPresenter:
    shown = VettingPresenter(vetting or FakeVetting(), review or FakeReview(), channels=None, questions=told or Told())
    shown.channel_key = "instagram"
    folder = tmp_path / "trip"
    folder.mkdir(exist_ok=True)
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        (folder / name).write_bytes(b"not read by the presenter")
    shown.add([folder])
    return shown


def face(action: Action) -> FaceReport:
    return FaceReport(Box(0, 0, 10, 10), 1 if action is Action.SHOWN else None, None, FaceConsent.GRANTED, action, "r")


def test_the_presenter_needs_no_qt():
    """Importing the presenter (in a fresh interpreter) pulls in no part of Qt, so it can be tested without it."""
    check = "import sys, rws_desktop.ui.vetting.presenter; print(any(m.startswith('PySide6') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_a_batch_takes_the_waiting_photos_and_says_the_models_are_loading(tmp_path):
    """The waiting photos become one batch; while the workers load the models the status says so plainly;
    a second request during the batch starts nothing; the register's names are kept for the labels."""
    vetting = FakeVetting(ready=False)
    shown = presenter(tmp_path, vetting)
    work = shown.next_batch()
    assert work.total == 3 and work.loading_models and shown.status_text == LOADING_MODELS
    assert shown.names == {1: "Ada"}
    assert shown.next_batch() is None
    list(work.run(lambda: False))
    assert [p.name for p in vetting.batches[0]] == ["a.jpg", "b.jpg", "c.jpg"]


def test_warm_workers_mean_no_loading_message(tmp_path):
    """With the workers already running the batch says it is checking, not loading."""
    shown = presenter(tmp_path, FakeVetting(ready=True))
    assert not shown.next_batch().loading_models and shown.status_text == "Checking…"


def test_a_refused_batch_is_explained_and_nothing_starts(tmp_path):
    """No right to vet the channel: said once, in the core's words, and no batch runs."""
    told = Told()
    shown = presenter(tmp_path, review=FakeReview(refuse=True), told=told)
    assert shown.next_batch() is None and not shown.checking
    assert told.explained == [("Not allowed", "MSN may not vet for Geography Instagram")]


def test_events_mark_photos_checking_then_checked_and_keep_each_safe_copy(tmp_path):
    """A photo started is shown as being checked; analysed, it gets its verdict and its safe copy is kept under
    the photo's state (for the preview and export); one that failed shows as an error with its reason."""
    review = FakeReview()
    shown = presenter(tmp_path, review=review)
    shown.next_batch()
    a, b, _c = shown.batch.items
    assert shown.apply(PhotoStarted(0)) == [a] and a.status is Status.CHECKING
    result = PhotoResult(a.path, Decision.REDACTED, "1 of 1 faces blurred", [face(Action.BLURRED)], source_sha256="abc")
    safe = SafeCopy(b"jpeg bytes")
    assert shown.apply(PhotoAnalysed(0, result, safe)) == [a]
    assert a.status is Status.REDACTED and review.safe_copies.get(a.review.state()) is safe
    shown.apply(PhotoFailed(1, PhotoResult(b.path, Decision.ERROR, "The worker process … stopped unexpectedly")))
    assert b.status is Status.ERROR and "stopped unexpectedly" in b.reason
    assert shown.done == 2


def test_a_batch_that_stopped_on_a_problem_is_explained_once_and_does_not_restart(tmp_path):
    """A worker died: the problem is explained once, photos being checked go back to waiting, and the
    presenter says not to start again; a batch that ended normally says to check whatever was added."""
    told = Told()
    shown = presenter(tmp_path, told=told)
    shown.next_batch()
    shown.apply(PhotoStarted(0))
    shown.apply(BatchFinished(0, 3, problem="A worker process stopped unexpectedly."))
    message, again = shown.batch_ended(cancelled=False)
    assert not again and message.startswith("Stopped") and "3 waiting" in message
    assert told.explained == [("Checking stopped", "A worker process stopped unexpectedly.")]
    assert all(item.status is Status.WAITING for item in shown.batch.items)
    shown.next_batch()
    message, again = shown.batch_ended(cancelled=False)
    assert again and message.startswith("Checked") and len(told.explained) == 1


def test_changing_channel_asks_only_when_corrections_would_be_lost(tmp_path):
    """Photos without corrections are checked again at once; with corrections the person is asked first."""
    told = Told(confirm_answer=False)
    shown = presenter(tmp_path, told=told)
    assert shown.channel_changed("whatsapp") and told.asked == []
    item = shown.batch.items[0]
    shown.batch.analysed(item, PhotoResult(item.path, Decision.APPROVED, "ok", [face(Action.SHOWN)]))
    item.review.corrections.append(object())
    assert not shown.channel_changed("instagram") and told.asked == ["Check again for the new channel?"]


def test_a_correction_needs_a_reason(tmp_path):
    """Without a reason nothing is asked of the core; with one the face is blurred and the message says so."""
    told, review = Told(), FakeReview()
    shown = presenter(tmp_path, review=review, told=told)
    item = shown.batch.items[0]
    shown.batch.analysed(item, PhotoResult(item.path, Decision.APPROVED, "ok", [face(Action.SHOWN)]))
    shown.select(item)
    shown.selected_face = 0
    assert shown.blur_selected_face() is None and review.blurred == []
    told.reasons.append("asked not to be posted")
    assert shown.blur_selected_face() == "Face 1 blurred; recorded in the audit log."
    assert review.blurred == [(0, "asked not to be posted")]


def test_export_is_refused_into_the_originals_folder(tmp_path):
    """Safe copies beside the originals are easily mistaken for them: that folder is refused, with why."""
    told = Told()
    shown = presenter(tmp_path, told=told)
    for item in shown.batch.items:
        shown.batch.analysed(item, PhotoResult(item.path, Decision.APPROVED, "ok"))
    assert not shown.export_folder_checked(tmp_path / "trip")
    assert told.explained[-1][0] == "Choose another folder"
    assert shown.export_folder_checked(tmp_path / "safe") and not shown.export_folder_checked(None)


def test_time_left_is_said_only_while_photos_remain():
    """The time left comes from the pace so far: none before the first result, "about N s" or "about N min" while
    photos remain, and nothing once all are done (never "5 of 5 photos checked — about 1 s left")."""
    from rws_desktop.ui.vetting.presenter import time_left

    assert time_left(3.0, 0, 5) == ""
    assert time_left(4.0, 2, 5) == "about 6 s left"
    assert time_left(40.0, 2, 8) == "about 2 min left"
    assert time_left(0.2, 4, 5) == "about 1 s left"
    assert time_left(10.0, 5, 5) == ""
