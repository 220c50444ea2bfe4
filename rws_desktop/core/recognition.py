"""Turning a detected face into a 128-number encoding for matching.

The encoding is computed in the frame where the face was seen upright (a rotated
pass, for a tilted face), because dlib's landmark model expects upright faces.
Encodings live only in memory here; storing one is the register's job, and only
for enrolled people with biometric consent.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from .detection import DetectedFace


class FaceEncoder:
    def __init__(self, jitters: int = 1):
        import face_recognition  # deferred: loads dlib's models

        self._face_encodings = face_recognition.face_encodings
        self._jitters = jitters

    def encode_all(self, image: Image.Image, faces: list[DetectedFace]) -> list[np.ndarray | None]:
        frames: dict[float, np.ndarray] = {}
        encodings = []
        for face in faces:
            if face.angle not in frames:
                turned = image.rotate(face.angle, resample=Image.Resampling.BICUBIC, expand=True) if face.angle else image
                frames[face.angle] = np.asarray(turned.convert("RGB"))
            frame = frames[face.angle]
            box = face.box_in_pass
            location = (max(0, box.top), min(frame.shape[1], box.right), min(frame.shape[0], box.bottom), max(0, box.left))
            found = self._face_encodings(frame, known_face_locations=[location], num_jitters=self._jitters)
            encodings.append(found[0] if found else None)
        return encodings
