"""Turning a detected face into a 128-number encoding for matching.

The encoding is computed on a patch turned so the face is upright (for a tilted face,
as its detection pass saw it), because dlib's landmark model expects upright faces.
Encodings live only in memory here; storing one is the register's job, and only
for enrolled people with biometric consent.
"""
from __future__ import annotations

import functools
from importlib import resources

import numpy as np
from PIL import Image

from .detection import DetectedFace, upright_patch

# dlib's two models the encoder uses, as face_recognition_models names them.
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
    """The two model files, shipped inside the package (rws_desktop/models, see its NOTICE): the same bytes as
    face_recognition_models' copies, without that package's 100 MB 68-point model or its pkg_resources import."""
    folder = resources.files("rws_desktop") / "models"
    files = (folder / LANDMARKS_FILE, folder / ENCODER_FILE)
    missing = [file.name for file in files if not file.is_file()]
    if missing:
        raise FileNotFoundError(f"dlib's face models ({', '.join(missing)}) are missing from this copy of the app: "
                                f"expected in {folder}. Reinstall it.")
    return str(files[0]), str(files[1])
