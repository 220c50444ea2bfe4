"""`vet_and_pack` (what `rws post` runs) records every file once the post's decision is known: a ready post's
entries name the copies in the pack; a blocked post's name no output; a pack that fails after its files were
recorded leaves a `post_not_written` entry naming the copies discarded. Photo analysis is stubbed (faces
decided by the test), so each path can be set up exactly; `rws post` itself is tested in tests/test_cli_post.py."""
from __future__ import annotations

import errno
import hashlib
import io
import json
import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from post_register import CHANNEL, TODAY, post_service
from rws_desktop.core.kernel.decisions import Decision
from rws_desktop.core.posts import pack as pack_module
from rws_desktop.core.posts.pack import PackError
from rws_desktop.core.posts.service import NOT_WRITTEN
from rws_desktop.core.vetting.analysis import PhotoResult
from rws_desktop.core.vetting.events import BatchFinished, BatchStarted, PhotoAnalysed
from rws_desktop.core.vetting.safe_copy import SafeCopy


class StubVetting:
    """Stands in for VettingService.vet_batch: each photo approved with no faces and a small safe copy."""

    def __init__(self, store):
        self.store = store

    def vet_batch(self, photos, channel_key, today=None, register=None, **_):
        yield BatchStarted(len(photos), loading_models=False)
        for index, path in enumerate(photos):
            data = io.BytesIO()
            Image.fromarray(np.full((20, 30, 3), index * 40, dtype=np.uint8)).save(data, "JPEG")
            result = PhotoResult(path, Decision.APPROVED, "no faces found", [], source_sha256=hashlib.sha256(path.name.encode()).hexdigest())
            yield PhotoAnalysed(index, result, SafeCopy(data.getvalue()))
        yield BatchFinished(len(photos), len(photos))


def entries(store) -> list[dict]:
    with store.transaction() as tx:
        return [json.loads(r.content_json) for r in tx.audit.records()]


@pytest.fixture
def poster(store, channels, ids):
    return post_service(store, channels, vetting=StubVetting(store))


PHOTOS = [Path("one.jpg"), Path("two.jpg")]


def test_a_ready_post_records_each_photo_with_its_copy_in_the_pack(poster, store, tmp_path):
    """Ready: each photo_vetted entry names the file that is in the pack, with its hash; post_approved covers them."""
    review, pack = poster.vet_and_pack(PHOTOS, CHANNEL, "Sports day", tmp_path / "pack", today=TODAY)
    assert review.ready and pack is not None
    log = entries(store)
    vetted = [e for e in log if e["kind"] == "photo_vetted"]
    assert [e["output_name"] for e in vetted] == ["one (safe).jpg", "two (safe).jpg"]
    for entry in vetted:
        assert hashlib.sha256((tmp_path / "pack" / entry["output_name"]).read_bytes()).hexdigest() == entry["output_sha256"]
        assert entry["origin"] == "rws post: in the posting pack pack"
    assert log[-1]["kind"] == "post_approved" and [m["audit_seq"] for m in log[-1]["media"]] == [r.audit_seq for r in review.media]


def test_a_blocked_post_records_each_photo_with_no_output(poster, store, tmp_path):
    """Blocked (a phone number): each photo is recorded with its decision but no output file, and nothing is left."""
    before = len(entries(store))
    review, pack = poster.vet_and_pack(PHOTOS, CHANNEL, "Ring 07700 900123", tmp_path / "pack", today=TODAY)
    assert review.decision == "blocked" and pack is None
    new = entries(store)[before:]
    assert [e["kind"] for e in new] == ["photo_vetted", "photo_vetted"]
    assert all(e["output_name"] is None and e["output_sha256"] is None and "blocked" in e["origin"] for e in new)
    assert all(m.output is None for m in review.media)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("pack")] == []


