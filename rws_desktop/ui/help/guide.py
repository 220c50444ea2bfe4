"""Help > User guide: short pages in plain words (resources/guide/*.md), one per role, shown in the app.

`what_does_this_mean(topic)` makes the small link placed beside a rule (photo consent, biometric
consent) that opens the guide at that topic. Nothing is fetched from the network.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout

from ...core.kernel.permissions import Role
from ...paths import resources_dir

INDEX = "index"
ROLE_TOPICS = {Role.COMMS: "vetting", Role.OFFICE: "register", Role.AUDITOR: "audit", Role.ADMIN: "admin"}
TOPICS = (INDEX, "vetting", "register", "audit", "admin", "consent", "biometric")


def guide_dir() -> Path:
    return resources_dir() / "guide"


def guide_text(topic: str) -> str:
    """The topic's page as Markdown; an unknown topic is refused rather than shown blank."""
    if topic not in TOPICS:
        raise ValueError(f"There is no guide page {topic!r}.")
    return (guide_dir() / f"{topic}.md").read_text(encoding="utf-8")


def topic_for(roles) -> str:
    """The page a person most likely wants first: their first role's, in the order comms, office, auditor, admin."""
    return next((ROLE_TOPICS[role] for role in (Role.COMMS, Role.OFFICE, Role.AUDITOR, Role.ADMIN) if role in roles),
                INDEX)


class GuideDialog(QDialog):
    """The guide, one page at a time, with its links followed inside the dialog."""

    def __init__(self, topic: str = INDEX, parent=None):
        super().__init__(parent)
        self.setWindowTitle("RWS Photo Check: user guide")
        self.resize(720, 560)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("User guide")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._follow)
        self.contents = QPushButton("&Contents")
        self.contents.clicked.connect(lambda: self.show_topic(INDEX))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.contents)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addLayout(row)
        self.topic = INDEX
        self.show_topic(topic)

    def show_topic(self, topic: str) -> None:
        self.topic = topic
        self.browser.setMarkdown(guide_text(topic))

    def _follow(self, url: QUrl) -> None:
        name = Path(url.path()).stem
        if not url.scheme() and name in TOPICS:
            self.show_topic(name)
        elif url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)


_open_guides: list[GuideDialog] = []


def show_guide(topic: str = INDEX, parent=None) -> GuideDialog:
    """Open the guide at `topic`, beside the window (not modal, so it can stay open while working)."""
    dialog = GuideDialog(topic, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _open_guides.append(dialog)
    dialog.destroyed.connect(lambda *_: _open_guides.remove(dialog) if dialog in _open_guides else None)
    dialog.show()
    return dialog


def what_does_this_mean(topic: str, parent=None) -> QLabel:
    """A small "What does this mean?" link that opens the guide at `topic`; place it beside a rule."""
    guide_text(topic)  # refuse an unknown topic now, not when clicked
    label = QLabel(f'<a href="{topic}">What does this mean?</a>', parent)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                  | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    label.setAccessibleName(f"What does {'photo' if topic == 'consent' else topic} consent mean?"
                            if topic in ("consent", "biometric") else "What does this mean?")
    label.setToolTip("Opens the user guide at this topic")
    label.linkActivated.connect(lambda href: show_guide(href, label.window()))
    return label
