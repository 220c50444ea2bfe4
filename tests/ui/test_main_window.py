"""The main window itself: workspaces, channels, menus and shortcuts, remembered settings, start-up errors."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox

from rws_desktop import __version__
from rws_desktop.core.kernel.channels import ChannelStatus
from rws_desktop.ui import main as ui_main
from rws_desktop.ui.folders import PHOTOS, remember_folder, start_folder
from rws_desktop.ui.register.workspace import RegisterWorkspace

from rws_desktop.core.kernel.channels import ChannelCatalogue
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.paths import channels_file
from rws_desktop.storage import open_database
from rws_desktop.ui.permissions_view import NO_CHANNEL
from sessions import signed_in
from vetting_window import open_window


def test_one_workspace_per_job(window):
    """Vet photos, Consent register and Audit log tabs, each its own workspace."""
    window, _answers = window
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs == ["Vet photos", "Consent register", "Audit log"]
    assert isinstance(window.tabs.widget(1), RegisterWorkspace) and window.tabs.widget(1) is window.register
    assert window.tabs.widget(2) is window.audit


def test_channels_not_in_use_or_not_ours_cannot_be_picked(window):
    """Every policy channel is listed; MSN (comms) may pick only the live channels the policy makes MSN an admin
    of; the others are disabled with the reason as a tip."""
    window, _answers = window
    combo = window.vetting.channel
    keys = [combo.itemData(i) for i in range(combo.count())]
    assert keys == window.app.channels.keys()
    for i, channel in enumerate(window.app.channels):
        item = combo.model().item(i)
        assert item.isEnabled() == (channel.accepts_photos and "MSN" in channel.admins)
        if channel.status in (ChannelStatus.NOT_LIVE, ChannelStatus.NOT_USED):
            assert "accepts no photos" in item.toolTip()
        elif "MSN" not in channel.admins:
            assert "only its admins" in item.toolTip()
    assert [combo.itemData(i) for i in window.vetting.usable_channels()] == ["whatsapp", "instagram"]


def test_a_remembered_channel_that_stopped_accepting_photos_is_not_picked(qtbot, register, settings):
    """If the last channel is now not live or not used, the window opens on the first channel in use."""
    db, _ids = register
    settings.setValue("vet/last_channel", "music-x")  # not used, per the policy
    window, _answers = open_window(qtbot, db, settings)
    assert window.vetting.channel_key == next(c.key for c in window.app.channels if c.accepts_photos)
    window.close()
    window.app.close()


def test_size_splitter_folder_and_channel_are_remembered(qtbot, register, settings, tmp_path):
    """Closing and reopening the window restores its size, the splitter, the last folder and the last channel."""
    db, _ids = register
    window, _answers = open_window(qtbot, db, settings)
    window.resize(1200, 700)
    workspace = window.vetting
    workspace.splitter.setSizes([300, 600, 300])
    workspace.channel.setCurrentIndex(workspace.channel.findData("instagram"))  # not the first: WhatsApp is
    remember_folder(window.settings, PHOTOS, tmp_path)
    sizes = workspace.splitter.sizes()
    window.close()
    window.app.close()

    again, _answers = open_window(qtbot, db, settings)
    assert (again.width(), again.height()) == (1200, 700)
    assert again.vetting.splitter.sizes() == sizes
    assert again.vetting.channel_key == "instagram"
    assert start_folder(again.settings, PHOTOS) == tmp_path
    again.close()
    again.app.close()


def test_arrow_keys_move_between_photos_and_menus_have_shortcuts(qtbot, window, tmp_path):
    """Right and Left move the selection; Open, Export, Undo and Space are on the menus with their shortcuts."""
    window, _answers = window
    workspace = window.vetting
    paths = [tmp_path / f"p{n}.jpg" for n in range(3)]
    workspace.batch.add(paths)  # listed only: no check is started
    workspace.model.appended(3)
    workspace.photos.selectionModel().setCurrentIndex(workspace.model.index(0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.keyClick(workspace.view, Qt.Key.Key_Right)
    qtbot.keyClick(workspace.view, Qt.Key.Key_Right)
    assert workspace.current.path == paths[2]
    qtbot.keyClick(workspace.view, Qt.Key.Key_Left)
    assert workspace.current.path == paths[1]
    assert window.open_action.shortcut().toString() == "Ctrl+O"
    assert window.export_action.shortcut().toString() == "Ctrl+E"
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"
    assert window.safe_action.shortcut().toString() == "Space"
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View", "&Help"]


def test_about_names_the_version_and_the_database(window):
    """Help > About shows the version and where the database is."""
    window, _answers = window
    text = window.about_text()
    assert __version__ in text and str(window.app.database.url) in text


def test_window_fits_a_1366_by_768_screen(window):
    """On the tests' 1366x768 screen the window fits with room for a taskbar, and the photo keeps most of it."""
    window, _answers = window
    screen = window.screen().geometry()
    assert (screen.width(), screen.height()) == (1366, 768)
    assert window.minimumWidth() <= 1366 and window.minimumHeight() <= 700
    window.resize(1366, 700)
    assert window.vetting.view.width() > 600


def test_comms_staff_without_a_channel_are_told_why_and_no_workspace_reads(qtbot, register, settings):
    """A comms account that is no channel's admin may use no workspace: the status bar says why, and
    showing the disabled Audit log reads nothing, so no "The log could not be read" appears."""
    db, _ids = register
    database = open_database(f"sqlite:///{db}")
    signed_in(database, ChannelCatalogue.from_toml(channels_file()), "NOC", Role.COMMS)
    database.close()
    window, answers = open_window(qtbot, db, settings, user="NOC")
    assert not any(window.tabs.isTabEnabled(i) for i in range(window.tabs.count()))
    assert window.statusBar().currentMessage() == NO_CHANNEL
    window.tabs.setCurrentWidget(window.audit)
    window.tabs.setCurrentWidget(window.register)
    qtbot.wait(200)
    assert answers.told == [] and not window.audit._loaded


def test_a_database_that_cannot_be_opened_is_explained_and_nothing_starts(qtbot, tmp_path, monkeypatch):
    """If the database cannot be opened the app says so in plain words, where it is, what to do, and exits 1."""
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("RWS_DB", f"sqlite:///{blocker / 'rws.sqlite3'}")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert ui_main.main([]) == 1
    assert shown and "could not be opened" in shown[0] and str(blocker) in shown[0]
    assert "No photos or records were changed" in shown[0]


def test_python_dash_m_and_the_gui_script_run_the_same_main():
    """`python -m rws_desktop` and the `rws-desktop` entry point both call rws_desktop.ui.main:main."""
    import tomllib

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert project["project"]["gui-scripts"]["rws-desktop"] == "rws_desktop.ui.main:main"
    module = (Path(__file__).parents[2] / "rws_desktop" / "__main__.py").read_text()
    assert "from rws_desktop.ui.main import main" in module
