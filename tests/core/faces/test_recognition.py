"""The encoder gives exactly face_recognition's encodings, without importing face_recognition (whose import
loads three models vetting never uses), so the register's references still match."""
from __future__ import annotations

import subprocess
import sys

import numpy as np

from rws_desktop.core.faces.detection import upright_patch
from rws_desktop.core.faces.imaging import load_photo
from rws_desktop.core.faces.recognition import FaceEncoder


def test_encodings_are_face_recognitions_to_the_last_digit(testdata, detector):
    """For each face in a group photo, the encoder's 128 numbers equal face_recognition.face_encodings' own."""
    import face_recognition

    image = load_photo(testdata / "photos/people/test/obama_and_biden.jpg").image
    faces = detector.detect(image)
    assert len(faces) >= 2
    ours = FaceEncoder().encode_all(image, faces)
    for face, encoding in zip(faces, ours):
        patch, square = upright_patch(image.convert("RGB"), face)
        [expected] = face_recognition.face_encodings(np.asarray(patch), [(square.top, square.right, square.bottom,
                                                                          square.left)])
        assert np.array_equal(encoding, expected)


def test_making_an_encoder_does_not_import_face_recognition():
    """A worker building its encoder loads dlib's two models only."""
    code = ("import sys; from rws_desktop.core.faces.recognition import FaceEncoder; FaceEncoder(); "
            "print('face_recognition' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
