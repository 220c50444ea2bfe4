"""The label drawn on a blurred face agrees with the sentence listed beside the photo."""
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.kernel.consent import FaceConsent
from rws_desktop.core.kernel.decisions import NOBODY_MAY_BE_SHOWN, REFERENCES_UNREADABLE, Action
from rws_desktop.core.vetting.analysis import FaceReport
from rws_desktop.ui.face_words import face_label, face_sentence


def unknown(reason: str) -> FaceReport:
    return FaceReport(Box(0, 0, 40, 40), None, None, FaceConsent.UNKNOWN_PERSON, Action.BLURRED, reason)


def test_a_face_not_looked_up_is_labelled_not_looked_up_on_the_photo_as_in_the_list():
    """When nobody in the register may be shown on the channel, no face is compared with the register: the list
    says "Not looked up", and the label on the photo said "not recognised", which claims a comparison that was
    never made. Both now say not looked up; a face compared and not matched, or one whose reference faces could
    not be read (the list says "Not recognised" for those), keeps "not recognised"."""
    not_looked_up = unknown(NOBODY_MAY_BE_SHOWN)
    assert face_sentence(not_looked_up, {}, "RWS Instagram").startswith("Not looked up")
    assert face_label(not_looked_up, {}) == "Blurred: not looked up"
    for reason in ("not enrolled or not recognised", REFERENCES_UNREADABLE):
        assert face_sentence(unknown(reason), {}, "RWS Instagram").startswith("Not recognised")
        assert face_label(unknown(reason), {}) == "Blurred: not recognised"
