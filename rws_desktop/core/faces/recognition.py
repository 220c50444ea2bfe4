"""Turning a detected face into a 128-number encoding for matching.

The encoding is computed on a patch turned so the face is upright (for a tilted face,
as its detection pass saw it), because dlib's landmark model expects upright faces.
Encodings live only in memory here; storing one is the register's job, and only
for enrolled people with biometric consent.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from .detection import DetectedFace, upright_patch


class FaceEncoder:
    def __init__(self, jitters: int = 1):
        import face_recognition  # deferred: loads dlib's models

        self._face_encodings = face_recognition.face_encodings
        self._jitters = jitters

    def encode_all(self, image: Image.Image, faces: list[DetectedFace]) -> list[np.ndarray | None]:
        rgb = image.convert("RGB")
        encodings = []
        for face in faces:
            patch, square = upright_patch(rgb, face)
            location = (square.top, square.right, square.bottom, square.left)
            found = self._face_encodings(np.asarray(patch), known_face_locations=[location], num_jitters=self._jitters)
            encodings.append(found[0] if found else None)
        return encodings
