"""Fixtures for the clip tests: face crops from the shared photos, a register of enrolled people,
and analysers with the real detector (or one that is told to miss)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))

from clip_helpers import BIDEN, CROPS, OBAMA, QUICK  # noqa: E402

from rws_desktop.core.clips.pipeline import ClipAnalyser  # noqa: E402
from rws_desktop.core.clips.service import clip_analyser  # noqa: E402
from rws_desktop.core.faces.matching import Gallery  # noqa: E402
from rws_desktop.core.kernel.consent import Person, PhotoConsent  # noqa: E402
from rws_desktop.core.vetting.analysis import RegisterSnapshot  # noqa: E402


@pytest.fixture(scope="session")
def faces(testdata) -> dict[str, Image.Image]:
    """110-pixel crops, face about 70 pixels wide: Obama (not a training photo), Lin-Manuel Miranda (never enrolled)."""
    return {name: Image.open(testdata / path).convert("RGB").crop(box).resize((110, 110), Image.Resampling.LANCZOS)
            for name, (path, box) in CROPS.items()}


@pytest.fixture(scope="session")
def gallery(testdata, detector, encoder) -> Gallery:
    """Obama and Biden enrolled from their training photos (in memory only)."""
    references = {}
    for person_id, folder in ((OBAMA, "obama"), (BIDEN, "biden")):
        encodings = []
        for path in sorted((testdata / "photos/people/train" / folder).iterdir()):
            image = Image.open(path).convert("RGB")
            found = detector.detect(image)
            encodings.append(encoder.encode_all(image, [max(found, key=lambda f: f.size)])[0])
        references[person_id] = encodings
    return Gallery(references)


@pytest.fixture
def register_with(gallery):
    """A register snapshot of Obama and Biden with the consents given."""
    def make(*consents: PhotoConsent) -> RegisterSnapshot:
        people = {OBAMA: Person(OBAMA, "Barack Obama"), BIDEN: Person(BIDEN, "Joe Biden")}
        by_person: dict[int, list] = {}
        for record in consents:
            by_person.setdefault(record.person_id, []).append(record)
        return RegisterSnapshot(people, by_person, gallery)
    return make


@pytest.fixture(scope="session")
def analyser(encoder) -> ClipAnalyser:
    return clip_analyser(encoder, QUICK)