def test_a_pack_that_fails_after_recording_leaves_an_entry_saying_the_copies_were_discarded(poster, store, tmp_path, monkeypatch):
    """The receipt cannot be written (the disk is full) after the photos were recorded: a plain PackError reaches
    the caller, no folder is left, and a post_not_written entry lists the photo entries whose copies were
    discarded, with the reason in plain words (the system's "No space left on device" only in the log)."""
    def broken(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(pack_module, "render_receipt", broken)
    with pytest.raises(PackError) as refused:
        poster.vet_and_pack(PHOTOS, CHANNEL, "Sports day", tmp_path / "pack", today=TODAY)
    assert "is full" in str(refused.value) and "No space left" not in str(refused.value)
    log = entries(store)
    vetted = [(seq, e) for seq, e in enumerate(log, start=1) if e["kind"] == "photo_vetted"]
    assert log[-1]["kind"] == "post_not_written" and "is full" in log[-1]["reason"]
    assert "No space left" not in log[-1]["reason"] and "Errno" not in log[-1]["reason"]
    assert log[-1]["discarded"] == [{"audit_seq": seq, "output_name": e["output_name"]} for seq, e in vetted]
    assert all(e["kind"] != "post_approved" for e in log)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("pack")] == []


def test_a_pack_failing_in_an_unforeseen_way_records_a_plain_reason_and_logs_the_detail(poster, store, tmp_path,
                                                                                       monkeypatch, caplog):
    """A library failing while the receipt is drawn: the failure still reaches the caller, but the post_not_written
    entry (which auditors read) says so in plain words; the exception's own text goes to the log only."""
    def broken(*args, **kwargs):
        raise RuntimeError("reportlab internal: unbalanced q/Q operators")
    monkeypatch.setattr(pack_module, "render_receipt", broken)
    with caplog.at_level(logging.INFO, logger="rws_desktop"), pytest.raises(RuntimeError):
        poster.vet_and_pack(PHOTOS, CHANNEL, "Sports day", tmp_path / "pack", today=TODAY)
    reason = entries(store)[-1]["reason"]
    assert reason == NOT_WRITTEN and "unbalanced" not in reason
    assert "unbalanced q/Q operators" in caplog.text


def test_a_pack_folder_that_cannot_be_made_is_refused_in_plain_words(poster, store, tmp_path, monkeypatch):
    """The folder beside the pack (where files are vetted) cannot be created: PackError in plain words, nothing
    recorded, instead of Python's "[Errno 13] Permission denied: '...'"."""
    real_mkdir = Path.mkdir

    def refusing(self, *args, **kwargs):
        if self.name.endswith(".vetting"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)
    monkeypatch.setattr(Path, "mkdir", refusing)
    before = len(entries(store))
    with pytest.raises(PackError) as refused:
        poster.vet_and_pack(PHOTOS, CHANNEL, "Sports day", tmp_path / "pack", today=TODAY)
    assert "does not allow writing" in str(refused.value)
    assert "Errno" not in str(refused.value) and "Permission denied" not in str(refused.value)
    assert len(entries(store)) == before


class StoppingVetting(StubVetting):
    """The workers stop after the first photo, as vet_batch reports it."""

    def vet_batch(self, photos, channel_key, today=None, register=None, **_):
        events = super().vet_batch(photos, channel_key, today, register)
        yield next(events)
        yield next(events)
        yield BatchFinished(1, len(photos), problem="The photo checker stopped.")


def test_a_post_whose_files_were_not_all_checked_is_blocked(store, channels, ids, tmp_path):
    """If vetting stops part-way, the post is blocked as incomplete (not packed without the missing photo)."""
    poster = post_service(store, channels, vetting=StoppingVetting(store))
    review, pack = poster.vet_and_pack(PHOTOS, CHANNEL, "Sports day", tmp_path / "pack", today=TODAY)
    assert pack is None and review.decision == "blocked"
    assert any("1 of 2 file(s) could not be checked" in p for p in review.problems)
