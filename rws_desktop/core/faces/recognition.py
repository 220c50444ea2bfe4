"""Turning a detected face into a 128-number encoding for matching.

The encoding is computed on a patch turned so the face is upright (for a tilted face,
as its detection pass saw it), because dlib's landmark model expects upright faces.
Encodings live only in memory here; storing one is the register's job, and only
for enrolled people with biometric consent.
"""
from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from .detection import DetectedFace, upright_patch

# face_recognition_models' files for the two models the encoder uses.
LANDMARKS_FILE = "shape_predictor_5_face_landmarks.dat"
ENCODER_FILE = "dlib_face_recognition_resnet_model_v1.dat"


class FaceEncoder:
    """dlib's ResNet encoder after its 5-point landmarks, as face_recognition's `face_encodings` runs them (the
    same two models, the same calls, so the same numbers), loaded without importing face_recognition: its
    import also loads the 68-point, HOG and CNN models, which vetting never uses (about 2 s per worker)."""

    def __init__(self, jitters: int = 1):
        self._landmarks, self._encoder = _models()
        self._jitters = jitters

    def encode_all(self, image: Image.Image, faces: list[DetectedFace]) -> list[np.ndarray | None]:
        import dlib

        rgb = image.convert("RGB")
        encodings = []
        for face in faces:
            patch, square = upright_patch(rgb, face)
            pixels = np.asarray(patch)
            landmarks = self._landmarks(pixels, dlib.rectangle(square.left, square.top, square.right, square.bottom))
            encodings.append(np.array(self._encoder.compute_face_descriptor(pixels, landmarks, self._jitters)))
        return encodings


@functools.lru_cache(maxsize=1)
def _models():
    """dlib's 5-point landmark model and face encoder, loaded once per process (deferred: they take a second)."""
    import dlib

    landmarks, encoder = _model_files()
    return dlib.shape_predictor(landmarks), dlib.face_recognition_model_v1(encoder)


def _model_files() -> tuple[str, str]:
    """The two model files face_recognition_models ships, found without importing it where possible: its import
    loads pkg_resources, a fifth of a second in every worker. The bundle's stand-in for the package (see
    bundle/rthook_face_models.py) is already imported, and answers."""
    package = sys.modules.get("face_recognition_models")
    if package is None:
        spec = importlib.util.find_spec("face_recognition_models")
        folders = list(spec.submodule_search_locations or []) if spec is not None else []
        for folder in folders:
            files = (Path(folder) / "models" / LANDMARKS_FILE, Path(folder) / "models" / ENCODER_FILE)
            if all(file.is_file() for file in files):
                return str(files[0]), str(files[1])
        import face_recognition_models as package
    return package.pose_predictor_five_point_model_location(), package.face_recognition_model_location()
