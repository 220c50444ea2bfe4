"""Posts over the register the tests write, with photo results made by hand (faces decided, safe copies
written and recorded as vetting records them), so each rule can be set up exactly."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from post_register import CHANNEL, TODAY, post_service, write_register
from rws_desktop.core.clips.results import ClipResult
from rws_desktop.core.kernel.decisions import Decision
from rws_desktop.core.vetting.analysis import FaceReport, PhotoResult
from rws_desktop.core.vetting.publishing import publish, vetted_entry


@pytest.fixture
def ids(store, channels) -> dict[str, int]:
    return write_register(store, channels)


@pytest.fixture
def service(store, channels, ids):
    return post_service(store, channels)


@pytest.fixture
def checker(service):
    return service.checker(CHANNEL, TODAY)


@pytest.fixture
def vetted(store, channels, tmp_path):
    """A photo result with these faces whose safe copy is written and recorded as `rws vet` records it."""
    folder = tmp_path / "vetted"
    folder.mkdir()

    def make(name: str, faces: list[FaceReport], decision: Decision = Decision.REDACTED) -> PhotoResult:
        image = Image.fromarray(np.random.default_rng(len(name)).integers(0, 255, (60, 90, 3), dtype=np.uint8))
        data = io.BytesIO()
        image.save(data, "JPEG")
        import hashlib

        result = PhotoResult(Path(name), decision, "made by the test", faces, source_sha256=hashlib.sha256(name.encode()).hexdigest())
        if decision in (Decision.APPROVED, Decision.REDACTED):
            result.output = folder / Path(name).with_suffix(".jpg").name
            result.output_sha256 = hashlib.sha256(data.getvalue()).hexdigest()
            result.audit_seq = publish(store, data.getvalue(), result.output,
                                       vetted_entry(result, channels.get(CHANNEL), "MSN", decision, result.reason, faces))
        return result
    return make


@pytest.fixture
def vetted_clip(store, channels, tmp_path):
    """A clip result with these tracks whose safe copy (bytes standing in for an MP4) is written and recorded
    as clip vetting records it (a `clip_vetted` entry)."""
    import hashlib
    import os

    from rws_desktop.core.clips.results import clip_entry
    from rws_desktop.core.vetting.publishing import record

    folder = tmp_path / "vetted clips"
    folder.mkdir(exist_ok=True)

    def make(name: str, tracks: list, decision: Decision = Decision.REDACTED) -> ClipResult:
        data = f"not really an mp4: {name}".encode() * 100
        result = ClipResult(Path(name), decision, "made by the test", tracks, frames=30,
                            source_sha256=hashlib.sha256(name.encode()).hexdigest())
        if decision in (Decision.APPROVED, Decision.REDACTED):
            result.output = folder / Path(name).with_suffix(".mp4").name
            result.output_sha256 = hashlib.sha256(data).hexdigest()
            pending = result.output.with_name(result.output.name + ".part")
            pending.write_bytes(data)
        result.audit_seq = record(store, clip_entry(result, channels.get(CHANNEL), "MSN"))
        if result.output is not None:
            os.replace(pending, result.output)
        return result
    return make
