"""An export killed between writing a photo's audit entry and renaming its safe copy into place leaves a `.part`
file; the next export from the window puts it in place and tells the person so, in plain words."""
from __future__ import annotations

import os
import sqlite3

from rws_desktop.core.faces.geometry import Box

from checked_photos import add_checked, blurred, comms_window, made_up_photo

EXPORT_MS = 60_000


def _export(qtbot, window, folder):
    window.vetting.open_url = lambda url: None
    with qtbot.waitSignal(window.vetting.export_finished, timeout=EXPORT_MS):
        window.export_action.trigger()


def test_the_next_export_says_it_finished_the_safe_copy_an_interrupted_one_left(qtbot, tmp_path, settings):
    """A safe copy whose entry is in the log but which was left as "sea (safe).jpg.part" (as a kill between the
    commit and the rename leaves it) is put in place by the next export from the window, with the same bytes; the
    export-finished window names it and says an earlier export was interrupted and the copy is now saved (with the
    service's own sentence), in plain words with no errno or Python wording; the status-bar line says so too; the
    photo is not recorded a second time."""
    window, answers, db = comms_window(qtbot, tmp_path, settings)
    workspace = window.vetting
    folder = tmp_path / "exports"
    answers.export_folder = folder
    add_checked(qtbot, window, made_up_photo(tmp_path / "trip" / "sea.jpg", seed=3), [blurred(Box(100, 100, 220, 220))])
    _export(qtbot, window, folder)
    safe = folder / "sea (safe).jpg"
    written = safe.read_bytes()
    os.replace(safe, folder / "sea (safe).jpg.part")  # as if killed after the entry was committed, before the rename
    workspace.export_done.close()

    messages: list[str] = []
    workspace.message.connect(messages.append)
    add_checked(qtbot, window, made_up_photo(tmp_path / "trip" / "fair.jpg", seed=4), [blurred(Box(90, 90, 200, 200))])
    _export(qtbot, window, folder)

    assert sorted(os.listdir(folder)) == ["fair (safe).jpg", "sea (safe).jpg"]
    assert safe.read_bytes() == written
    done = workspace.export_done
    assert done.isVisible() and done.headline.text() == "<b>1 safe copy written</b>"
    details = done.details.text()
    assert done.details.isVisible()
    assert "An earlier export into this folder was interrupted" in details
    assert "• sea (safe).jpg: the last run stopped after recording this photo's check but before saving " \
           "sea (safe).jpg; it has now been saved." in details
    for raw in ("Errno", "Error", ".part", "Traceback"):
        assert raw not in details
    assert any("1 safe copy left unfinished by an interrupted export was saved" in m for m in messages)
    with sqlite3.connect(db) as connection:
        entries = [row[0] for row in connection.execute("SELECT content FROM audit_entry")]
    assert sum('"sea (safe).jpg"' in entry for entry in entries) == 1
    window.close()
    window.app.close()


def test_an_export_with_nothing_left_over_says_nothing_about_an_interrupted_one(qtbot, tmp_path, settings):
    """With no `.part` left in the folder, the export-finished window says only what was written: no word of an
    interrupted export (the note is not shown by default)."""
    window, answers, _db = comms_window(qtbot, tmp_path, settings)
    folder = tmp_path / "exports"
    answers.export_folder = folder
    add_checked(qtbot, window, made_up_photo(tmp_path / "trip" / "sea.jpg", seed=3), [blurred(Box(100, 100, 220, 220))])
    _export(qtbot, window, folder)
    done = window.vetting.export_done
    assert done.headline.text() == "<b>1 safe copy written</b>"
    assert "interrupted" not in done.details.text() and not done.details.isVisible()
    window.close()
    window.app.close()


def test_an_export_stopped_by_an_error_still_says_what_it_finished_for_the_interrupted_one(qtbot, tmp_path, settings,
                                                                                          monkeypatch):
    """An export that puts an interrupted export's safe copy in place and is then stopped by an unforeseen error
    says "Export stopped" and still names the copy it saved; the next export, stopped before it reaches the folder
    (a file where the folder should be), does not repeat the earlier export's note."""
    from rws_desktop.core.vetting.review_service import ReviewService

    window, answers, _db = comms_window(qtbot, tmp_path, settings)
    workspace = window.vetting
    folder = tmp_path / "exports"
    answers.export_folder = folder
    add_checked(qtbot, window, made_up_photo(tmp_path / "trip" / "sea.jpg", seed=3), [blurred(Box(100, 100, 220, 220))])
    _export(qtbot, window, folder)
    os.replace(folder / "sea (safe).jpg", folder / "sea (safe).jpg.part")

    def broken(*args, **kwargs):
        raise RuntimeError("something unforeseen")
    monkeypatch.setattr(ReviewService, "_export_one", broken)
    add_checked(qtbot, window, made_up_photo(tmp_path / "trip" / "fair.jpg", seed=4), [blurred(Box(90, 90, 200, 200))])
    _export(qtbot, window, folder)
    assert answers.told[-1][0] == "Export stopped"
    assert (folder / "sea (safe).jpg").is_file()
    assert "• sea (safe).jpg: " in workspace.export_done.details.text()

    answers.export_folder = tmp_path / "a file"
    answers.export_folder.write_text("not a folder")
    _export(qtbot, window, answers.export_folder)
    assert answers.told[-1][0] == "Export stopped"
    assert "interrupted" not in workspace.export_done.details.text()
    window.close()
    window.app.close()
