"""Names shared by the clip tests (kept out of conftest.py, which pytest loads under a shared name)."""
from __future__ import annotations

import threading
from datetime import date

from rws_desktop.core.clips.pipeline import ClipSettings
from rws_desktop.core.faces.detection import DetectedFace
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.kernel.channels import Channel, ChannelStatus
from rws_desktop.core.kernel.consent import ALL_CHANNELS, ConsentStatus, PhotoConsent

TODAY = date(2026, 12, 1)
INSTAGRAM = Channel("instagram", "RWS Instagram", "Instagram", "ravens.wood.school", ("MSN",), ChannelStatus.LIVE)
OBAMA, BIDEN = 1, 2
# Short clips at 10 frames a second, faces looked for every third frame: quick, and still several rounds.
QUICK = ClipSettings(detect_every_s=0.3)
# A square around each face (stored pixels), with room for hair and chin.
CROPS = {"obama": ("photos/people/test/obama1.jpg", (470, 120, 1030, 680)),
         "lin": ("photos/lin-manuel-miranda.png", (167, 101, 647, 581))}


def consent(person_id: int, status: ConsentStatus, channel: str = ALL_CHANNELS) -> PhotoConsent:
    return PhotoConsent(person_id, channel, status, date(2026, 9, 1), date(2027, 8, 31))


class MissingDetector:
    """The real detector, but finding nothing on the rounds listed (0 is the first call)."""

    def __init__(self, real, misses: set[int]):
        self.real, self.misses, self.calls = real, misses, 0
        self.settings = real.settings
        self._counting = threading.Lock()  # rounds are looked at from two threads at once

    def detect(self, image):
        with self._counting:
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
