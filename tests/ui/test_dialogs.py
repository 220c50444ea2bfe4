"""The correction dialogs: a reason is always required, and only people who may be shown can be picked."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

from rws_desktop.core.kernel.consent import Person
from rws_desktop.core.vetting.review_service import Candidate
from rws_desktop.ui.vetting.dialogs import PersonPickerDialog, ReasonDialog

PEOPLE = [
    Candidate(Person(1, "Ada Lovelace", form="7A"), True, "consent granted for all channels"),
    Candidate(Person(2, "Ben Okri", form="7B"), True, "consent granted for this channel"),
    Candidate(Person(3, "Cy Twombly", form="8C"), False, "consent withdrawn 3 Oct 2026 for all channels"),
]


def search(text: str) -> list[Candidate]:
    return [c for c in PEOPLE if text.casefold() in c.person.name.casefold()]


def test_reason_dialog_needs_some_words(qtbot):
    """OK stays disabled until a reason (not just spaces) is typed."""
    dialog = ReasonDialog("Blur face", "Why?")
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.reason, "   ")
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.reason, "parent asked")
    assert dialog.ok.isEnabled()


def test_picker_lists_who_cannot_be_shown_with_why_and_will_not_pick_them(qtbot):
    """Cy (withdrawn) and Ada (already shown on another face) are listed with the reason but cannot be
    chosen; Ben can, once a reason is typed; typing in the search narrows the list."""
    dialog = PersonPickerDialog("RWS Instagram", search, shown_in_photo={1})
    qtbot.addWidget(dialog)
    texts = [dialog.people.item(i).text() for i in range(dialog.people.count())]
    assert texts == ["Ada Lovelace (7A): already shown on another face", "Ben Okri (7B)",
                     "Cy Twombly (8C): cannot be shown, consent withdrawn 3 Oct 2026 for all channels"]
    for row in (0, 2):
        assert not dialog.people.item(row).flags() & Qt.ItemFlag.ItemIsEnabled
    dialog.people.setCurrentRow(2)
    assert dialog.chosen_person_id() is None
    dialog.people.setCurrentRow(1)
    assert dialog.chosen_person_id() == 2 and not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.reason, "Ben, confirmed by his tutor")
    assert dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.query, "cy")
    assert dialog.people.count() == 1 and not dialog.ok.isEnabled()


def test_show_face_as_shows_the_face_being_named(qtbot, monkeypatch):
    """"Show face as…" shows a thumbnail of the selected face beside its question: cut from the photo with a margin,
    at most 96 pixels, taken from the face's own pixels; without a face the thumbnail is left out."""
    from PySide6.QtGui import QColor, QImage, QPainter

    from rws_desktop.ui import dialog_questions
    from rws_desktop.ui.images import face_thumbnail

    photo = QImage(800, 600, QImage.Format.Format_RGB888)
    photo.fill(QColor("white"))
    painter = QPainter(photo)
    painter.fillRect(400, 100, 200, 200, QColor("red"))  # the face
    painter.end()
    face = face_thumbnail(photo, 400, 100, 600, 300)
    assert max(face.width(), face.height()) == 96
    assert face.pixelColor(48, 48) == QColor("red") and face.pixelColor(2, 2) == QColor("white")  # with a margin
    dialog = PersonPickerDialog("RWS Instagram", search, shown_in_photo=set(), face=face)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.face.isVisible() and dialog.face.pixmap().toImage().pixelColor(48, 48) == QColor("red")
    plain = PersonPickerDialog("RWS Instagram", search, shown_in_photo=set())
    qtbot.addWidget(plain)
    plain.show()
    assert not plain.face.isVisible()
    shown: list = []

    def answered(*args, **kwargs) -> PersonPickerDialog:
        """The real dialog, cancelled as soon as it is up, after noting the face it showed."""
        dialog = PersonPickerDialog(*args, **kwargs)
        qtbot.addWidget(dialog)

        def look() -> None:
            shown.append(dialog.face.pixmap().toImage().size())
            dialog.reject()

        QTimer.singleShot(0, look)
        return dialog

    monkeypatch.setattr(dialog_questions, "PersonPickerDialog", answered)
    questions = dialog_questions.DialogQuestions(None)
    questions.face_image = lambda: face
    assert questions.ask_person("RWS Instagram", search, set()) is None
    assert shown == [face.size()]  # the window's questions pass the selected face to the dialog
