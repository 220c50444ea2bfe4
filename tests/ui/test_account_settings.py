"""Settings per signed-in account: each account's own group, plain-string channels, nothing written as @Invalid()."""
from __future__ import annotations

from PySide6.QtCore import QSettings

from rws_desktop.ui.account_settings import AccountSettings, for_account


def test_each_account_keeps_its_own_last_channel_and_folders(settings):
    """What MSN chose does not show for AUD on the same computer login, and each reads back their own."""
    msn, aud = AccountSettings(settings, "MSN"), AccountSettings(settings, "aud")
    msn.set_last_channel("instagram")
    msn.setValue("vet/last_folder", "/photos/sports day")
    assert aud.last_channel() is None and aud.value("vet/last_folder", "") == ""
    aud.set_last_channel("whatsapp")
    assert (msn.last_channel(), aud.last_channel()) == ("instagram", "whatsapp")
    assert settings.value("accounts/MSN/vet/last_channel") == "instagram"
    assert settings.value("accounts/AUD/vet/last_channel") == "whatsapp"


def test_no_channel_removes_the_key_instead_of_writing_invalid(settings, tmp_path):
    """Saving no channel (someone who may vet for none) leaves no key behind, and the file never holds @Invalid()."""
    scoped = AccountSettings(settings, "AUD")
    scoped.set_last_channel("whatsapp")
    scoped.set_last_channel(None)
    scoped.setValue("vet/last_channel", None)  # as a workspace saving a None channel key would
    settings.sync()
    assert not settings.contains("accounts/AUD/vet/last_channel")
    written = tmp_path / "settings.ini"
    assert not written.exists() or "@Invalid" not in written.read_text()


def test_an_invalid_value_left_by_an_older_version_reads_as_absent(tmp_path):
    """A settings file holding last_channel=@Invalid() (as the auditor's session wrote) gives the default."""
    path = tmp_path / "old.ini"
    path.write_text("[accounts]\nAUD\\vet\\last_channel=@Invalid()\n")
    scoped = AccountSettings(QSettings(str(path), QSettings.Format.IniFormat), "AUD")
    assert scoped.last_channel() is None
    assert scoped.value("vet/last_channel", "fallback") == "fallback"


def test_the_window_size_stays_shared_by_the_computer(settings):
    """The window's geometry depends on the screen, so every account reads the same one."""
    AccountSettings(settings, "MSN").setValue("window/geometry", b"geometry bytes")
    assert for_account(AccountSettings(settings, "MSN"), "AUD").value("window/geometry") == b"geometry bytes"
    assert settings.value("window/geometry") == b"geometry bytes"


def test_typed_reads_fall_back_on_values_that_do_not_convert(settings):
    """value(..., type=int) gives the stored number, or the default when the stored text is not one."""
    scoped = AccountSettings(settings, "MSN")
    scoped.setValue("window/tab", 2)
    assert scoped.value("window/tab", 0, type=int) == 2
    scoped.setValue("window/tab", "not a number")
    assert scoped.value("window/tab", 0, type=int) == 0
