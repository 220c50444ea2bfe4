"""PyInstaller hook for PySide6.QtGui: PyInstaller's own (add_qt6_dependencies), less the Qt plugins the app
never loads. Left out here, before the analysis, rather than filtered from its result, so the libraries that only
they link (GTK's for the GTK theme, Wayland's, EGL's, libdrm) are not collected either.

Kept: the offscreen and xcb platforms (and Windows' and macOS's own), image formats (QImage.fromData reads the
register's JPEG thumbnails), icon engines (SVG icons of the desktop theme in file dialogs), input contexts.
Left out: the Wayland platform and its plugins (on a Wayland desktop Qt falls back to xcb through XWayland), the
framebuffer, VNC, EGL and Vulkan-display platforms, GL integrations (the window draws no OpenGL), platform
themes (GTK's pulls in GTK, cairo and pango), generic input back-ends and EGL device integrations.
"""
from pathlib import PurePath

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

UNUSED_PLUGIN_FOLDERS = {"platformthemes", "egldeviceintegrations", "xcbglintegrations", "generic"}
UNUSED_PLATFORMS = ("qlinuxfb", "qvnc", "qvkkhrdisplay", "qeglfs", "qminimalegl", "qwayland")


def _used(entry: tuple[str, str]) -> bool:
    source, destination = entry
    folder = PurePath(destination).name
    if folder in UNUSED_PLUGIN_FOLDERS or folder.startswith("wayland-"):
        return False
    stem = PurePath(source).name.split(".")[0].removeprefix("lib")
    return not (folder == "platforms" and stem.startswith(UNUSED_PLATFORMS))


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [entry for entry in binaries if _used(entry)]
