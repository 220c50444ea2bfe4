"""Long batches in the window: the UI thread keeps running, progress shows, and Cancel stops cleanly."""
from __future__ import annotations

import shutil
import time

from PySide6.QtCore import QTimer

from rws_desktop.ui.vetting.batch import Status

from vetting_window import drop

TICK_MS = 20
SOURCES = ["obama.jpg", "obama2.jpg", "obama_small.jpg", "two_people.jpg", "obama-240p.jpg", "lin-manuel-miranda.png", "obama_partial_face.jpg"]


def twenty_photos(testdata, folder):
    folder.mkdir()
    for n in range(20):
        source = testdata / "photos" / SOURCES[n % len(SOURCES)]
        shutil.copy(source, folder / f"photo{n:02}{source.suffix}")
    return folder


def test_ui_thread_keeps_running_while_twenty_photos_are_checked(qtbot, window, testdata, tmp_path):
    """A 20 ms timer on the UI thread keeps firing all through a 20-photo batch (never stalled for 0.5 s),
    and the progress bar ends at 20 of 20."""
    window, _answers = window
    workspace = window.vetting
    folder = twenty_photos(testdata, tmp_path / "trip")
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(TICK_MS)
    started = time.monotonic()
    with qtbot.waitSignal(workspace.batch_finished, timeout=300_000):
        drop(window, [folder])  # a folder: its photos are added
        assert workspace.progress.isVisible() and workspace.progress.maximum() == 20
    timer.stop()
    elapsed = time.monotonic() - started
    gaps = [later - earlier for earlier, later in zip(ticks, ticks[1:])]
    assert all(item.status in (Status.APPROVED, Status.REDACTED) for item in workspace.batch.items)
    assert workspace.progress.value() == 20
    assert elapsed > 2  # the batch really took a while, so the timer was tested
    assert max(gaps) < 0.5, f"UI thread stalled for {max(gaps):.2f} s"
    assert len(ticks) > elapsed / (TICK_MS / 1000) * 0.5


def test_cancel_stops_the_batch_and_leaves_the_rest_waiting(qtbot, window, testdata, tmp_path):
    """Cancel after the first result: the batch ends soon, what was checked keeps its verdict, the rest
    waits (nothing half-done), the progress bar goes away, and the status bar says so."""
    window, _answers = window
    workspace = window.vetting
    folder = twenty_photos(testdata, tmp_path / "trip")
    with qtbot.waitSignal(workspace.batch_finished, timeout=300_000):
        with qtbot.waitSignal(workspace.model.dataChanged, timeout=120_000,
                              check_params_cb=lambda *args: any(i.review for i in workspace.batch.items)):
            drop(window, [folder])
        workspace.cancel_button.click()
    statuses = [item.status for item in workspace.batch.items]
    checked = [s for s in statuses if s in (Status.APPROVED, Status.REDACTED)]
    assert 1 <= len(checked) < 20 and statuses.count(Status.WAITING) == 20 - len(checked)
    assert Status.CHECKING not in statuses and not workspace.progress.isVisible()
    assert window.statusBar().currentMessage().startswith("Cancelled")


def test_the_photo_on_show_says_it_is_being_checked_once_its_check_starts(qtbot, window, testdata, tmp_path):
    """The first photo added is the one on show; when its check starts, the photo area says it is being
    checked (it said "waiting to be checked" until then, and used to go on saying so until the verdict)."""
    window, _answers = window
    workspace = window.vetting
    folder = twenty_photos(testdata, tmp_path / "trip")
    shown: list[str] = []
    original = workspace.view.show_image
    workspace.view.show_image = lambda image, message="": (shown.append(message), original(image, message))[1]
    with qtbot.waitSignal(workspace.batch_finished, timeout=300_000):
        drop(window, [folder])
        qtbot.waitUntil(lambda: any(item.review for item in workspace.batch.items), timeout=120_000)
        workspace.cancel_button.click()
    first = workspace.batch.items[0].path.name
    assert f"{first}: being checked" in shown
    assert shown.index(f"{first}: being checked") > shown.index(f"{first}: waiting to be checked")
