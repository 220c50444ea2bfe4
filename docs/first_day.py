"""Drives the first day's set-up through the window, with no command line, and saves screenshots into docs/.

    uv run python docs/first_day.py [--data /tmp/empty-folder] [--size 1366x768] [--out docs]

From an empty data folder: the setup assistant (the first admin, the DPIA, channel admins from the policy,
staff accounts, an MIS import of made-up pupils, the summary), then the main window signed in as the head,
one screenshot per workspace. Under Xvfb (DISPLAY set) it uses the real X server; otherwise Qt's offscreen
screen of the given size. Everything is typed into the real widgets and goes through the same services as
the command line, so every step is in the audit log. Only the data folder and the PNGs are written; the
reference-face key is kept in memory, never in this computer's keyring.

Not covered yet (issue 14's "Done when"): the office enrolling reference faces, comms vetting and exporting,
and the auditor verifying and exporting the PDF; those need the shared test photos and are left to a follow-up.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _platform(size: str) -> None:
    if os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
        return
    width, height = size.split("x")
    config = Path(tempfile.mkdtemp()) / "screen.json"
    config.write_text(f'{{"screens": [{{"name": "screen", "x": 0, "y": 0, "width": {width}, "height": {height}, '
                      f'"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}}]}}')
    os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={config}")


HEAD, HEAD_PASSWORD = "HT", "the head's first-day password"
STAFF = [("MSN", "Comms Example", "comms"), ("OFF", "Office Example", "office"), ("AUD", "Auditor Example", "auditor")]
MIS_EXPORT = ("UPN,Legal Surname,Legal Forename,Year,Reg Group,DOB,Photo Consent,Consent Date\n"
              "X1001,Example,Ada,Year 7,7A,01/02/2014,Yes,07/09/2026\n"
              "X1002,Sample,Ben,Year 8,8B,03/03/2013,No,07/09/2026\n"
              "X1003,Specimen,Cai,Year 9,9C,04/04/2012,,\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="an empty data folder (default: a new temporary one)")
    parser.add_argument("--size", default="1366x768", help="the screen size when no X display is set")
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="where the PNGs go")
    parser.add_argument("--prefix", default="first-day", help="the PNGs' names start with this")
    parser.add_argument("--dialogs", action="store_true", help="also save the admin dialogs, the guide and the picker")
    parser.add_argument("--pause", type=int, default=0, help="seconds to keep each screen up (to look at it by hand)")
    args = parser.parse_args(argv)
    data = args.data or Path(tempfile.mkdtemp(prefix="rws-first-day-"))
    if data.exists() and any(data.iterdir()):
        parser.error(f"{data} is not empty: the first day starts from an empty data folder")
    os.environ["RWS_DATA_DIR"] = str(data)
    _platform(args.size)

    from PySide6.QtCore import QDate, QSettings
    from PySide6.QtWidgets import QApplication

    from rws_desktop.app import App
    from rws_desktop.core.kernel.permissions import Role
    from rws_desktop.ui.admin.setup_assistant import SetupAssistant
    from rws_desktop.ui.main_window import MainWindow

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    args.out.mkdir(parents=True, exist_ok=True)
    from rws_desktop.keys import MemoryKeyStore

    app = App.open(key_store=MemoryKeyStore())  # never this PC's real keyring
    shots: list[Path] = []

    def settle(busy=lambda: False, ms: int = 300) -> None:
        """Let the window work and paint: until `busy()` is false (at most a minute), then `ms` more."""
        import time

        from PySide6.QtTest import QTest

        give_up = time.monotonic() + 60
        while busy() and time.monotonic() < give_up:
            QTest.qWait(50)
        QTest.qWait(ms + args.pause * 1000)

    def shoot(widget, name: str) -> None:
        path = args.out / f"{args.prefix}-{name}.png"
        widget.grab().save(str(path))
        shots.append(path)

    assistant = SetupAssistant(app)
    assistant.show()
    settle()
    page = assistant.first_admin
    page.initials.setText(HEAD)
    page.name.setText("Head Example")
    page.password.setText(HEAD_PASSWORD)
    page.again.setText(HEAD_PASSWORD)
    page.roles.boxes[Role.OFFICE].setChecked(True)
    shoot(assistant, "1-first-admin")
    assistant.next()
    settle(lambda: assistant.busy)
    assistant.dpia.form.reference.setText("DPIA-2026-01")
    assistant.dpia.form.assessed_on.setDate(QDate.currentDate().addDays(-30))
    assistant.dpia.form.dpo.setText("DPO Example")
    shoot(assistant, "2-dpia")
    assistant.next()
    settle(lambda: assistant.busy)
    shoot(assistant, "3-channel-admins")
    assistant.next()
    settle(lambda: assistant.busy)
    staff = assistant.staff
    for initials, name, role in STAFF:
        staff.form.initials.setText(initials)
        staff.form.name.setText(name)
        staff.form.roles.set_roles({Role(role)})
        staff.add_button.click()
        settle(lambda: assistant.busy)
    shoot(assistant, "4-staff")
    assistant.next()
    settle(lambda: assistant.busy)
    export = data / "mis-export.csv"
    export.write_text(MIS_EXPORT, encoding="utf-8")
    assistant.mis.ask_mis_file = lambda: export
    assistant.mis.choose.click()
    settle(lambda: assistant.busy)
    dialog = assistant.mis.dialog
    shoot(dialog, "5-mis-preview")
    dialog.do_import.click()
    settle(lambda: assistant.busy)
    dialog.close()
    shoot(assistant, "5-mis")
    assistant.next()
    settle(lambda: assistant.busy)
    shoot(assistant, "6-summary")
    assistant.accept()
    settle()

    window = MainWindow(app, QSettings(str(data / "settings.ini"), QSettings.Format.IniFormat))
    window.show()
    settle(lambda: window.admin is not None and window.admin.busy, 800)
    for index in range(window.tabs.count()):
        if window.tabs.isTabEnabled(index):
            window.tabs.setCurrentIndex(index)
            workspace = window.tabs.widget(index)
            settle(lambda: bool(getattr(workspace, "busy", False)), 800)
            shoot(window, f"7-{window.tabs.tabText(index).lower().replace(' ', '-')}")
    if args.dialogs:
        from rws_desktop.ui.admin.dialogs import ChangeMyPasswordDialog, NewAccountDialog, PassphraseDialog
        from rws_desktop.ui.help.guide import GuideDialog
        from rws_desktop.ui.people_picker import PersonPickerDialog, people_source

        window.admin.sections.setCurrentIndex(1)
        settle(ms=500)
        shoot(window, "8-admin-accounts")
        for name, dialog in (("guide", GuideDialog("vetting", window)), ("new-account", NewAccountDialog(window)),
                             ("passphrase", PassphraseDialog(True, window)),
                             ("change-password", ChangeMyPasswordDialog(app, window)),
                             ("person-picker", PersonPickerDialog(people_source(app), parent=window))):
            dialog.show()
            settle(lambda: bool(getattr(getattr(dialog, "picker", None), "busy", False)), 500)
            if name == "person-picker":
                dialog.picker.search.setText("example")
                settle(ms=300)
            shoot(dialog, f"9-{name}")
            dialog.close()
    window.close()
    app.close()
    for path in shots:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
