"""The Post panel: which photos, the caption (checked on every keystroke), the checklist, and
"Make posting pack…". It takes plain inputs, so it works the same under any workspace:

- the channel and the vetted media: photos (`PhotoResult`s whose faces are as decided) and clips
  (`ClipResult`s whose tracks are as decided), with safe copies;
- a `CaptionChecker`, or a function that builds one (run off the UI thread: it reads the register);
- `make_pack(caption, confirmations, photos, folder) -> PostingPack`, run off the UI thread.

Anything that asks the person something goes through a method tests can replace.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMessageBox, QPushButton, QSplitter, QVBoxLayout, QWidget)

from ...core.captions.check import CaptionChecker
from ...core.captions.findings import Confirmation, Finding, FindingKind, Verdict
from ...core.kernel.channels import Channel
from ...core.kernel.wording import counted
from ...core.posts.media import USABLE, PostMedia, is_clip, kind_word
from ...core.posts.pack import PostingPack
from ...core.posts.review import PostReview, review_post
from ..folders import POSTING_PACKS, pictures_folder, remember_folder, start_folder
from ..tasks import Jobs
from .editor import CaptionEditor, colour_of, tooltip

MakePack = Callable[[str, list[Confirmation], list[PostMedia], Path], PostingPack]
PERSONAL = (FindingKind.PHONE, FindingKind.EMAIL, FindingKind.POSTCODE, FindingKind.ADDRESS, FindingKind.DATE_OF_BIRTH)
TICK, CROSS, WARN, WAIT = "✔", "✘", "⚠", "…"


class PostPanel(QWidget):
    pack_made = Signal(object)  # PostingPack
    checked = Signal(object)  # PostReview, after every change

    def __init__(self, channel: Channel, photos: list[PostMedia], checker: CaptionChecker | Callable[[], CaptionChecker],
                 make_pack: MakePack, parent=None, settings=None):
        super().__init__(parent)
        self.settings = settings  # the account's settings, for the folder packs are made in (None: not remembered)
        self.channel = channel
        self.photos = list(photos)
        self._make_pack = make_pack
        self.checker: CaptionChecker | None = checker if isinstance(checker, CaptionChecker) else None
        self.confirmations: list[Confirmation] = []
        self.review_now: PostReview | None = None
        self.busy = False
        self.tasks = Jobs(self)
        self._build()
        if self.checker is None:
            self.tasks.run(checker, self._checker_ready, lambda exc: self._checker_failed(exc))
        self.recheck()

    # Layout

    def _build(self) -> None:
        self.setAccessibleName("Post")
        title = QLabel(f"<b>Post to {self.channel.name}</b> ({self.channel.platform}, {self.channel.handle})")
        self.photo_list = QListWidget()
        self.photo_list.setAccessibleName("Photos and clips in this post")
        for result in self.photos:
            item = QListWidgetItem(f"{result.source.name} ({kind_word(result)}): {result.decision.value}, {result.reason}")
            usable = result.decision in USABLE
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if usable else Qt.CheckState.Unchecked)
            self.photo_list.addItem(item)
        self.editor = CaptionEditor()
        self.findings_list = QListWidget()
        self.findings_list.setAccessibleName("What the check found")
        self.findings_list.setWordWrap(True)
        self.fix_button = QPushButton("Fix")
        self.confirm_button = QPushButton("Confirm who this is…")
        self.checklist = QLabel()
        self.checklist.setTextFormat(Qt.TextFormat.PlainText)
        self.checklist.setWordWrap(True)
        self.make_button = QPushButton("Make posting pack…")
        self.status = QLabel("")
        self.status.setWordWrap(True)

        fixes = QHBoxLayout()
        fixes.addWidget(self.fix_button)
        fixes.addWidget(self.confirm_button)
        fixes.addStretch(1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(QLabel("Found in the caption (hover a highlight for the reason; right-click it to fix):"))
        lower_layout.addWidget(self.findings_list, 1)
        lower_layout.addLayout(fixes)
        lower_layout.addWidget(self.checklist)
        splitter = QSplitter(Qt.Orientation.Vertical)
        for widget in (self.photo_list, self.editor, lower):
            splitter.addWidget(widget)
        splitter.setSizes([120, 200, 220])
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.make_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        self.editor.textChanged.connect(self.recheck)
        self.editor.fix_requested.connect(self.apply_fix)
        self.editor.confirm_requested.connect(self.confirm)
        self.photo_list.itemChanged.connect(lambda _item: self.recheck())
        self.findings_list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.fix_button.clicked.connect(lambda: self._selected() and self.apply_fix(self._selected()))
        self.confirm_button.clicked.connect(lambda: self._selected() and self.confirm(self._selected()))
        self.make_button.clicked.connect(self.make_pack)

    # Asking the person (tests replace these)

    def ask_pack_folder(self) -> Path | None:
        """The folder the pack's own folder is made in."""
        start = start_folder(self.settings, POSTING_PACKS) if self.settings is not None else pictures_folder()
        folder = QFileDialog.getExistingDirectory(self, "Make the posting pack in", str(start))
        if not folder:
            return None
        if self.settings is not None:
            remember_folder(self.settings, POSTING_PACKS, Path(folder))
        return Path(folder)

    def ask_confirmation(self, finding: Finding) -> str | None:
        text, ok = QInputDialog.getText(
            self, "Confirm who this is",
            f"{finding.reason}\n\nWhy may '{' '.join(finding.text.split())}' be posted? (Kept in the audit log with your name.)",
            QLineEdit.EchoMode.Normal)
        return text if ok else None

    def explain(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    # Checking

    def chosen_photos(self) -> list[PostMedia]:
        """The photos and clips ticked for the post."""
        return [p for i, p in enumerate(self.photos) if self.photo_list.item(i).checkState() == Qt.CheckState.Checked]

    def recheck(self) -> None:
        if self.checker is None:
            self.review_now = None
            self.editor.show_findings(())
            self.findings_list.clear()
            self.checklist.setText(f"{WAIT} Reading the register…")
            self._update_buttons()
            return
        caption = self.editor.toPlainText()
        report = self.checker.check(caption, self.confirmations)
        self.review_now = review_post(report, self.chosen_photos(), self.channel, self.checker.names.people)
        self.editor.show_findings(self.review_now.caption.findings)
        self._fill_findings(self.review_now)
        self.checklist.setText(checklist(self.review_now, report.findings, self.checker.contacts.not_set_note()))
        self._update_buttons()
        self.checked.emit(self.review_now)

    def _checker_ready(self, checker: CaptionChecker) -> None:
        self.checker = checker
        self.recheck()

    def _checker_failed(self, exc: Exception) -> None:
        self.checklist.setText(f"{CROSS} The register could not be read, so the caption cannot be checked: {exc}")

    def _fill_findings(self, review: PostReview) -> None:
        self.findings_list.blockSignals(True)
        self.findings_list.clear()
        for finding in review.caption.findings:
            item = QListWidgetItem(f"{' '.join(finding.text.split())}: {finding.reason}")
            item.setBackground(QBrush(colour_of(finding)))
            item.setToolTip(tooltip(finding))
            item.setData(Qt.ItemDataRole.UserRole, finding)
            self.findings_list.addItem(item)
        self.findings_list.blockSignals(False)
        self._update_buttons()

    def _selected(self) -> Finding | None:
        item = self.findings_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _update_buttons(self) -> None:
        finding = self._selected()
        self.fix_button.setEnabled(finding is not None and finding.fix is not None)
        self.fix_button.setText(finding.fix_label if finding is not None and finding.fix is not None else "Fix")
        self.confirm_button.setEnabled(finding is not None and finding.verdict is Verdict.NEEDS_DECISION
                                       and finding.confirmed_reason is None)
        self.make_button.setEnabled(self.review_now is not None and self.review_now.ready and not self.busy)

    # Fixing

    def apply_fix(self, finding: Finding) -> None:
        """Replaces the span (a name with 'a Year 7 pupil', a number with nothing), as one undoable edit."""
        if finding.fix is None or self.editor.toPlainText()[finding.start:finding.end] != finding.text:
            return
        self.editor.replace_span(finding.start, finding.end, finding.fix)

    def confirm(self, finding: Finding) -> None:
        reason = self.ask_confirmation(finding)
        if reason is None or not reason.strip():
            return
        self.confirmations.append(Confirmation(finding.text, " ".join(reason.split()), finding.person_ids))
        self.recheck()

    # The pack

    def make_pack(self) -> None:
        if self.busy or self.review_now is None or not self.review_now.ready:
            return
        parent = self.ask_pack_folder()
        if parent is None:
            return
        folder = new_pack_folder(parent, self.channel.key)
        caption, confirmations, photos = self.editor.toPlainText(), list(self.confirmations), self.chosen_photos()
        self.busy = True
        self._update_buttons()
        self.status.setText("Making the posting pack…")
        self.tasks.run(lambda: self._make_pack(caption, confirmations, photos, folder),
                       lambda pack: self._pack_done(pack, photos), self._pack_failed, pool=self.tasks.writes)

    def _pack_done(self, pack: PostingPack, media: list[PostMedia] = ()) -> None:
        self.busy = False
        self.status.setText(f"Posting pack written to {pack.folder}: {packed_media(len(pack.files), media)}, "
                            "caption.txt, hashes.txt and receipt.pdf.")
        self._update_buttons()
        self.pack_made.emit(pack)

    def _pack_failed(self, exc: Exception) -> None:
        self.busy = False
        self.status.setText("No posting pack was written.")
        self._update_buttons()
        self.explain("No posting pack", f"The posting pack was not written: {exc}")

    def shutdown(self) -> None:
        self.tasks.wait()


def packed_media(files: int, media: list[PostMedia]) -> str:
    """"2 photos and 1 clip": what the pack holds, each kind counted in the number it needs (`files` when the media
    packed are not known)."""
    clips = sum(is_clip(item) for item in media)
    if len(media) != files:
        return counted(files, "photo or clip", "photos and clips")
    photos = files - clips
    return " and ".join(counted(n, word) for n, word in ((photos, "photo"), (clips, "clip")) if n) or "no photos"


def new_pack_folder(parent: Path, channel_key: str) -> Path:
    """'instagram post 2026-12-01 1430', numbered if that name is taken."""
    base = f"{channel_key} post {datetime.now():%Y-%m-%d %H%M}"
    folder, counter = parent / base, 2
    while folder.exists() or folder.with_name(folder.name + ".part").exists():
        folder, counter = parent / f"{base} ({counter})", counter + 1
    return folder


def checklist(review: PostReview, before_faces: tuple[Finding, ...], contacts_note: str = "") -> str:
    """The post's checklist in plain words, one line per check; `contacts_note` says when the school's own
    contact details are not set (so its number, too, is blocked)."""
    findings = review.caption.findings
    media = review.media
    unusable = [m for m in media if m.decision not in USABLE]
    names = [f for f in findings if f.kind is FindingKind.NAME]
    name_problems = [f for f in names if f.blocks]
    personal = [f for f in findings if f.kind in PERSONAL and f.blocks]
    disagreements = [after for after, before in zip(findings, before_faces) if after.verdict is not before.verdict]
    warnings = review.warnings
    lines = [
        f"{CROSS if unusable or not media else TICK} Photos and clips: {len(media) - len(unusable)} of {len(media)} ready"
        + (" (choose at least one)" if not media else ""),
        f"{CROSS if name_problems else TICK} Names: " + (f"{len(name_problems)} to fix or confirm" if name_problems
                                                        else f"{len(names)} found, all may be named" if names else "none found"),
        f"{CROSS if personal else TICK} Personal information: " + (f"{len(personal)} to remove" if personal else "none"),
        *([f"{WARN} {contacts_note}"] if contacts_note else []),
        f"{CROSS if disagreements else TICK} Faces and names agree" + (
            f": {counted(len(disagreements), 'name')} {'points' if len(disagreements) == 1 else 'point'} at a blurred "
            "or unnamed face" if disagreements else ""),
        f"{WARN if warnings else TICK} Links and messages to one person: " + (counted(len(warnings), "warning") if warnings else "none"),
    ]
    refusal = review.channel.refusal_reason()
    if refusal:
        lines.insert(0, f"{CROSS} {refusal}")
    lines.append("Ready to post." if review.ready else "Blocked: fix the items marked ✘.")
    return "\n".join(lines)
