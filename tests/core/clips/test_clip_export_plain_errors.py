"""Exporting a reviewed clip that cannot be read or written gives a plain reason (ClipReviewError, which the window
shows as it is); the system's or FFmpeg's own words go to the log, and no half-written `.part` is left."""
from __future__ import annotations

import errno
import logging

import av
import pytest
from test_clip_review import review, service  # noqa: F401 - fixtures

from rws_desktop.core.clips.review import EXPORT_FAILED, ClipReviewError
from register_helpers import audit_entries

SYSTEM_WORDS = ("Errno", "No such file", "No space left", "Not a directory", "File exists", "Traceback")


def plain(message: str) -> bool:
    return not any(words in message for words in SYSTEM_WORDS)


def test_a_clip_deleted_since_its_check_is_refused_in_plain_words(review, service, tmp_path, caplog):
    """The source is gone at export: the refusal names the clip and says it was moved or deleted."""
    review, analyser = review
    review.result.source.unlink()
    with caplog.at_level(logging.INFO, logger="rws_desktop"), pytest.raises(ClipReviewError) as refused:
        service.export(review, "instagram", tmp_path / "out", analyser)
    assert "clip.mp4" in str(refused.value) and "moved or deleted" in str(refused.value)
    assert plain(str(refused.value)) and "No such file" in caplog.text


def test_an_export_folder_that_is_a_file_is_refused_in_plain_words(review, service, tmp_path):
    """The chosen folder is a file (a real OSError from the disk): plain words naming the folder, nothing recorded."""
    review, analyser = review
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    before = len(audit_entries(service.store))
    with pytest.raises(ClipReviewError) as refused:
        service.export(review, "instagram", blocker, analyser)
    assert "could not be written" in str(refused.value) and str(blocker) in str(refused.value)
    assert plain(str(refused.value)) and len(audit_entries(service.store)) == before


def test_ffmpeg_reporting_a_full_disk_while_writing_is_refused_in_plain_words(review, service, tmp_path, monkeypatch, caplog):
    """The encoder fails with PyAV's own OSError (ENOSPC, as FFmpeg raises it on a full disk): "the disk is full",
    the `.part` file is removed and nothing is recorded; FFmpeg's wording is in the log."""
    review, analyser = review

    def full_disk(source, pending, *args):
        pending.write_bytes(b"half a clip")
        av.error.err_check(-errno.ENOSPC)
    monkeypatch.setattr(analyser, "render", full_disk)
    before = len(audit_entries(service.store))
    with caplog.at_level(logging.INFO, logger="rws_desktop"), pytest.raises(ClipReviewError) as refused:
        service.export(review, "instagram", tmp_path / "out", analyser)
    assert "is full" in str(refused.value) and plain(str(refused.value))
    assert "No space left" in caplog.text
    assert list((tmp_path / "out").iterdir()) == [] and len(audit_entries(service.store)) == before


def test_an_unforeseen_encoder_failure_is_refused_in_plain_words_with_the_detail_in_the_log(
        review, service, tmp_path, monkeypatch, caplog):
    """Any other failure while writing (a library bug, say) becomes a plain refusal pointing to the log file, which
    holds the exception; nothing half-written stays behind."""
    review, analyser = review

    def broken(source, pending, *args):
        pending.write_bytes(b"half a clip")
        raise RuntimeError("libx264 internal: lookahead thread died")
    monkeypatch.setattr(analyser, "render", broken)
    with caplog.at_level(logging.INFO, logger="rws_desktop"), pytest.raises(ClipReviewError) as refused:
        service.export(review, "instagram", tmp_path / "out", analyser)
    assert str(refused.value) == f"clip.mp4: {EXPORT_FAILED}" and "lookahead" not in str(refused.value)
    assert "lookahead thread died" in caplog.text
    assert list((tmp_path / "out").iterdir()) == []
