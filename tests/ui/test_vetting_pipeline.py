"""The window and `rws vet` travel one road: the same safe copy byte for byte, each photo state redacted
once, warm workers, and a worker that dies ending the batch without a restart."""
from __future__ import annotations

import time

from PIL import Image

from rws_desktop.core.vetting import review_service
from rws_desktop.core.vetting.analysis import Action
from rws_desktop.core.vetting.batch import AnalysisSettings, WORKER_DIED
from rws_desktop.ui.vetting.batch import Status
from rws_desktop.ui.vetting.presenter import LOADING_MODELS

from rws_cli import rws
from vetting_window import drop, open_window
from worker_doubles import DYING_SIDE, faceless_analyser

BATCH_TIMEOUT_MS = 180_000


def counting_safe_copies(monkeypatch) -> list:
    """Counts the safe copies made in the window's own process (worker processes are counted apart)."""
    made = []
    real = review_service.make_safe_copy

    def counted(photo, faces, areas=()):
        made.append(photo.sha256)
        return real(photo, faces, areas)

    monkeypatch.setattr(review_service, "make_safe_copy", counted)
    return made


def test_the_window_exports_rws_vets_bytes_and_redacts_each_state_once(qtbot, window, register, testdata, tmp_path,
                                                                       monkeypatch):
    """Checked in the window, previewed and exported, a photo is byte for byte what `rws vet` writes for the same
    register and channel. The window makes no safe copy of its own for a photo as checked (the worker's is
    reused by the preview and the export); a correction is a new state, made once for the preview and reused
    by the export."""
    window, answers = window
    db, _ids = register
    workspace = window.vetting
    made = counting_safe_copies(monkeypatch)
    workspace.channel.setCurrentIndex(workspace.channel.findData("instagram"))
    photos = testdata / "photos/people/test"
    with qtbot.waitSignal(workspace.batch_finished, timeout=BATCH_TIMEOUT_MS):
        drop(window, [photos / "obama_and_biden.jpg", photos / "kit_with_rose.jpg"])
    for item in workspace.batch.items:  # preview each as checked: shown from the worker's safe copy
        workspace.photos.setCurrentIndex(workspace.model.index(workspace.batch.row_of(item)))
        qtbot.waitUntil(lambda: workspace._safe is not None, timeout=20_000)
    assert made == []

    corrected = next(item for item in workspace.batch.items if item.path.name == "obama_and_biden.jpg")
    workspace.photos.setCurrentIndex(workspace.model.index(workspace.batch.row_of(corrected)))
    qtbot.waitUntil(lambda: workspace._safe is not None, timeout=20_000)
    workspace.select_face(next(i for i, f in enumerate(corrected.review.faces()) if f.action is Action.SHOWN))
    answers.reasons.append("asked not to be posted today")
    workspace._safe = None
    workspace.details.blur_face.click()
    qtbot.waitUntil(lambda: workspace._safe is not None, timeout=20_000)
    assert len(made) == 1  # the corrected state, for the preview

    answers.export_folder = tmp_path / "window"
    with qtbot.waitSignal(workspace.export_finished, timeout=60_000):
        window.export_action.trigger()
    assert len(made) == 1  # export reused both safe copies
    assert rws(db, "vet", photos / "kit_with_rose.jpg", photos / "obama_and_biden.jpg", "--channel", "instagram",
               "--out", tmp_path / "cli", "--workers", 2) == 0
    uncorrected = "kit_with_rose (safe).jpg"  # the window and `rws vet` name safe copies by the same rule
    assert (tmp_path / "window" / uncorrected).read_bytes() == (tmp_path / "cli" / uncorrected).read_bytes()
    # The corrected one differs from the command line's exactly by the face blurred by hand.
    corrected = "obama_and_biden (safe).jpg"
    assert (tmp_path / "window" / corrected).read_bytes() != (tmp_path / "cli" / corrected).read_bytes()


def test_a_worker_that_dies_marks_its_photos_as_errors_and_the_window_does_not_restart(qtbot, window, tmp_path):
    """A worker dies on the third photo: photos checked before keep their verdicts, the ones in flight are errors
    with a plain reason, the person is told once, the batch ends, and nothing starts again by itself (no dialog
    coming back every few seconds)."""
    window, answers = window
    workspace = window.vetting
    workspace.app.vetting.workers.settings = AnalysisSettings(build_analyser=faceless_analyser)
    # One worker, so a.png is answered before c_dies.png is handed out whatever the machine's load (with two,
    # the other worker could take c_dies.png and die while a.png is still in flight).
    workspace.app.vetting.workers.workers = 1
    folder = tmp_path / "trip"
    folder.mkdir()
    for name, side in (("a.png", 64), ("b.png", 64), ("c_dies.png", DYING_SIDE), ("d.png", 64), ("e.png", 64),
                       ("f.png", 64), ("g.png", 64), ("h.png", 64)):
        Image.new("RGB", (side, side), "white").save(folder / name)
    with qtbot.waitSignal(workspace.batch_finished, timeout=BATCH_TIMEOUT_MS):
        drop(window, [folder])
    statuses = {item.path.name: item for item in workspace.batch.items}
    assert statuses["a.png"].status is Status.APPROVED  # handed out and answered before the worker died
    assert statuses["c_dies.png"].status is Status.ERROR and statuses["c_dies.png"].reason == WORKER_DIED
    assert {item.status for item in statuses.values()} <= {Status.APPROVED, Status.ERROR, Status.WAITING}
    assert all(item.reason == WORKER_DIED for item in statuses.values() if item.status is Status.ERROR)
    assert statuses["h.png"].status is Status.WAITING
    assert [title for title, _text in answers.told] == ["Checking stopped"]
    assert window.statusBar().currentMessage().startswith("Stopped")
    qtbot.wait(4_000)  # the old window restarted the batch here, and the dialog came back
    assert workspace.analysis is None and len(answers.told) == 1
    assert not workspace.app.vetting.workers.started
    assert statuses["h.png"].status is Status.WAITING


def test_workers_start_after_sign_in_and_stop_on_quit(qtbot, register, settings, testdata):
    """The real window starts its worker processes in the background after sign-in, saying the face models are
    loading; a batch then finds them ready (no loading message), and quitting stops them."""
    db, _ids = register
    window, _answers = open_window(qtbot, db, settings, warm_workers=True)
    workspace = window.vetting
    assert window.statusBar().currentMessage() == LOADING_MODELS
    qtbot.waitUntil(lambda: workspace.app.vetting.workers.started, timeout=BATCH_TIMEOUT_MS)
    processes = list(workspace.app.vetting.workers._pool._processes.values())
    assert processes and all(p.is_alive() for p in processes)
    labels = []
    with qtbot.waitSignal(workspace.batch_finished, timeout=BATCH_TIMEOUT_MS):
        drop(window, [testdata / "photos/people/test/kit_with_rose.jpg"])
        labels.append(workspace.time_left.text())
    assert labels == ["Checking…"]
    assert workspace.batch.items[0].status is Status.APPROVED
    window.close()
    window.app.close()
    deadline = time.monotonic() + 20
    while any(p.is_alive() for p in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(p.is_alive() for p in processes)


def test_a_cold_start_says_the_face_models_are_loading(qtbot, window, testdata):
    """Without warm workers, the first batch says plainly that the face models are loading, not a bare
    "Starting…"."""
    window, _answers = window
    workspace = window.vetting
    with qtbot.waitSignal(workspace.batch_finished, timeout=BATCH_TIMEOUT_MS):
        drop(window, [testdata / "photos/people/test/kit_with_rose.jpg"])
        assert workspace.time_left.text() == LOADING_MODELS
