"""A PC without the reference-face key (kept only in memory by an earlier run, or never imported here) cannot read
the register's reference faces: each face then says that, not that nobody may be shown on the channel."""
from __future__ import annotations

from datetime import date
from unittest.mock import MagicMock

import numpy as np

from rws_desktop.app import App
from rws_desktop.core.faces.detection import DetectedFace, FaceDetector
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.recognition import FaceEncoder
from rws_desktop.core.kernel.consent import ALL_CHANNELS, BiometricConsent, ConsentStatus, PhotoConsent
from rws_desktop.core.kernel.decisions import NOBODY_MAY_BE_SHOWN, REFERENCES_UNREADABLE, Action
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.core.vetting.analysis import PhotoAnalyser, RegisterSnapshot
from rws_desktop.keys import MemoryKeyStore
from tests.sessions import record_dpia

TODAY = date.today()


def one_face_seen() -> PhotoAnalyser:
    detector = MagicMock(spec=FaceDetector)
    detector.detect.return_value = [DetectedFace(Box(10, 10, 50, 50), (30.0, 30.0), 40.0, 0.0, 2.0)]
    encoder = MagicMock(spec=FaceEncoder)
    encoder.encode_all.return_value = [np.zeros(128)]
    return PhotoAnalyser(detector, encoder)


def school_with_ada(url: str, keys: MemoryKeyStore, channel: str = ALL_CHANNELS) -> None:
    """Ada, enrolled with biometric consent and one reference face, may be shown on `channel`."""
    app = App.open(url, workers=1, key_store=keys)
    try:
        record_dpia(app.database)
        with app.database.transaction() as tx:
            ada = tx.register.add_person(NewPerson("Ada Example"))
            tx.register.put_biometric_consent(BiometricConsent(ada.id, parent_consent=True))
            tx.register.put_photo_consent(PhotoConsent(ada.id, channel, ConsentStatus.GRANTED, date(2026, 1, 1)))
            tx.register.add_reference_face(ada.id, np.zeros(128), "ab" * 32, TODAY, None)
    finally:
        app.close()


def vet_one_face(url: str, keys: MemoryKeyStore):
    app = App.open(url, workers=1, key_store=keys)
    try:
        snapshot = RegisterSnapshot.load(app.database, TODAY)
        channel = app.channels.get("instagram")
    finally:
        app.close()
    return snapshot, one_face_seen().analyse(None, channel, snapshot, TODAY)


def test_without_the_key_each_face_says_the_reference_faces_cannot_be_read(tmp_path):
    """Ada may be shown on every channel, but this PC's key store is empty: her reference face is counted as
    unreadable, the face is blurred without encoding, and its reason says the reference faces cannot be read."""
    url = f"sqlite:///{tmp_path / 'rws.sqlite3'}"
    school_with_ada(url, MemoryKeyStore())
    snapshot, (report,) = vet_one_face(url, MemoryKeyStore())
    assert snapshot.unreadable_references == 1 and snapshot.gallery.person_ids() == set()
    assert report.action is Action.BLURRED and report.person_id is None
    assert report.reason == REFERENCES_UNREADABLE


def test_with_the_key_and_nobody_consenting_the_reason_is_still_that_nobody_may_be_shown(tmp_path):
    """The same school on the PC that holds the key, Ada consenting for WhatsApp only: nothing is unreadable and
    the reason for Instagram stays "nobody enrolled has consent for this channel"."""
    url, keys = f"sqlite:///{tmp_path / 'rws.sqlite3'}", MemoryKeyStore()
    school_with_ada(url, keys, channel="whatsapp")
    snapshot, (report,) = vet_one_face(url, keys)
    assert snapshot.unreadable_references == 0 and len(snapshot.gallery.person_ids()) == 1
    assert report.reason == NOBODY_MAY_BE_SHOWN
