"""Enrolling reference faces from the shared test photos: one face per photo, each kept with a face thumbnail."""
from __future__ import annotations

import io
from datetime import date

import numpy as np
import pytest
from PIL import Image

from register_helpers import audit_entries
from sessions import record_dpia
from rws_desktop.core.kernel.consent import PersonKind
from rws_desktop.core.kernel.ports import NewPerson, RegisterError
from rws_desktop.core.faces.thumbnails import THUMBNAIL_PX

pytestmark = pytest.mark.photos
TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def dpia_recorded(store):
    """Enrolment needs the DPIA recorded first (see test_accounts_dpia.py for when it is not)."""
    record_dpia(store)


def test_enrolment_adds_one_face_per_good_photo_and_refuses_a_group_photo(register, store, testdata, detector, encoder, tmp_path):
    """Two portraits are enrolled with thumbnails; a group photo and a photo of a plain wall are refused, saying
    why, adding nothing."""
    person = register.add_person(NewPerson("Ezra Quill", kind=PersonKind.STAFF), TODAY)
    register.set_biometric_consent(person.id, TODAY, adult_consent=True)
    photos = testdata / "photos"
    group, wall = photos / "two_people.jpg", tmp_path / "wall.jpg"
    Image.new("RGB", (640, 480), (150, 140, 128)).save(wall)
    portraits = sorted((photos / "people/train/obama").iterdir())
    results = register.enrol(person.id, [group, *portraits, wall], detector, encoder, TODAY)
    assert [(r.photo, r.added) for r in results] == [(group, False), *[(p, True) for p in portraits], (wall, False)]
    assert results[0].reason == "2 faces found; a reference photo must show one person only"
    assert results[-1].reason == "no face found in this photo"
    faces = register.reference_faces(person.id)
    assert [f.id for f in faces] == [r.reference_id for r in results if r.added]
    added = [e for e in audit_entries(store) if e["kind"] == "reference_face_added"]
    assert [e["reference_id"] for e in added] == [f.id for f in faces]


def test_thumbnail_shows_the_enrolled_face(register, testdata, detector, encoder):
    """The stored thumbnail is a small upright JPEG in which the same person's face is found and matches the reference."""
    person = register.add_person(NewPerson("Ezra Quill", kind=PersonKind.STAFF), TODAY)
    register.set_biometric_consent(person.id, TODAY, adult_consent=True)
    photo = testdata / "photos/people/train/obama/obama.jpg"
    (result,) = register.enrol(person.id, [photo], detector, encoder, TODAY)
    (face,) = register.reference_faces(person.id)
    thumbnail = Image.open(io.BytesIO(face.thumbnail_jpeg))
    assert thumbnail.format == "JPEG" and thumbnail.size == (THUMBNAIL_PX, THUMBNAIL_PX)
    assert not thumbnail.getexif()
    thumbnail = thumbnail.convert("RGB")
    (found,) = detector.detect(thumbnail)
    upright = Image.open(photo).convert("RGB")
    (original,) = [f for f in detector.detect(upright) if f.score > 0.8]
    distance = np.linalg.norm(encoder.encode_all(thumbnail, [found])[0] - encoder.encode_all(upright, [original])[0])
    assert distance < 0.45, distance


def test_leaving_deletes_reference_faces_and_thumbnails(register, testdata, detector, encoder):
    """Marking a leaver removes every reference face with its thumbnail; enrolling them again is refused."""
    person = register.add_person(NewPerson("Ezra Quill", kind=PersonKind.STAFF), TODAY)
    register.set_biometric_consent(person.id, TODAY, adult_consent=True)
    register.enrol(person.id, [testdata / "photos/obama_small.jpg"], detector, encoder, TODAY)
    assert len(register.reference_faces(person.id)) == 1
    assert register.mark_left(person.id, TODAY) == 1
    assert register.reference_faces(person.id) == []
    with pytest.raises(RegisterError, match="has left the school"):
        register.enrol(person.id, [testdata / "photos/obama.jpg"], detector, encoder, TODAY)
