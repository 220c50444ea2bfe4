"""Analysing a batch in worker processes gives the same answers as in-process, in order, and stops on request."""
from datetime import date

import pytest

from rws_desktop.core.vetting.batch import analyse_batch
from rws_desktop.core.kernel.channels import ChannelCatalogue
from rws_desktop.core.faces.matching import Gallery
from rws_desktop.core.vetting.analysis import Decision, PhotoAnalyser, RegisterSnapshot, analyse_photo
from rws_desktop.core.faces.imaging import load_photo
from rws_desktop.core.vetting.safe_copy import make_safe_copy
from rws_desktop.paths import channels_file

EMPTY_REGISTER = RegisterSnapshot(people={}, consents={}, gallery=Gallery({}))


@pytest.fixture(scope="module")
def analyser(detector, encoder):
    return PhotoAnalyser(detector, encoder)


@pytest.fixture(scope="module")
def instagram():
    return ChannelCatalogue.from_toml(channels_file()).get("instagram")


def summary(analysis):
    return (analysis.result.source.name, analysis.result.decision, [f.box for f in analysis.result.faces], analysis.safe_jpeg is not None)


def test_worker_processes_match_in_process_analysis_in_input_order(testdata, tmp_path, analyser, instagram):
    """Two workers return the same decisions and boxes as one process, in the order given; a bad file is an error, not a crash."""
    broken = tmp_path / "broken.jpg"
    broken.write_text("not a photo")
    photos = testdata / "photos"
    sources = [photos / "two_people.jpg", broken, _dogs_only(testdata, tmp_path), photos / "obama_small.jpg"]
    serial = [summary(a) for a in analyse_batch(sources, instagram, EMPTY_REGISTER, date.today(), False, analyser, workers=1)]
    parallel = [summary(a) for a in analyse_batch(sources, instagram, EMPTY_REGISTER, date.today(), False, analyser, workers=2)]
    assert parallel == serial
    assert [s[0] for s in parallel] == [s.name for s in sources]
    assert [s[1] for s in parallel] == [Decision.REDACTED, Decision.ERROR, Decision.APPROVED, Decision.REDACTED]
    assert len(parallel[0][2]) == 2


def _dogs_only(testdata, tmp_path):
    """The top half of no_faces_dogs.jpg: two dogs and nothing else. Its lower left panel holds a
    printed cover with a man's face on it, lying sideways, which the engine rightly blurs (see
    tests/core/faces/test_detection.py), so the whole photo is not a photo without faces."""
    from PIL import Image

    target = tmp_path / "dogs_only.jpg"
    with Image.open(testdata / "photos" / "no_faces_dogs.jpg") as stored:
        stored.convert("RGB").crop((0, 0, stored.width, 440)).save(target, quality=95)
    return target


def test_stopping_ends_the_batch_early(testdata, analyser, instagram):
    """Once asked to stop, no further photo is handed out; what was already analysed still arrives."""
    sources = [testdata / "photos/obama_small.jpg"] * 6
    stop = {"now": False}
    received = []
    for analysis in analyse_batch(sources, instagram, EMPTY_REGISTER, date.today(), False, analyser, 2, lambda: stop["now"]):
        received.append(analysis)
        stop["now"] = True
    assert 1 <= len(received) < len(sources)


def test_the_safe_copy_of_an_analysed_photo_is_the_one_function_s(testdata, analyser, instagram):
    """The window no longer skips the safe copy to redact again on export: the analysis carries exactly the bytes
    make_safe_copy gives for the photo and its faces (what the preview and export reuse), and its hash is the
    result's; a photo blocked before redaction carries none."""
    photo = testdata / "photos/two_people.jpg"
    full = analyse_photo(photo, instagram, EMPTY_REGISTER, date.today(), False, analyser)
    assert full.result.decision is Decision.REDACTED
    again = make_safe_copy(load_photo(photo), full.result.faces)
    assert full.safe_copy == again and full.safe_jpeg == again.jpeg and full.result.output_sha256 == again.sha256
    blocked = analyse_photo(photo, instagram, EMPTY_REGISTER, date.today(), True, analyser)
    assert blocked.result.decision is Decision.BLOCKED and blocked.safe_copy is None and blocked.safe_jpeg is None
    assert [f.box for f in blocked.result.faces] == [f.box for f in full.result.faces]


def test_default_workers_use_every_core_up_to_the_memory_budget(monkeypatch):
    """One worker a core, but never more than three: each can take about 550 MB on 12 MP photos."""
    from rws_desktop.core.vetting import batch

    for cores, expected in ((None, 1), (1, 1), (2, 2), (4, 3), (16, 3)):
        monkeypatch.setattr(batch.os, "cpu_count", lambda cores=cores: cores)
        assert batch.default_workers() == expected
