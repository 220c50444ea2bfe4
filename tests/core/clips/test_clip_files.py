"""The clip as a file: audio kept, no metadata, rotation followed, limits, damaged clips, cancel,
progress. Plain synthetic frames with a detector that reports a fixed face: no shared photos needed."""
from __future__ import annotations

from datetime import date

import av
import numpy as np
import pytest
from clip_factory import background, read_frames, write_clip
from clip_helpers import INSTAGRAM, FixedDetector
from PIL import Image, ImageDraw

from rws_desktop.core.clips.media import ClipLoadError, probe
from rws_desktop.core.clips.pipeline import ClipAnalyser, ClipCancelled, ClipSettings
from rws_desktop.core.clips.service import analyse_clip
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.matching import Gallery
from rws_desktop.core.kernel.decisions import Decision
from rws_desktop.core.vetting.analysis import RegisterSnapshot

TODAY = date(2026, 12, 1)
NOBODY = RegisterSnapshot({}, {}, Gallery({}))
FACE = Box(40, 30, 90, 80)


class NoEncoder:
    def encode_all(self, image, faces):
        raise AssertionError("nobody may be shown, so no face should be encoded")


def analyser(box: Box | None = FACE, **settings) -> ClipAnalyser:
    return ClipAnalyser(FixedDetector(box), NoEncoder(), ClipSettings(**settings))


