"""Clips as phones and editors save them: HEVC in a MOV (as iPhones record) and H.264 in an M4V. Each is
read, its face blurred on every frame, and written as an H.264 MP4. PyAV's wheel carries libx265, so the
HEVC clip is made here, small and quick."""
from __future__ import annotations

import av
import pytest
from clip_factory import read_frames, write_clip
from test_clip_files import FACE, _sharpness, checkered, vet

FRAMES = 12


def _codecs(path) -> list[str]:
    with av.open(str(path)) as container:
        return [stream.codec_context.name for stream in container.streams]


@pytest.mark.parametrize("name, codec", [("phone.mov", "libx265"), ("edit.m4v", "libx264")])
def test_hevc_mov_and_m4v_clips_come_out_as_h264_mp4_with_the_face_blurred_on_every_frame(tmp_path, name, codec):
    """The source really is HEVC (or H.264 in M4V); the safe copy is H.264 with the same frame count and the
    face blurred on each frame."""
    if codec not in av.codecs_available:
        pytest.skip(f"this PyAV build has no {codec} encoder to make the test clip")
    source = write_clip(tmp_path / name, FRAMES, checkered, codec=codec)
    assert _codecs(source) == ["hevc" if codec == "libx265" else "h264"]
    analysis = vet(tmp_path, source)
    assert _codecs(analysis.pending) == ["h264"]
    frames = read_frames(analysis.pending)
    assert len(frames) == FRAMES
    assert all(_sharpness(frame, FACE) < 0.05 * _sharpness(checkered(i), FACE) for i, frame in enumerate(frames))
