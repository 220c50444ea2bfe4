"""Exporting safe copies: a new dated folder of their own is proposed under Pictures, the copies are named so they
cannot be taken for the originals and never replace a file, and a window says how many went where, with
"Open folder"."""
from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QUrl, Qt

from rws_desktop.core.faces.geometry import Box
from rws_desktop.ui.vetting.export_dialogs import ExportFolderDialog

from checked_photos import add_checked, blurred, comms_window, made_up_photo

EXPORT_MS = 60_000


@pytest.fixture
def pictures(tmp_path, monkeypatch):
    """The platform's Pictures folder, as QStandardPaths would give it, here a temporary one not yet made."""
    folder = tmp_path / "home" / "Pictures"
    monkeypatch.setattr("rws_desktop.ui.vetting.export_flow.pictures_folder", lambda: folder)
    return folder


def test_export_goes_to_a_dated_folder_under_pictures_with_safe_names_and_says_where(qtbot, tmp_path, settings, pictures):
    """With nothing remembered, export proposes Pictures/RWS safe copies/<today> RWS Instagram (made on export); the
    copies are "<name> (safe).jpg", a second photo of the same name and a name already in the folder get " 2" (the
    file already there is untouched); a window says "3 safe copies written" and the folder, and its Open folder
    button asks the opener for exactly that folder's URL. The next day's proposal is a new dated folder beside it."""
    window, answers, _db = comms_window(qtbot, tmp_path, settings)
    workspace = window.vetting
    proposed = pictures / "RWS safe copies" / f"{date.today():%Y-%m-%d} RWS Instagram"
    proposed.mkdir(parents=True)
    (proposed / "fair (safe).jpg").write_bytes(b"an earlier export")
    for path in (tmp_path / "trip" / "sea.jpg", tmp_path / "coach" / "sea.jpg", tmp_path / "trip" / "fair.jpg"):
        add_checked(qtbot, window, made_up_photo(path, seed=len(str(path))), [blurred(Box(100, 100, 220, 220))])
    opened: list[QUrl] = []
    workspace.open_url = opened.append
    answers.take_proposed_folder = True
    with qtbot.waitSignal(workspace.export_finished, timeout=EXPORT_MS):
        window.export_action.trigger()

    assert answers.proposed_folder == proposed and answers.export_count == 3
    assert sorted(os.listdir(proposed)) == ["fair (safe) 2.jpg", "fair (safe).jpg", "sea (safe) 2.jpg", "sea (safe).jpg"]
    assert (proposed / "fair (safe).jpg").read_bytes() == b"an earlier export"
    done = workspace.export_done
    assert done.isVisible() and done.headline.text() == "<b>3 safe copies written</b>"
    assert done.where.text() == str(proposed) and done.open_button.isEnabled()
    done.open_button.click()
    assert opened == [QUrl.fromLocalFile(str(proposed))] and not done.isVisible()
    tomorrow = date.today() + timedelta(days=1)
    assert workspace.proposed_export_folder(tomorrow) == proposed.parent / f"{tomorrow:%Y-%m-%d} RWS Instagram"
    window.close()
    window.app.close()


def test_the_export_dialog_explains_a_folder_that_will_not_do_and_stays_open(qtbot, tmp_path, settings, pictures,
                                                                            monkeypatch):
    """In the export dialog, the originals' folder, the home folder and a file are each refused with a sentence
    under the field, shown whole, while the dialog stays open with what was typed; Enter in the field asks to
    export (it opened the folder chooser when tried by hand); typing again clears the sentence; a new folder's name
    that does not exist yet is accepted as typed (it is made on export)."""
    window, _answers, _db = comms_window(qtbot, tmp_path, settings)
    workspace = window.vetting
    original = made_up_photo(tmp_path / "trip" / "sea.jpg")
    add_checked(qtbot, window, original, [blurred(Box(100, 100, 220, 220))])
    (tmp_path / "a file").write_text("not a folder")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    dialog = ExportFolderDialog(workspace.proposed_export_folder(), 1, workspace.presenter.export_folder_problem)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.folder.text() == str(pictures / "RWS safe copies" / f"{date.today():%Y-%m-%d} RWS Instagram")
    chooser: list[str] = []
    monkeypatch.setattr("rws_desktop.ui.vetting.export_dialogs.QFileDialog.getExistingDirectory",
                        lambda *args: chooser.append(args[-1]) or "")
    for folder, words in ((original.parent, "holds the original photos"), (tmp_path / "home", "your home folder"),
                          (tmp_path / "a file", "a file called “a file”")):
        dialog.folder.setText(str(folder))
        qtbot.keyClick(dialog.folder, Qt.Key.Key_Return)  # Enter in the field is Export, not Choose…
        assert dialog.isVisible() and not dialog.result() and words in dialog.error.text()
        assert dialog.error.isVisible() and dialog.error.height() >= dialog.error.heightForWidth(dialog.error.width())
        assert dialog.folder.text() == str(folder)
    assert chooser == []
    dialog.folder.setText(str(original.parent / "safe"))
    assert not dialog.error.isVisible()  # typing again clears the complaint
    new = tmp_path / "safe" / "sports day"
    dialog.folder.setText(f" {new} ")
    dialog.ok.click()
    assert dialog.result() and dialog.chosen() == new and not new.exists()
    window.close()
    window.app.close()
