"""File pickers start where staff expect: the folder last used for the same purpose, else Pictures for photos and
Documents for spreadsheets and reports; never the folder of another purpose (the CSV picker among the photos)."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from rws_desktop.ui import folders
from rws_desktop.ui.folders import MIS_EXPORTS, PHOTOS, POSTING_PACKS, REFERENCE_PHOTOS, start_folder
from rws_desktop.ui.posts.panel import PostPanel
from rws_desktop.ui.register.workspace import RegisterWorkspace

from checked_photos import made_up_photo
from rws_cli import add_staff
from vetting_window import open_window

HEADER = "UPN,Legal Surname,Legal Forename,Year,Reg Group"


@pytest.fixture
def standard(tmp_path, monkeypatch) -> dict:
    """The platform's Pictures and Documents folders, as QStandardPaths would name them, here temporary ones."""
    made = {folders.PICTURES: tmp_path / "me" / "Pictures", folders.DOCUMENTS: tmp_path / "me" / "Documents"}
    for folder in made.values():
        folder.mkdir(parents=True)
    monkeypatch.setattr(folders, "standard_folder", lambda location: made[location])
    return {"pictures": made[folders.PICTURES], "documents": made[folders.DOCUMENTS]}


def test_a_picker_starts_in_its_last_folder_else_pictures_or_documents(standard, settings, tmp_path):
    """Nothing remembered: photos start in Pictures, the MIS export in Documents. A folder remembered for one purpose
    is used for it alone; one since deleted falls back to the standard folder, and a missing standard folder to home."""
    assert start_folder(settings, PHOTOS) == standard["pictures"]
    assert start_folder(settings, REFERENCE_PHOTOS) == standard["pictures"]
    assert start_folder(settings, MIS_EXPORTS) == standard["documents"]
    trip = tmp_path / "trip"
    trip.mkdir()
    folders.remember_folder(settings, PHOTOS, trip)
    assert start_folder(settings, PHOTOS) == trip and start_folder(settings, MIS_EXPORTS) == standard["documents"]
    trip.rmdir()
    assert start_folder(settings, PHOTOS) == standard["pictures"]
    standard["documents"].rmdir()
    assert start_folder(settings, MIS_EXPORTS) == Path.home()


def test_the_window_s_pickers_start_in_the_right_folder_and_remember_each_purpose(qtbot, standard, settings, tmp_path):
    """In the window: Add photos first opens Pictures, then the folder photos were last added from; the MIS import
    first opens Documents (not the photos' folder), then the folder of the last CSV; the audit log's exports are
    proposed in Documents, then beside the last one."""
    db = tmp_path / "rws.sqlite3"
    add_staff(db, "MSN", "comms")
    window, _answers = open_window(qtbot, db, settings, user="TST")  # TST holds every role
    asked: list[tuple[str, str]] = []
    trip = tmp_path / "trip"
    photo = made_up_photo(trip / "sea.jpg", size=(64, 48))
    window.vetting.start_checking = lambda: None  # no face engine here: only where the picker opened matters
    picks = iter([[], [photo], []])
    window.questions.open_files = lambda title, folder, file_filter: (asked.append(("photos", folder)), next(picks))[1]
    for _ in range(3):
        window.vetting.open_photos()
    assert asked == [("photos", str(standard["pictures"])), ("photos", str(standard["pictures"])), ("photos", str(trip))]

    exports = tmp_path / "from the MIS"
    exports.mkdir()
    csv = exports / "sims.csv"
    csv.write_text(f"{HEADER}\nU1,Ashby,Ada,Year 7,7A\n", encoding="utf-8")
    csv_picks = iter([None, csv, None])
    window.questions.open_file = lambda title, folder, file_filter: (asked.append(("csv", folder)), next(csv_picks))[1]
    register = window.findChild(RegisterWorkspace)
    for _ in range(3):
        register.office.import_from_mis()
    assert asked[3:] == [("csv", str(standard["documents"])), ("csv", str(standard["documents"])), ("csv", str(exports))]

    suggested = window.audit.ask_save_path.__func__  # the audit workspace's own question, answered here
    window.questions.save_file = lambda title, proposed, file_filter: proposed
    assert suggested(window.audit, "Governors' PDF", "log.pdf", "") == standard["documents"] / "log.pdf"
    reports = tmp_path / "governors"
    reports.mkdir()
    window.audit.settings.setValue(folders.AUDIT_REPORTS, str(reports))
    assert suggested(window.audit, "Governors' PDF", "log.pdf", "") == reports / "log.pdf"
    window.close()
    window.app.close()


