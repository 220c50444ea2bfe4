"""A clip that cannot be read or vetted gets a plain reason, without FFmpeg's or Python's own words, which go to
the log for IT support."""
from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pytest
from clip_factory import background, write_clip
from clip_helpers import INSTAGRAM

from rws_desktop.core.clips.media import ClipLoadError, probe
from rws_desktop.core.clips.pipeline import ClipAnalyser, ClipSettings
from rws_desktop.core.clips.service import analyse_clip
from rws_desktop.core.faces.matching import Gallery
from rws_desktop.core.kernel.decisions import Decision
from rws_desktop.core.vetting.analysis import RegisterSnapshot

NOBODY = RegisterSnapshot({}, {}, Gallery({}))


class BrokenDetector:
    def detect(self, image):
        raise ValueError("operands could not be broadcast together with shapes (3,) (4,)")


class NoEncoder:
    def encode_all(self, image, faces):
        raise AssertionError("not reached")


def test_random_bytes_named_mp4_are_refused_without_ffmpeg_wording(tmp_path, caplog):
    """FFmpeg's "Invalid data found when processing input" stays in the log; staff read which formats are read."""
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(np.random.default_rng(1).bytes(20_000))
    with caplog.at_level(logging.INFO, logger="rws_desktop"), pytest.raises(ClipLoadError) as refused:
        probe(noise)
    assert str(refused.value) == "This is not a clip the app can read (MP4, MOV, M4V or WebM)."
    assert "Invalid data" in caplog.text


def test_the_face_finder_failing_on_a_clip_gives_a_plain_reason_and_logs_the_detail(tmp_path, caplog):
    """The detector raising on a clip's frame makes the clip an error entry in plain words, nothing written; the log
    keeps the exception."""
    clip = write_clip(tmp_path / "clip.mp4", 5, lambda index: background((64, 48)))
    analyser = ClipAnalyser(BrokenDetector(), NoEncoder(), ClipSettings())
    with caplog.at_level(logging.INFO, logger="rws_desktop"):
        analysis = analyse_clip(clip, tmp_path / "out" / "safe.mp4", INSTAGRAM, NOBODY, date(2026, 12, 1), analyser)
    reason = analysis.result.reason
    assert analysis.result.decision is Decision.ERROR and analysis.pending is None
    assert "could not be vetted" in reason and "log file" in reason
    assert "operands" not in reason and "ValueError" not in reason and "Traceback" not in reason
    assert "ValueError" in caplog.text and "operands could not be broadcast" in caplog.text
    assert list((tmp_path / "out").iterdir()) == []
