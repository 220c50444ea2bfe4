"""Choosing where safe copies go, and saying where they went.

The folder is proposed (a new dated folder of its own, see core.kernel.safe_names), can be typed, including a
folder that does not exist yet (it is made on export), or picked; a folder that will not do is explained inside
the dialog, which stays open with what was typed. After export a window says how many were written and where,
with "Open folder"."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from ..register.wording import error_label

UrlOpener = Callable[[QUrl], object]


class ExportFolderDialog(QDialog):
    """Where to export; `problem(folder)` says why a folder will not do (None when it will)."""

    def __init__(self, proposed: Path, count: int, problem: Callable[[Path], str | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export safe copies")
        self._problem = problem
        self.folder = QLineEdit(str(proposed))
        self.folder.setAccessibleName("Export folder")
        self.folder.setToolTip("Type a folder, or a new folder's name: it is made when the safe copies are written")
        self.folder.setMinimumWidth(480)
        self.browse = QPushButton("Choose…")
        self.browse.setAutoDefault(False)  # Enter in the folder field exports; it used to open the chooser
        self.browse.setToolTip("Pick another folder")
        self.browse.clicked.connect(self._choose)
        self.error = error_label()
        self.error.hide()
        self.folder.textChanged.connect(self.error.hide)
        # The standard Ok button, renamed, is the one Enter presses (an added one left Cancel as the default).
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Export")
        buttons.accepted.connect(self._accept_if_usable)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        noun = "safe copy" if count == 1 else "safe copies"
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Write {count} {noun} to this folder (made if it does not exist yet):"))
        layout.addLayout(row)
        layout.addWidget(QLabel("Each is named after its original with “(safe)” added, for example "
                                "“trip (safe).jpg”; nothing already in the folder is replaced."))
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def chosen(self) -> Path:
        return Path(self.folder.text().strip()).expanduser()

    def _accept_if_usable(self) -> None:
        text = self.folder.text().strip()
        why_not = "Type or choose a folder." if not text else self._problem(self.chosen())
        self.error.setText(why_not or "")
        self.error.setVisible(bool(why_not))
        if why_not:
            self.adjustSize()  # room for the whole sentence (it was cut off at its second line)
        else:
            self.accept()

    def _choose(self) -> None:
        start = self.chosen()
        while not start.is_dir() and start != start.parent:  # the proposed folder may not exist yet
            start = start.parent
        name = QFileDialog.getExistingDirectory(self, "Export safe copies to", str(start))
        if name:
            self.folder.setText(name)


class ExportDoneDialog(QDialog):
    """How many safe copies were written and where, with a button to open the folder (through `open_url`)."""

    def __init__(self, headline: str, details: str, folder: Path, open_url: UrlOpener = QDesktopServices.openUrl,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Safe copies exported")
        self.setMinimumWidth(460)
        self.folder, self._open_url = folder, open_url
        self.headline = QLabel(f"<b>{headline}</b>")
        self.headline.setWordWrap(True)
        self.where = QLabel(str(folder))
        self.where.setWordWrap(True)
        self.where.setToolTip("The folder the safe copies were written to")
        self.details = QLabel(details)
        self.details.setTextFormat(Qt.TextFormat.PlainText)  # file names are shown as typed, never as markup
        self.details.setWordWrap(True)
        self.details.setVisible(bool(details))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton("Open folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setEnabled(folder.is_dir())
        self.open_button.clicked.connect(self.open_folder)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.where)
        layout.addWidget(self.details)
        layout.addWidget(buttons)

    def open_folder(self) -> None:
        self._open_url(QUrl.fromLocalFile(str(self.folder)))
        self.close()