def test_the_posting_pack_folder_picker_starts_in_pictures_then_where_the_last_pack_went(standard, settings, tmp_path,
                                                                                         monkeypatch):
    """The Post panel's folder picker opens in Pictures the first time (it used to open wherever the program was
    started), and in the folder chosen last time after that."""
    opened: list[str] = []
    packs = tmp_path / "packs"
    packs.mkdir()
    monkeypatch.setattr("rws_desktop.ui.posts.panel.QFileDialog.getExistingDirectory",
                        lambda parent, title, folder: (opened.append(folder), str(packs))[1])
    panel = SimpleNamespace(settings=settings)
    assert PostPanel.ask_pack_folder(panel) == packs and PostPanel.ask_pack_folder(panel) == packs
    assert opened == [str(standard["pictures"]), str(packs)]
    assert start_folder(settings, POSTING_PACKS) == packs


def picker(opened: list[str], answers: list[str]):
    """A stand-in for QFileDialog's static pickers: notes the folder it was opened in, answers the next name."""
    names = iter(answers)

    def pick(parent, title, start, file_filter):
        opened.append(start)
        return next(names), ""
    return pick


def test_the_admin_key_file_pickers_start_in_documents_then_the_folder_last_used(qtbot, standard, settings, tmp_path,
                                                                                monkeypatch):
    """The Admin workspace's reference-face key pickers no longer open in the home folder: export proposes the key
    file in Documents and import opens Documents; after a key file is picked elsewhere, both open that folder, which
    is kept for the signed-in account."""
    from admin_helpers import HEAD, admin_app
    from rws_desktop.ui.admin import workspace as admin_module

    app = admin_app(tmp_path)
    workspace = admin_module.AdminWorkspace(app, settings=settings)
    qtbot.addWidget(workspace)
    usb = tmp_path / "usb stick"
    usb.mkdir()
    opened: list[str] = []
    monkeypatch.setattr(admin_module.QFileDialog, "getSaveFileName", picker(opened, [str(usb / "key.rwskey")]))
    monkeypatch.setattr(admin_module.QFileDialog, "getOpenFileName", picker(opened, [""]))
    assert workspace.ask_key_file(exporting=True) == usb / "key.rwskey"
    assert workspace.ask_key_file(exporting=False) is None
    assert opened == [str(standard["documents"] / admin_module.KEY_FILE_NAME), str(usb)]
    assert settings.value(f"accounts/{HEAD}/{folders.KEY_FILES}") == str(usb)
    workspace.background.wait()
    app.close()


def test_the_setup_assistant_s_mis_picker_starts_in_documents_then_the_folder_last_used(qtbot, standard, settings,
                                                                                        tmp_path, monkeypatch):
    """The setup assistant's MIS-export picker opens in Documents, not the home folder, and then in the folder the
    last export came from; the register's own import opens the same folder for that account."""
    from admin_helpers import HEAD, admin_app
    from rws_desktop.ui.admin import setup_people
    from rws_desktop.ui.admin.setup_assistant import SetupAssistant
    from rws_desktop.ui.account_settings import for_account

    app = admin_app(tmp_path)
    assistant = SetupAssistant(app, settings=settings)
    qtbot.addWidget(assistant)
    exports = tmp_path / "from arbor"
    exports.mkdir()
    opened: list[str] = []
    monkeypatch.setattr(setup_people.QFileDialog, "getOpenFileName", picker(opened, [str(exports / "pupils.csv"), ""]))
    assert assistant.mis.ask_mis_file() == exports / "pupils.csv"
    assert assistant.mis.ask_mis_file() is None
    assert opened == [str(standard["documents"]), str(exports)]
    assert start_folder(for_account(settings, HEAD), MIS_EXPORTS) == exports
    assistant.background.wait()
    app.close()
