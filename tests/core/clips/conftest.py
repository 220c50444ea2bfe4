"""Fixtures for the clip tests: face crops from the shared photos, a register of enrolled people,
and analysers with the real detector (or one that is told to miss)."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))

from rws_desktop.core.clips.pipeline import ClipAnalyser, ClipSettings  # noqa: E402
from rws_desktop.core.clips.service import clip_analyser  # noqa: E402
from rws_desktop.core.faces.detection import DetectedFace  # noqa: E402
from rws_desktop.core.faces.geometry import Box  # noqa: E402
from rws_desktop.core.faces.matching import Gallery  # noqa: E402
from rws_desktop.core.kernel.channels import Channel, ChannelStatus  # noqa: E402
from rws_desktop.core.kernel.consent import ALL_CHANNELS, ConsentStatus, Person, PhotoConsent  # noqa: E402
from rws_desktop.core.vetting.analysis import RegisterSnapshot  # noqa: E402

TODAY = date(2026, 12, 1)
INSTAGRAM = Channel("instagram", "RWS Instagram", "Instagram", "ravens.wood.school", ("MSN",), ChannelStatus.LIVE)
OBAMA, BIDEN = 1, 2
# Short clips at 10 frames a second, faces looked for every third frame: quick, and still several rounds.
QUICK = ClipSettings(detect_every_s=0.3)
# A square around each face (stored pixels), with room for hair and chin.
CROPS = {"obama": ("photos/people/test/obama1.jpg", (470, 120, 1030, 680)),
         "lin": ("photos/lin-manuel-miranda.png", (167, 101, 647, 581))}


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


def consent(person_id: int, status: ConsentStatus, channel: str = ALL_CHANNELS) -> PhotoConsent:
    return PhotoConsent(person_id, channel, status, date(2026, 9, 1), date(2027, 8, 31))


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


class MissingDetector:
    """The real detector, but finding nothing on the rounds listed (0 is the first call)."""

    def __init__(self, real, misses: set[int]):
        self.real, self.misses, self.calls = real, misses, 0
        self.settings = real.settings

    def detect(self, image):
        call, self.calls = self.calls, self.calls + 1
        return [] if call in self.misses else self.real.detect(image)


class FixedDetector:
    """Reports one face at a fixed square on every frame: for tests about the file, not the faces."""

    def __init__(self, box: Box | None):
        self.box = box

    def detect(self, image):
        if self.box is None:
            return []
        b = self.box
        return [DetectedFace(b, b.center, float(b.width), 0.0, 2.0)]
