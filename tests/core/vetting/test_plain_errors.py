"""When decoding or analysing a photo fails in a way nobody foresaw, staff read a plain reason (no traceback, no
Python class name, none of the library's own words) and the log keeps the technical detail for IT support."""
from __future__ import annotations

import logging
import re
import sys
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from unittest.mock import MagicMock

from PIL import ImageFile

from bad_photos import gradient, jpeg_bytes
from rws_desktop.core.faces.detection import FaceDetector
from rws_desktop.core.faces.matching import Gallery
from rws_desktop.core.faces.recognition import FaceEncoder
from rws_desktop.core.kernel.channels import Channel, ChannelStatus
from rws_desktop.core.vetting.analysis import Decision, PhotoAnalyser, RegisterSnapshot, analyse_photo
from rws_desktop.core.vetting.batch import _outcome

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from fuzz_inputs import RAW_WORDING  # noqa: E402

INSTAGRAM = Channel("instagram", "RWS Instagram", "Instagram", "ravens.wood.school", ("MSN",), ChannelStatus.LIVE)
NOBODY = RegisterSnapshot({}, {}, Gallery({}))
# A Python class name in a message: CamelCase ending in Error or Exception, or a dotted module path.
CLASS_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]*)*(?:Error|Exception)\b|\b[a-z_]+\.[a-z_]+\.[A-Za-z_]+")
LIBRARY_WORDS = "decoder jpeg state -2 at 0x7f3a"


def assert_plain(reason: str, *raw: str) -> None:
    assert reason.strip() and "Traceback" not in reason
    assert not CLASS_NAME.search(reason), reason
    assert not any(word in reason for word in (*RAW_WORDING, *raw)), reason


def analyser(detector=None) -> PhotoAnalyser:
    return PhotoAnalyser(detector or MagicMock(spec=FaceDetector), MagicMock(spec=FaceEncoder))


def test_a_decoder_failing_in_an_unforeseen_way_gives_a_plain_reason_and_logs_the_detail(tmp_path, monkeypatch, caplog):
    """A decoder raising an exception the loader does not expect (RuntimeError, with its own wording) makes the photo
    an error entry whose reason is plain words; the log has the class name and the decoder's words."""
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_bytes(gradient((64, 48))))

    def failing_load(self):
        raise RuntimeError(LIBRARY_WORDS)

    monkeypatch.setattr(ImageFile.ImageFile, "load", failing_load)
    with caplog.at_level(logging.INFO, logger="rws_desktop"):
        result = analyse_photo(photo, INSTAGRAM, NOBODY, date(2026, 12, 1), False, analyser()).result
    assert result.decision is Decision.ERROR and result.faces == []
    assert "could not be read" in result.reason and "log file" in result.reason
    assert_plain(result.reason, LIBRARY_WORDS, "RuntimeError")
    assert "RuntimeError" in caplog.text and LIBRARY_WORDS in caplog.text


def test_the_face_finder_failing_gives_a_plain_reason_and_logs_the_detail(tmp_path, caplog):
    """The detector raising on a photo (numpy's wording) is one error entry in plain words; the log keeps numpy's."""
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_bytes(gradient((64, 48))))
    detector = MagicMock(spec=FaceDetector)
    detector.detect.side_effect = ValueError("operands could not be broadcast together with shapes (3,) (4,)")
    with caplog.at_level(logging.INFO, logger="rws_desktop"):
        result = analyse_photo(photo, INSTAGRAM, NOBODY, date(2026, 12, 1), False, analyser(detector)).result
    assert result.decision is Decision.ERROR and result.source_sha256
    assert "could not be checked for faces" in result.reason
    assert_plain(result.reason, "operands", "broadcast", "ValueError")
    assert "ValueError" in caplog.text and "operands could not be broadcast" in caplog.text


def test_a_photo_a_worker_process_raised_on_gives_the_same_plain_reason(caplog):
    """A worker's failure that reaches the batch (a pickling problem, say) is an error entry in plain words, with the
    worker's exception in the log."""
    future: Future = Future()
    future.set_exception(TypeError("cannot pickle '_thread.lock' object"))
    with caplog.at_level(logging.INFO, logger="rws_desktop"):
        result = _outcome(Path("photo.jpg"), future).result
    assert result.decision is Decision.ERROR
    assert_plain(result.reason, "pickle", "_thread", "TypeError")
    assert "TypeError" in caplog.text and "cannot pickle" in caplog.text
