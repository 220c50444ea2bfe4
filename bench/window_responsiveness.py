"""How responsive the window stays while it checks a batch.

    uv run python bench/window_responsiveness.py [--photos 20] [--workers 2] [--collages] [--warm]

Opens the real main window offscreen on a throwaway register, drops a folder of shared test photos
on it, and while they are checked runs a 20 ms timer on the UI thread. Prints the batch time, the
time to the first photo's result, how many timer ticks arrived against how many were due, and the
longest gap between two ticks (the longest the window could not react), plus the machine's load average.
--collages drops 12 MP collages (as bench/batch_speed.py builds them) instead of the shared photos;
--warm waits until the window's workers have loaded their models before dropping them, as for someone
who signed in a while ago (the first-result target: within 5 s of pressing go on a warm machine).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={REPO / 'tests' / 'offscreen-1366x768.json'}")

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from rws_desktop.app import App  # noqa: E402
from rws_desktop.cli import main as rws_main  # noqa: E402
from rws_desktop.ui.main_window import MainWindow  # noqa: E402

TESTDATA = Path(os.environ.get("RWS_TESTDATA", REPO.parent / "shared" / "testdata"))
SOURCES = ["obama.jpg", "obama2.jpg", "obama_small.jpg", "two_people.jpg", "obama-240p.jpg",
           "lin-manuel-miranda.png", "obama_partial_face.jpg", "obama3.jpg", "biden.jpg", "obama-1080p.jpg"]
TICK_MS = 20
PASSWORD = "a long bench password 123"


class QuitAnyway:
    """The only question the bench meets: closing the window with photos checked and not exported."""

    def confirm(self, title: str, question: str) -> bool:
        return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--collages", action="store_true", help="12 MP collages instead of the shared photos")
    parser.add_argument("--warm", action="store_true", help="wait for the workers to load their models first")
    args = parser.parse_args()
    if not (TESTDATA / "photos").is_dir():
        print(f"The shared test photos are not at {TESTDATA} (set RWS_TESTDATA).", file=sys.stderr)
        return 1
    qt_app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "trip"
        folder.mkdir()
        if args.collages:
            sys.path.insert(0, str(REPO / "bench"))
            from batch_speed import build_batch

            build_batch(args.photos, folder)
        for n in range(0 if args.collages else args.photos):
            source = TESTDATA / "photos" / SOURCES[n % len(SOURCES)]
            shutil.copy(source, folder / f"photo{n:03}{source.suffix}")
        url = f"sqlite:///{Path(scratch) / 'rws.sqlite3'}"
        os.environ.update(RWS_DATA_DIR=str(Path(scratch) / "data"), RWS_NEW_PASSWORD=PASSWORD, RWS_PASSWORD=PASSWORD)
        with contextlib.redirect_stdout(io.StringIO()):
            assert rws_main(["--db", url, "init", "--admin", "BEN", "--name", "Bench Person"]) == 0
            assert rws_main(["--db", url, "--user", "BEN", "user", "roles", "BEN", "--role", "admin", "--role", "comms"]) == 0
        app = App.open(url, workers=args.workers)
        app.sign_in("BEN", PASSWORD)
        window = MainWindow(app, QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat),
                            questions=QuitAnyway())
        window.show()
        if args.warm:
            waited = time.monotonic()
            while not app.vetting.workers.started and time.monotonic() - waited < 120:
                qt_app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
                time.sleep(0.05)
            print(f"workers warm after {time.monotonic() - waited:.1f} s")
        ticks: list[float] = []
        first: list[float] = []  # when the first photo's result was shown

        def tick() -> None:
            ticks.append(time.monotonic())
            if not first and window.vetting.presenter.done:
                first.append(ticks[-1])
        timer = QTimer()
        timer.timeout.connect(tick)
        loop = QEventLoop()
        window.vetting.batch_finished.connect(loop.quit)
        timer.start(TICK_MS)
        started = time.monotonic()
        window.vetting.add_paths([folder])
        loop.exec()
        elapsed = time.monotonic() - started
        timer.stop()
        gaps = [b - a for a, b in zip(ticks, ticks[1:])]
        window.close()
        app.close()
    first_result = f"first result after {first[0] - started:.1f} s" if first else "no result shown"
    print(f"photos {args.photos}, workers {args.workers}, batch {elapsed:.1f} s, {first_result}")
    print(f"timer ticks {len(ticks)} of {elapsed / (TICK_MS / 1000):.0f} due; longest gap {max(gaps) * 1000:.0f} ms")
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
