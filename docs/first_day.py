"""Drives a school's whole first day through the window, with no command line, and saves a screenshot of each screen.

    uv run python docs/first_day.py [--data /tmp/empty-folder] [--size 1366x768] [--out docs]

Under Xvfb (`Xvfb :99 -screen 0 1366x768x24 &` then `DISPLAY=:99 uv run python docs/first_day.py`) it uses the real X
server and fills its screen; with no DISPLAY, Qt's offscreen screen of --size. From an empty data folder:

1. the setup assistant: the head (HT) becomes the first admin; the DPIA; the channel admins from the policy (MSN for
   RWS Instagram); staff accounts MSN (comms), OFF (office) and AUD (auditor), whose temporary passwords are read
   off the screen; the MIS step is skipped (the head has no office role); the summary. Then the Admin workspace;
2. OFF signs in with the temporary password and chooses their own, imports made-up pupils from an MIS export,
   adds Kit Harington and Barack Obama as staff with photo consent (Kit for RWS Instagram only, Obama for every
   channel) and their own biometric consent, and adds their reference faces from the shared test photos;
3. MSN vets four of the shared test photos for RWS Instagram, blurs Kit's face in one of them with a typed reason,
   and exports the safe copies through the export dialog into a folder inside the data folder;
4. AUD verifies the audit log and writes the governors' PDF into the data folder;
each person signing out (File > Sign out / Switch user) before the next signs in.

Everything is typed into the real widgets and dialogs (sign-in, passwords, reasons, the export folder) and goes
through the same services as the command line, so every step is in the audit log. Only the system's own file
pickers are answered by the script (the MIS export, the reference photos, the photos to vet, the PDF's name).
The reference-face key is kept in memory, never in this computer's keyring; only the data folder and the PNGs are
written.

The screenshots in docs/ come from a run under Xvfb at 1366x768.

The reference and vetted photos are the shared test photos (RWS_TESTDATA, else ../shared/testdata; the script
refuses without them). They must not be committed, not even inside a screenshot: every PNG is saved with the
photo canvas, the photo thumbnails and the reference-face thumbnails heavily pixelated (docs/screen_tools.py).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from datetime import date
from pathlib import Path

from screen_tools import REPO, DialogHand, find_testdata, save_screenshot, settle, type_into, use_screen


HEAD, HEAD_PASSWORD = "HT", "the head's first-day password"
STAFF = [("MSN", "Comms Example", "comms"), ("OFF", "Office Example", "office"), ("AUD", "Auditor Example", "auditor")]
OWN_PASSWORD = "{initials}'s own first-day password"
MIS_EXPORT = ("UPN,Legal Surname,Legal Forename,Year,Reg Group,DOB,Photo Consent,Consent Date\n"
              "X1001,Example,Ada,Year 7,7A,01/02/2014,Yes,07/09/2026\n"
              "X1002,Sample,Ben,Year 8,8B,03/03/2013,No,07/09/2026\n"
              "X1003,Specimen,Cai,Year 9,9C,04/04/2012,,\n")
# Who the office enrols, from the shared test photos: (name, training folder, channel granted, given by).
ENROLLED = [("Kit Harington", "kit_harington", "instagram", "Himself, on the staff photo form"),
            ("Barack Obama", "obama", "all", "Himself, on the staff photo form")]
TO_VET = ["johnsnow_test1.jpg", "kit_with_rose.jpg", "obama_and_biden.jpg", "obama1.jpg"]
CHANNEL = "instagram"
BLUR_REASON = "Kit asked not to appear in this one"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="an empty data folder (default: a new temporary one)")
    parser.add_argument("--size", default="1366x768", help="the screen size when no X display is set")
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="where the PNGs go")
    parser.add_argument("--prefix", default="first-day", help="the PNGs' names start with this")
    parser.add_argument("--pause", type=int, default=0, help="seconds to keep each screen up (to look at it by hand)")
    args = parser.parse_args(argv)
    testdata = find_testdata()
    if testdata is None:
        print("The shared test photos are not here: set RWS_TESTDATA to the testdata folder, or put it at "
              f"{REPO.parent / 'shared' / 'testdata'}. The first day needs them for reference faces and photos to vet.",
              file=sys.stderr)
        return 2
    data = args.data or Path(tempfile.mkdtemp(prefix="rws-first-day-"))
    if data.exists() and any(data.iterdir()):
        parser.error(f"{data} is not empty: the first day starts from an empty data folder")
    data.mkdir(parents=True, exist_ok=True)
    os.environ["RWS_DATA_DIR"] = str(data)
    use_screen(args.size)
    day = FirstDay(data, testdata, args)
    try:
        day.run()
    finally:
        day.app.close()
    for path in day.shots:
        print(path)
    print(f"{len(day.hand.told)} message(s) answered; the data folder is {data}")
    return 0


class FirstDay:
    def __init__(self, data: Path, testdata: Path, args):
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from rws_desktop.app import App
        from rws_desktop.keys import MemoryKeyStore

        self.qt_app = QApplication.instance() or QApplication(sys.argv[:1])
        self.data, self.testdata, self.args = data, testdata, args
        self.out: Path = args.out
        self.out.mkdir(parents=True, exist_ok=True)
        self.app = App.open(key_store=MemoryKeyStore())  # never this PC's real keyring
        self.settings = QSettings(str(data / "settings.ini"), QSettings.Format.IniFormat)
        self.hand = DialogHand()
        self.passwords: dict[str, str] = {}
        self.picks: list = []  # what the system's file pickers return, in order
        self.shots: list[Path] = []

    def wait(self, busy=lambda: False, ms: int = 300) -> None:
        settle(busy, ms + self.args.pause * 1000)

    def shoot(self, widget, name: str) -> None:
        self.wait(ms=200)
        self.shots.append(save_screenshot(widget, self.out / f"{self.args.prefix}-{name}.png"))

    def run(self) -> None:
        self.setup_assistant()
        window = self.open_window()
        self.admin_day(window)
        self.sign_out(window)
        window = self.sign_in("OFF")
        self.office_day(window)
        self.sign_out(window)
        window = self.sign_in("MSN")
        self.comms_day(window)
        self.sign_out(window)
        window = self.sign_in("AUD")
        self.auditor_day(window)
        window.close()

    # The setup assistant

    def setup_assistant(self) -> None:
        from PySide6.QtCore import QDate

        from rws_desktop.core.kernel.permissions import Role
        from rws_desktop.ui.admin.setup_assistant import SetupAssistant

        assistant = SetupAssistant(self.app, settings=self.settings)
        assistant.show()
        self.wait()
        page = assistant.first_admin
        type_into(page.initials, HEAD)
        type_into(page.name, "Head Example")
        type_into(page.password, HEAD_PASSWORD)
        type_into(page.again, HEAD_PASSWORD)
        self.shoot(assistant, "setup-1-first-admin")
        assistant.next()
        self.wait(lambda: assistant.busy)
        form = assistant.dpia.form
        type_into(form.reference, "DPIA-2026-01")
        form.assessed_on.setDate(QDate.currentDate().addDays(-30))
        type_into(form.dpo, "DPO Example")
        self.shoot(assistant, "setup-2-dpia")
        assistant.next()
        self.wait(lambda: assistant.busy)
        self.shoot(assistant, "setup-3-channel-admins")
        assistant.next()
        self.wait(lambda: assistant.busy)
        staff = assistant.staff
        for initials, name, role in STAFF:
            type_into(staff.form.initials, initials)
            type_into(staff.form.name, name)
            staff.form.roles.set_roles({Role(role)})
            staff.add_button.click()
            self.wait(lambda: assistant.busy)
        # Read each temporary password off the page, as the head would write them down.
        for initials, password in re.findall(r"(\w+) \([^)]*\): temporary password <b>([^<]+)</b>", staff.added.text()):
            self.passwords[initials] = password
        assert set(self.passwords) == {initials for initials, _name, _role in STAFF}, staff.added.text()
        self.shoot(assistant, "setup-4-staff")
        assistant.next()
        self.wait(lambda: assistant.busy)
        self.shoot(assistant, "setup-5-mis")  # the head has no office role: the office imports it later
        assistant.skip()
        self.wait(lambda: assistant.busy)
        self.shoot(assistant, "setup-6-summary")
        assistant.accept()
        self.wait()
        assert self.app.session is not None and self.app.user == HEAD

    # Signing in and out, as File > Sign out / Switch user and the start of the app do

    def open_window(self):
        from rws_desktop.ui.dialog_questions import DialogQuestions
        from rws_desktop.ui.main import warm_workers_for
        from rws_desktop.ui.main_window import MainWindow

        day = self

        class PickedFiles(DialogQuestions):
            """The window's real dialogs, but the system's file pickers answered by the script."""

            def open_files(self, title, folder, file_filter):
                return day.picks.pop(0)

            def open_file(self, title, folder, file_filter):
                return day.picks.pop(0)

            def save_file(self, title, suggested, file_filter):
                return day.picks.pop(0)

            def folder(self, title, start):
                return day.picks.pop(0)

        warm_workers_for(self.app)
        questions = PickedFiles(None)
        window = MainWindow(self.app, self.settings, questions)
        questions.parent = window
        window.setGeometry(self.qt_app.primaryScreen().availableGeometry())
        window.show()
        self.wait(ms=800)
        return window

    def sign_in(self, initials: str):
        from rws_desktop.ui.sign_in import sign_in_at_start

        temporary, own = self.passwords[initials], OWN_PASSWORD.format(initials=initials)

        def sign_in_dialog(dialog) -> None:
            type_into(dialog.initials, initials)
            type_into(dialog.password, temporary)
            self.shoot(dialog, f"sign-in-{initials.lower()}") if initials == "OFF" else None
            dialog.ok.click()

        def own_password(dialog) -> None:
            type_into(dialog.password, own)
            type_into(dialog.again, own)
            dialog.ok.click()

        self.hand.expect(sign_in_dialog)
        self.hand.expect(own_password)
        assert sign_in_at_start(self.app), f"{initials} could not sign in"
        assert self.app.user == initials and not self.app.signed_in().must_change_password
        self.passwords[initials] = own
        return self.open_window()

    def sign_out(self, window) -> None:
        window.sign_out_action.trigger()
        self.wait()
        assert window.signed_out and self.app.session is None, "sign out did not happen"

    def tab(self, window, workspace) -> None:
        window.tabs.setCurrentWidget(workspace)
        self.wait(lambda: bool(getattr(workspace, "busy", False)), 600)

    # The head: the Admin workspace

    def admin_day(self, window) -> None:
        admin = window.admin
        self.tab(window, admin)
        self.wait(lambda: admin.busy, 600)
        self.shoot(window, "admin-overview")
        admin.sections.setCurrentIndex(1)
        self.wait(lambda: admin.busy, 400)
        self.shoot(window, "admin-accounts")

    # The office: the MIS import, two staff with consent and reference faces

    def office_day(self, window) -> None:
        register = window.register
        self.tab(window, register)
        export = self.data / "mis-export.csv"
        export.write_text(MIS_EXPORT, encoding="utf-8")
        self.picks.append(export)
        register.import_button.click()
        self.wait(lambda: register.busy or "import" not in register.dialogs, 500)
        dialog = register.dialogs["import"]
        self.wait(lambda: register.busy or not dialog.do_import.isEnabled(), 500)
        self.shoot(dialog, "register-mis-preview")
        dialog.do_import.click()
        self.wait(lambda: register.busy, 500)
        dialog.close()
        for name, folder, channel, given_by in ENROLLED:
            self.add_enrolled(register, name, folder, channel, given_by)
        self.wait(lambda: register.busy, 800)
        register.panel.tabs.setCurrentIndex(0)
        self.shoot(window, "register-consent")
        register.panel.tabs.setCurrentIndex(1)
        self.shoot(window, "register-recognition")

    def add_enrolled(self, register, name: str, folder: str, channel: str, given_by: str) -> None:
        from rws_desktop.core.kernel.consent import ConsentStatus

        panel = register.panel
        register.add_button.click()
        type_into(panel.form.name, name)
        panel.form.kind.setCurrentIndex(panel.form.kind.findData("staff"))
        panel.save_details.click()
        self.wait(lambda: register.busy, 400)
        assert panel.details is not None and panel.details.person.name == name, panel.details_error.text()
        panel.tabs.setCurrentIndex(0)
        consent = panel.consent
        consent.choose_channel(channel)
        consent.status.setCurrentIndex(consent.status.findData(ConsentStatus.GRANTED.value))
        type_into(consent.given_by, given_by)
        consent.save.click()
        self.wait(lambda: register.busy, 400)
        panel.tabs.setCurrentIndex(1)
        answer = panel.biometric.answers["adult_consent"]
        answer.setCurrentIndex(answer.findData(True))
        panel.biometric.save.click()
        self.wait(lambda: register.busy, 400)
        assert panel.faces.add.isEnabled(), panel.faces.add.toolTip()
        self.picks.append(sorted((self.testdata / "photos" / "people" / "train" / folder).iterdir()))
        panel.faces.add.click()
        self.wait(lambda: register.busy, 600)
        assert panel.details.reference_faces, panel.faces.status.text()

    # Comms: vet, correct with a typed reason, export

    def comms_day(self, window) -> None:
        vetting = window.vetting
        self.tab(window, vetting)
        vetting.channel.setCurrentIndex(vetting.channel.findData(CHANNEL))
        self.picks.append([self.testdata / "photos" / "people" / "test" / name for name in TO_VET])
        vetting.add_button.click()
        self.wait(lambda: vetting.analysis is not None or any(i.outcome is None for i in vetting.batch.items), 800)
        row = next(r for r, item in enumerate(vetting.batch.items) if item.path.name == "kit_with_rose.jpg")
        vetting.photos.setCurrentIndex(vetting.model.index(row))
        self.wait(lambda: vetting._safe is None, 600)
        faces = vetting.current.review.faces()
        kit = next(i for i, face in enumerate(faces) if vetting.names.get(face.person_id) == "Kit Harington")
        vetting.details.faces.setCurrentRow(kit)
        self.wait()

        def reason(dialog) -> None:
            type_into(dialog.reason, BLUR_REASON)
            self.shoot(dialog, "vet-reason")
            dialog.ok.click()

        self.hand.expect(reason)
        vetting.details.blur_face.click()
        self.wait(lambda: vetting._safe is None, 600)
        if not vetting.showing_safe:
            vetting.safe_toggle.click()
        self.wait(lambda: vetting._safe is None, 800)
        self.shoot(window, "vet-photos")
        safe_copies = self.data / "safe copies" / f"{date.today():%Y-%m-%d} RWS Instagram"

        def export_folder(dialog) -> None:
            type_into(dialog.folder, str(safe_copies))
            self.shoot(dialog, "vet-export-folder")
            dialog.ok.click()

        self.hand.expect(export_folder)
        vetting.export_button.click()
        self.wait(lambda: vetting.export_job is not None or vetting.export_done is None, 800)
        self.shoot(vetting.export_done, "vet-exported")
        vetting.export_done.close()
        written = sorted(path.name for path in safe_copies.iterdir())
        print(f"  safe copies written: {', '.join(written)}")

    # The auditor: verify, the governors' PDF

    def auditor_day(self, window) -> None:
        audit = window.audit
        self.tab(window, audit)
        self.wait(lambda: audit.verify_job is not None, 500)
        audit.verify_button.click()
        self.wait(lambda: audit.verify_job is not None, 500)
        assert audit.chain is not None and audit.chain.ok, audit.chain_label.text()
        pdf, written = self.data / "governors.pdf", []
        audit.export_done.connect(written.append)
        self.picks.append(pdf)
        audit.pdf_button.click()
        self.wait(lambda: not written, 800)
        print(f"  governors' PDF: {pdf} ({pdf.stat().st_size:,} bytes)")
        self.shoot(window, "audit-log")


if __name__ == "__main__":
    raise SystemExit(main())
