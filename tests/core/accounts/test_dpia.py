"""Before the DPIA is recorded: nobody is recognised and nobody enrolled, but a face can still be shown by hand."""
from __future__ import annotations

from datetime import date
from unittest.mock import MagicMock

import numpy as np
import pytest
from PIL import Image

from register_helpers import give_reference_faces
from rws_desktop.core.kernel.consent import ALL_CHANNELS, ConsentStatus, FaceConsent, PersonKind
from rws_desktop.core.faces.detection import FaceDetector
from rws_desktop.core.accounts.dpia import DpiaService
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.imaging import load_photo
from rws_desktop.core.kernel.permissions import Role
from rws_desktop.core.kernel.ports import NewPerson, RegisterError
from rws_desktop.core.faces.recognition import FaceEncoder
from rws_desktop.core.vetting.review import PhotoReview
from rws_desktop.core.vetting.review_service import ReviewService
from rws_desktop.core.vetting.analysis import Action, Decision, FaceReport, PhotoResult, RegisterSnapshot
from sessions import signed_in

TODAY = date(2026, 11, 24)


@pytest.fixture
def ada(register, store) -> int:
    """Ada, staff, consenting to photos and to recognition, with two reference faces already stored."""
    person = register.add_person(NewPerson("Ada Birch", PersonKind.STAFF), TODAY)
    register.set_biometric_consent(person.id, TODAY, adult_consent=True)
    register.set_photo_consent(person.id, ALL_CHANNELS, ConsentStatus.GRANTED, date(2026, 9, 1))
    give_reference_faces(store, person.id, 2, TODAY)
    return person.id


def test_without_a_dpia_the_gallery_is_empty_and_enrolment_is_refused(store, channels, register, ada, tmp_path):
    """Reference faces exist, yet the snapshot vetting uses holds none until an admin records the DPIA; enrolling
    is refused saying what to do. After `dpia record` the same snapshot holds Ada."""
    assert not RegisterSnapshot.load(store, TODAY).gallery.person_ids()
    with pytest.raises(RegisterError, match="rws dpia record --reference REF"):
        register.enrol(ada, [tmp_path / "a.jpg"], MagicMock(spec=FaceDetector), MagicMock(spec=FaceEncoder), TODAY)
    DpiaService(store, signed_in(store, channels, "ADM", Role.ADMIN)).record("DPIA-1", date(2026, 9, 1), "Test DPO", TODAY)
    assert set(RegisterSnapshot.load(store, TODAY).gallery.person_ids()) == {ada}


def test_without_a_dpia_comms_can_still_show_a_face_by_picking_a_consenting_person(store, channels, ada, tmp_path):
    """The 2012 Act's reasonable alternative: with recognition off, MSN shows a blurred face as Ada by hand."""
    path = tmp_path / "a.jpg"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (200, 400, 3), dtype=np.uint8)).save(path)
    face = FaceReport(Box(20, 60, 80, 120), None, None, FaceConsent.UNKNOWN_PERSON, Action.BLURRED, "not recognised")
    review = PhotoReview(PhotoResult(path, Decision.REDACTED, "1 of 1 faces blurred", [face], source_sha256=load_photo(path).sha256))
    service = ReviewService(store, channels, signed_in(store, channels, "MSN", Role.COMMS))
    service.show_face(review, "instagram", 0, ada, "Ada, confirmed by her line manager", TODAY)
    assert review.faces()[0].action is Action.SHOWN and review.decision()[0] is Decision.APPROVED
