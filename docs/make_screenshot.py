"""Makes docs/vetting-workspace.png: the Vet photos workspace on the shared test photos.

    uv run python docs/make_screenshot.py [--testdata ../shared/testdata] [--out docs/vetting-workspace.png]

It builds a throwaway register (Obama and Biden enrolled, consenting to every channel), opens the
real window offscreen on a 1366x768 screen, checks three photos for Instagram, selects the one
with a child in it, shows its safe version, and saves the window as a PNG. Nothing outside a temporary folder is changed.

The shared test photos must not be committed, not even inside a screenshot: the photo, its thumbnails and any face
thumbnail are pixelated before the PNG is written (docs/screen_tools.py), so the boxes, labels and panels show
what the workspace does while no face can be recognised.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={REPO / 'tests' / 'offscreen-1366x768.json'}")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from rws_desktop.app import App  # noqa: E402
from rws_desktop.core.kernel.consent import ALL_CHANNELS, ConsentStatus, PersonKind  # noqa: E402
from rws_desktop.core.kernel.ports import NewPerson  # noqa: E402
from rws_desktop.core.vetting.analysis import Action  # noqa: E402
from rws_desktop.keys import MemoryKeyStore  # noqa: E402
from rws_desktop.ui.main_window import MainWindow  # noqa: E402
from screen_tools import save_screenshot, settle  # noqa: E402

ENROLLED = {"Barack Obama": "obama", "Joe Biden": "biden"}
PHOTOS = ["obama_and_biden.jpg", "kit_with_rose.jpg", "obama1.jpg"]


PASSWORD = "screenshot password"


def sign_in_as_everyone(app: App) -> None:
    """MSN, the first admin, also given the office and comms roles, with the DPIA recorded."""
    app.sign_ins.create_first_admin("MSN", "Screenshot Head", PASSWORD)
    app.sign_in("MSN", PASSWORD)
    app.accounts.set_roles("MSN", ["admin", "office", "comms"])
    app.sign_in("MSN", PASSWORD)
    app.dpia.record("DPIA-EXAMPLE", date.today(), "Example DPO")


def build_register(app: App, testdata: Path) -> None:
    for name, folder in ENROLLED.items():
        person = app.register.add_person(NewPerson(name, PersonKind.STAFF))
        app.register.set_biometric_consent(person.id, date.today(), adult_consent=True)
        app.register.set_photo_consent(person.id, ALL_CHANNELS, ConsentStatus.GRANTED, date.today())
        photos = sorted((testdata / "photos/people/train" / folder).iterdir())
        app.register.enrol(person.id, photos, app.detector, app.encoder, date.today())


def wait_until(condition, timeout_s: float = 300) -> None:
    loop, waited = QEventLoop(), [0.0]

    def check():
        waited[0] += 0.05
        if condition() or waited[0] > timeout_s:
            loop.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(50)
    loop.exec()
    timer.stop()
    if not condition():
        raise SystemExit("timed out waiting for the window")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--testdata", type=Path, default=REPO.parent / "shared" / "testdata")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "vetting-workspace.png")
    args = parser.parse_args()
    if not (args.testdata / "photos").is_dir():
        print(f"The shared test photos are not at {args.testdata}; pass --testdata.", file=sys.stderr)
        return 1
    qt_app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as scratch:
        app = App.open(f"sqlite:///{Path(scratch) / 'rws.sqlite3'}", workers=2, key_store=MemoryKeyStore())
        sign_in_as_everyone(app)
        build_register(app, args.testdata)
        window = MainWindow(app, QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1366, 740)
        window.show()
        workspace = window.vetting
        workspace.channel.setCurrentIndex(workspace.channel.findData("instagram"))
        workspace.add_paths([args.testdata / "photos/people/test" / name for name in PHOTOS])
        wait_until(lambda: workspace.analysis is None and all(item.review for item in workspace.batch.items))
        workspace.select_next(-len(PHOTOS))  # the first photo
        wait_until(lambda: workspace._original is not None and workspace._safe is not None)
        child = next(i for i, face in enumerate(workspace.current.review.faces()) if face.action is Action.BLURRED)
        workspace.select_face(child)
        workspace.toggle_safe()  # the child's face appears blurred, as it would be published
        wait_until(lambda: workspace._safe is not None)
        settle(ms=800)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        save_screenshot(window, args.out)
        window.vetting.confirm = lambda *_: True
        window.close()
        app.close()
    print(f"Saved {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
