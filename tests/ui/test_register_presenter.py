"""The register workspace's presenter, without a window: which reads are current, what it asks before a
change that deletes reference faces, and the sentences the office sees."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rws_desktop.core.kernel.channels import ChannelCatalogue
from rws_desktop.core.kernel.consent import BiometricConsent, ConsentStatus, Person
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.ui.register.presenter import RegisterPresenter

TODAY = date(2026, 12, 1)
CHANNELS = Path(__file__).resolve().parents[2] / "resources" / "channels.toml"
PUPIL = Person(1, "Amelia Khan", year_group=8)


@pytest.fixture
def presenter() -> RegisterPresenter:
    return RegisterPresenter(ChannelCatalogue.from_toml(CHANNELS), lambda: TODAY)


def test_only_the_newest_read_of_each_kind_is_current(presenter):
    """Reads finish out of order: an older people or details read is ignored once a newer one has started."""
    first, second = presenter.start_people_read(), presenter.start_people_read()
    assert not presenter.people_read_is_current(first) and presenter.people_read_is_current(second)
    old = presenter.start_details_read(1)
    new = presenter.start_details_read(2)
    assert presenter.details_for == 2
    assert not presenter.details_read_is_current(old) and presenter.details_read_is_current(new)


def test_a_leaving_date_asks_first_only_when_reference_faces_would_be_deleted(presenter):
    """A first leaving date with faces on file asks; without faces, or when the date was already set, it does not."""
    leaving = NewPerson("Amelia Khan", year_group=8, leaving_date=date(2027, 7, 20))
    question = presenter.leaving_question(PUPIL, leaving, faces=2)
    assert question is not None and "2 reference faces" in question.text and "always blurred" in question.text
    assert presenter.leaving_question(PUPIL, leaving, faces=0) is None
    already = Person(1, "Amelia Khan", leaving_date=date(2027, 7, 20))
    assert presenter.leaving_question(already, leaving, faces=2) is None
    assert presenter.leaving_question(PUPIL, NewPerson("Amelia Khan"), faces=2) is None


def test_biometric_answers_that_stop_recognition_ask_before_deleting_faces(presenter):
    """An objection with faces on file asks and gives the reason; answers that still allow recognition do not ask."""
    consented = BiometricConsent(1, parent_consent=True)
    question = presenter.biometric_question(PUPIL, consented, {"pupil_objection": True}, faces=1)
    assert question is not None and "the pupil objects" in question.text
    assert presenter.biometric_question(PUPIL, consented, {"parent_consent": True}, faces=1) is None
    assert presenter.biometric_question(PUPIL, consented, {"pupil_objection": True}, faces=0) is None


def test_a_consent_change_away_from_granted_opens_the_impact_list(presenter):
    """Withdrawn consent gives the reason shown above the impact list; granted consent gives none."""
    channel = presenter.channels.keys()[0]
    assert presenter.consent_lost(PUPIL, channel, ConsentStatus.GRANTED) is None
    reason = presenter.consent_lost(PUPIL, channel, ConsentStatus.WITHDRAWN)
    assert reason.startswith("Amelia Khan's photo consent for ") and reason.endswith("was withdrawn.")
    assert "recorded in the audit log" in presenter.consent_saved(PUPIL, channel, ConsentStatus.GRANTED)


def test_sentences_count_faces_in_plain_words(presenter):
    """One face and several faces read naturally, and nothing added claims an audit entry."""
    assert presenter.faces_added(PUPIL, 1) == "1 reference face added for Amelia Khan; recorded in the audit log."
    assert presenter.faces_added(PUPIL, 3).startswith("3 reference faces added")
    assert presenter.faces_added(PUPIL, 0) == "0 reference faces added for Amelia Khan."
    assert "2 reference faces deleted" in presenter.biometric_saved(PUPIL, False, 2)
    assert "can be recognised." in presenter.biometric_saved(PUPIL, True, 0)


def test_the_consent_column_says_when_someone_is_granted_for_some_channels_only():
    """In the all-channels view a per-channel grant reads as such, not as a red "No consent"."""
    from rws_desktop.core.kernel.consent import FaceConsent
    from rws_desktop.core.register.people_query import PeopleRow
    from rws_desktop.ui.register.people_model import consent_text

    some = PeopleRow(PUPIL, 0, True, FaceConsent.NO_CONSENT, "no consent recorded", granted_channels=("instagram",))
    assert consent_text(some) == "Granted for 1 channel"
    assert consent_text(PeopleRow(PUPIL, 0, True, FaceConsent.NO_CONSENT, "no consent recorded")) == "No consent"


def test_one_reference_face_is_counted_in_the_singular(qtbot, presenter):
    """With one reference face on file, the questions and messages say "1 reference face" ("is deleted"), never
    "1 reference face(s)"; the leavers dialog's outcome does the same."""
    from rws_desktop.ui.register.leavers_dialog import LeaversDialog

    leaving = NewPerson("Amelia Khan", year_group=8, leaving_date=date(2027, 7, 20))
    assert "Amelia Khan's 1 reference face at once" in presenter.leaving_question(PUPIL, leaving, faces=1).text
    objection = presenter.biometric_question(PUPIL, BiometricConsent(1, parent_consent=True), {"pupil_objection": True}, 1)
    assert objection is not None and "their 1 reference face is deleted at once" in objection.text
    assert "; 1 reference face deleted." in presenter.biometric_saved(PUPIL, False, 1)
    dialog = LeaversDialog(TODAY)
    qtbot.addWidget(dialog)
    dialog.show_done(1, 1)
    assert "1 reference face deleted" in dialog.outcome.text() and "(s)" not in dialog.outcome.text()
