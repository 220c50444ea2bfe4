"""The Consent register's people table with 2,000 made-up pupils, offscreen: load and scroll timings.

    uv run python bench/register_table.py [--pupils 2000]

Imports a SIMS-style export of made-up pupils (the one bench/import_pupils.py writes) into a new SQLite
database in a temporary folder, opens the real register workspace on it (offscreen, 1366x700) and prints:
the seconds from asking for the people to the table holding them (the snapshot read off the UI thread,
then filtered, sorted and shown); the time to paint the table page by page from top to bottom, and in
steps of three rows as a mouse wheel scrolls; and the time to switch the consent column to a channel,
sort by consent, and narrow the table on each keystroke of a name, each with the repaint that follows.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

from PySide6.QtCore import QEventLoop, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from import_pupils import TODAY, write_export  # noqa: E402
from rws_desktop.app import App  # noqa: E402
from rws_desktop.core.register.mis_csv import read_csv  # noqa: E402
from rws_desktop.ui.register.people_model import CONSENT_COLUMN  # noqa: E402
from rws_desktop.ui.register.workspace import RegisterWorkspace  # noqa: E402
from rws_desktop.ui.dialog_questions import DialogQuestions  # noqa: E402
from rws_desktop.ui.tasks import Jobs  # noqa: E402

WHEEL_ROWS = 3  # rows a mouse wheel notch scrolls by default


def settle(qt_app: QApplication, workspace: RegisterWorkspace) -> None:
    while workspace.busy:
        qt_app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    qt_app.processEvents()


def paint(workspace: RegisterWorkspace) -> float:
    """Seconds to lay out and paint the table's visible rows now."""
    start = time.perf_counter()
    workspace.table.viewport().repaint()
    return time.perf_counter() - start


def scroll_through(workspace: RegisterWorkspace, step: int) -> list[float]:
    """Paint frame by frame from the top to the bottom, `step` scroll-bar units (rows) at a time."""
    bar = workspace.table.verticalScrollBar()
    frames = []
    for value in range(0, bar.maximum() + step, step):
        start = time.perf_counter()
        bar.setValue(min(value, bar.maximum()))
        workspace.table.viewport().repaint()
        frames.append(time.perf_counter() - start)
    return frames


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rws-table-bench-"))
    export = folder / "sims-export.csv"
    write_export(export, args.pupils)
    app = App.open(f"sqlite:///{folder / 'rws.sqlite3'}", user="bench", workers=1)
    app.mis_import.import_table(read_csv(export.read_bytes()), None, TODAY)

    qt_app = QApplication.instance() or QApplication([])
    tasks = Jobs()
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    workspace = RegisterWorkspace(app, settings, tasks, DialogQuestions(None))
    workspace.today = lambda: TODAY
    workspace.resize(1366, 700)
    workspace.show()
    settle(qt_app, workspace)

    start = time.perf_counter()
    workspace.reload()
    settle(qt_app, workspace)
    loaded_s = time.perf_counter() - start
    first_paint_s = paint(workspace)
    rows, visible = workspace.model.rowCount(), workspace.table.verticalScrollBar().pageStep()
    print(f"{args.pupils} made-up pupils; table {workspace.table.width()}x{workspace.table.height()} px, "
          f"{visible} rows a page; platform {qt_app.platformName()}")
    print(f"load: {loaded_s * 1000:.0f} ms from asking for the people to {rows} rows in the table; "
          f"first paint {first_paint_s * 1000:.1f} ms")

    for label, step in (("page by page", visible), (f"{WHEEL_ROWS} rows a frame (mouse wheel)", WHEEL_ROWS)):
        frames = scroll_through(workspace, step)
        print(f"scroll {label}: {len(frames)} frames, {sum(frames) * 1000:.0f} ms in all; per frame median "
              f"{statistics.median(frames) * 1000:.2f} ms, worst {max(frames) * 1000:.2f} ms")

    channel_s = timed(lambda: workspace.filters.choose_channel("instagram")) + paint(workspace)
    sort_s = timed(lambda: workspace.table.sortByColumn(CONSENT_COLUMN, Qt.SortOrder.AscendingOrder)) + paint(workspace)
    typed = "ada ashby"
    keystrokes = []
    for length in range(1, len(typed) + 1):
        keystrokes.append(timed(lambda text=typed[:length]: workspace.search.setText(text)) + paint(workspace))
    print(f"consent column for a channel: {channel_s * 1000:.0f} ms; sort {rows} rows by consent: "
          f"{sort_s * 1000:.0f} ms; typing '{typed}': median {statistics.median(keystrokes) * 1000:.1f} ms, "
          f"worst {max(keystrokes) * 1000:.1f} ms a keystroke ({workspace.model.rowCount()} rows left)")
    workspace.close()
    tasks.wait()
    app.close()


if __name__ == "__main__":
    main()
