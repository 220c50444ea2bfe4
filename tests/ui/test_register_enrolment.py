"""Reference faces from photo files: one face per photo, shown as a thumbnail, refused photos explained."""
from __future__ import annotations

from register_window import add_pupils, audit, choose, settle, table_names

ENROL_MS = 120_000  # dlib loads its models on first use, then takes a second or so a photo


SMALL_FACE = "the face is too small (34 pixels wide; at least 60 needed)"


def test_enrolling_from_photos_adds_only_clear_single_faces_and_shows_them(qtbot, register_ui, testdata):
    """With a parent's consent, three photos are enrolled off the UI thread (the table still filters while
    they are checked): the single face is added and shown as a face thumbnail; the two-person photo and the
    dogs photo are refused, each with the reason, and add nothing. A wrong face can be removed."""
    workspace, answers, db, _ids = register_ui
    pupil = add_pupils(workspace, [("Kim Kestrel", "UPN-K1", 9, "9A")])["Kim Kestrel"]
    workspace.app.register.set_biometric_consent(pupil, workspace.today(), parent_consent=True)
    workspace.reload()
    settle(qtbot, workspace)
    choose(qtbot, workspace, pupil)
    faces = workspace.panel.faces
    assert faces.add.isEnabled() and faces.faces.count() == 0
    photos = testdata / "photos"
    answers.reference_photos = [photos / "obama.jpg", photos / "two_people.jpg", photos / "no_faces_dogs.jpg"]

    faces.add.click()
    assert workspace.busy and not faces.add.isEnabled() and faces.status.text() == "Finding the face in 3 photos…"
    qtbot.keyClicks(workspace.search, "kestrel")  # the window answers while dlib works
    assert table_names(workspace) == ["Kim Kestrel"] and workspace.busy
    settle(qtbot, workspace, ENROL_MS)

    assert faces.faces.count() == 1 and faces.title() == "Reference faces (1)"
    icon = faces.faces.item(0).icon()
    assert not icon.isNull() and icon.pixmap(96, 96).width() == 96
    assert faces.status.text().splitlines() == [
        "obama.jpg: reference face added",
        "two_people.jpg: 2 faces found; a reference photo must show one person only",
        # Its only face is printed on a cover lying sideways, 34 pixels wide: found, and too small.
        f"no_faces_dogs.jpg: {SMALL_FACE}",
    ]
    title, text = answers.told[-1]
    assert title == "Some photos were not added"
    assert "two_people.jpg: 2 faces found" in text and f"no_faces_dogs.jpg: {SMALL_FACE}" in text
    assert "Nothing was added from these" in text
    added = [e for e in audit(db) if e["kind"] == "reference_face_added" and e["person_id"] == pupil]
    assert len(added) == 1
    assert workspace.model.rows[0].enrolled == 1  # the table counts the new face

    answers.reference_photos = [photos / "two_people.jpg"]
    faces.add.click()
    settle(qtbot, workspace, ENROL_MS)
    assert faces.faces.count() == 1 and "2 faces found" in answers.told[-1][1]

    faces.faces.setCurrentRow(0)
    assert faces.remove.isEnabled()
    faces.remove.click()
    settle(qtbot, workspace)
    assert answers.asked[-1][0] == "Remove this reference face?"
    assert faces.faces.count() == 0 and not workspace.app.register.reference_faces(pupil)
    assert audit(db)[-1]["kind"] == "reference_face_removed"