def checkered(index: int, size=(160, 96)) -> Image.Image:
    """A background with a sharp checkerboard where the 'face' is, so a blur there is measurable."""
    image = background(size)
    draw = ImageDraw.Draw(image)
    for x in range(FACE.left, FACE.right, 5):
        for y in range(FACE.top, FACE.bottom, 5):
            if (x // 5 + y // 5 + index) % 2:
                draw.rectangle((x, y, x + 4, y + 4), fill=(250, 250, 250))
    return image


def vet(tmp_path, source, **options):
    return analyse_clip(source, tmp_path / "out" / "safe.mp4", INSTAGRAM, NOBODY, TODAY, options.pop("analyser", analyser()), **options)


def test_aac_audio_is_copied_unchanged(tmp_path):
    """An MP4's AAC audio comes out packet for packet as it went in."""
    source = write_clip(tmp_path / "a.mp4", 20, checkered, audio="aac")
    analysis = vet(tmp_path, source)
    assert analysis.result.decision is Decision.REDACTED
    assert _audio_packets(analysis.pending) == _audio_packets(source) and len(_audio_packets(source)) > 50


def test_webm_opus_audio_survives_re_encoded_as_aac(tmp_path):
    """A WebM (VP9 and Opus) is accepted; Opus is re-encoded to AAC for the MP4, about as long as before."""
    source = write_clip(tmp_path / "a.webm", 20, checkered, codec="libvpx-vp9", audio="libopus")
    analysis = vet(tmp_path, source)
    with av.open(str(analysis.pending)) as out:
        assert [s.codec_context.name for s in out.streams] == ["h264", "aac"]
        audio = out.streams.audio[0]
        seconds = sum(frame.samples for frame in out.decode(audio)) / audio.codec_context.sample_rate
    assert 1.8 <= seconds <= 2.2


def _audio_packets(path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(container.streams.audio[0]) if p.size]


def test_the_safe_copy_carries_no_location_date_or_title(tmp_path):
    """A MOV tagged with a GPS location (as iPhones write it), a creation date and a title comes out
    as an H.264 MP4 with none of them, in its tags or anywhere in its bytes."""
    tags = {"location": "+51.5074-000.1278/", "creation_time": "2026-06-01T10:00:00Z", "title": "Sports day Year 7"}
    source = write_clip(tmp_path / "a.mov", 10, checkered, metadata=tags, audio="aac")
    assert b"51.5074" in source.read_bytes()  # the source does carry them
    analysis = vet(tmp_path, source)
    data = analysis.pending.read_bytes()
    assert b"51.5074" not in data and b"\xa9xyz" not in data and b"Sports day" not in data and b"2026-06" not in data
    with av.open(str(analysis.pending)) as out:
        assert out.format.name.startswith("mov,mp4") and out.streams.video[0].codec_context.name == "h264"
        assert not ({"location", "creation_time", "title", "encoder"} & set(out.metadata))
        assert all("creation_time" not in stream.metadata for stream in out.streams)


def test_a_portrait_clip_follows_its_rotation(tmp_path):
    """A clip stored sideways with a 90-degree display rotation comes out upright (taller than wide,
    with no rotation left to apply), and the blur lands where the detector saw the face upright."""
    stored = lambda i: checkered(i).rotate(-90, expand=True)  # noqa: E731 - the upright frame, stored turned
    source = write_clip(tmp_path / "a.mp4", 10, stored, rotation=90)
    info = probe(source)
    assert (info.width, info.height, info.rotation) == (160, 96, 90)
    analysis = vet(tmp_path, source)
    with av.open(str(analysis.pending)) as out:
        frame = next(out.decode(video=0))
        assert (frame.width, frame.height, frame.rotation) == (160, 96, 0)
    upright = read_frames(analysis.pending)[3]
    assert _sharpness(upright, FACE) < 0.05 * _sharpness(checkered(3), FACE)


def _sharpness(image: Image.Image, box: Box) -> float:
    grey = np.asarray(image.convert("L").crop((box.left, box.top, box.right, box.bottom)), dtype=float)
    return float(np.mean(np.abs(np.diff(grey, axis=1))))


def test_a_damaged_clip_is_a_per_file_error(tmp_path):
    """Random bytes named .mp4, and a real clip cut off before its index, are errors with a plain reason, not exceptions."""
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(np.random.default_rng(1).bytes(20_000))
    whole = write_clip(tmp_path / "whole.mov", 10, checkered).read_bytes()
    cut = tmp_path / "cut.mov"
    cut.write_bytes(whole[: len(whole) // 3])
    for source in (noise, cut):
        analysis = vet(tmp_path, source)
        assert analysis.result.decision is Decision.ERROR and analysis.pending is None
        assert analysis.result.reason.startswith(("This is not a clip", "The clip is damaged", "The clip's video"))
    assert list((tmp_path / "out").iterdir()) == []


def test_clips_over_ten_minutes_or_4k_are_refused_plainly(tmp_path):
    """A 10-minute-and-a-bit clip and a clip wider than 4K are refused, saying what the limit is."""
    long_clip = write_clip(tmp_path / "long.mp4", 605, lambda i: Image.new("RGB", (16, 16)), fps=1)
    with pytest.raises(ClipLoadError, match="up to 10 minutes"):
        probe(long_clip)
    wide = write_clip(tmp_path / "wide.mp4", 1, lambda i: Image.new("RGB", (4160, 16)))
    with pytest.raises(ClipLoadError, match="up to 4K"):
        probe(wide)


def test_cancel_leaves_nothing_behind(tmp_path):
    """Cancelling while the safe copy is being written raises ClipCancelled and removes the partial file."""
    source = write_clip(tmp_path / "a.mp4", 30, checkered, audio="aac")
    seen, asked = [], []

    def stop_when_writing() -> bool:  # asked once a frame: 30 while finding faces, then while writing
        asked.append((tmp_path / "out" / "safe.mp4.part").exists())
        return len(asked) > 40

    with pytest.raises(ClipCancelled):
        vet(tmp_path, source, progress=seen.append, should_stop=stop_when_writing)
    assert any(p.stage == "writing the safe copy" for p in seen) and len(asked) == 41 and asked[-1]  # the partial copy existed
    assert list((tmp_path / "out").iterdir()) == []


def test_progress_counts_frames_and_time_left(tmp_path):
    """Progress runs through both stages in frames, up to the clip's frame count, with a time left that ends at zero."""
    source = write_clip(tmp_path / "a.mp4", 25, checkered)
    seen = []
    vet(tmp_path, source, progress=seen.append)
    stages = [p.stage for p in seen]
    assert stages[0] == "finding faces" and stages[-1] == "writing the safe copy"
    assert seen[-1].frame == seen[-1].frame_count == 25 and seen[-1].seconds_left == 0
    assert all(p.seconds_left is None or p.seconds_left >= 0 for p in seen)


def test_frames_without_faces_pass_through_and_faces_are_blurred(tmp_path):
    """With a face on every frame, every frame's face area is blurred; with none, the frames come out as they went in."""
    source = write_clip(tmp_path / "a.mp4", 12, checkered)
    blurred = read_frames(vet(tmp_path, source).pending)
    assert len(blurred) == 12
    assert all(_sharpness(frame, FACE) < 0.05 * _sharpness(checkered(i), FACE) for i, frame in enumerate(blurred))
    clean = read_frames(analyse_clip(source, tmp_path / "plain" / "a.mp4", INSTAGRAM, NOBODY, TODAY, analyser(None)).pending)
    assert all(_sharpness(frame, FACE) > 0.5 * _sharpness(checkered(i), FACE) for i, frame in enumerate(clean))
