"""Clips are found in folders by the walk photos use (core/kernel/media_paths.py), so the same rules hold:
name order level by level, system files and macOS `._` companions left out, hidden and non-UTF-8 names kept,
links to folders listed but not followed, an unreadable subfolder listed once, and a FIFO or a dangling link with a
clip's name reported in plain words without ever being opened."""
from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path

from clip_helpers import INSTAGRAM
from unreadable_folders import refuse_listing

from rws_desktop.core.clips.service import analyse_clip, split_clips
from rws_desktop.core.kernel.decisions import Decision
from rws_desktop.core.kernel.media_paths import folder_contents
from rws_desktop.core.vetting.inputs import collect_photos


def make_folder(root: Path) -> None:
    """Photos and clips at two levels, with every kind of entry the walk has rules for."""
    for name in ("b.MP4", "a.jpg", ".hidden.mov", "._a.mp4", ".DS_Store", "Thumbs.db", "no-extension", "trailing.mov "):
        (root / name).write_bytes(b"x")
    with open(os.path.join(os.fsencode(root), b"latin1-\xe9t\xe9.mp4"), "wb") as handle:
        handle.write(b"x")
    (root / "sub").mkdir()
    for name in ("c.webm", "d.png", "._c.webm"):
        (root / "sub" / name).write_bytes(b"x")
    (root / "locked").mkdir()
    (root / "locked" / "hidden-away.mp4").write_bytes(b"x")
    os.symlink(root / "sub", root / "link-to-sub.mov")  # a link to a folder, named like a clip
    os.symlink(root, root / "sub" / "loop")  # a link back up: would never end if followed
    os.symlink(root / "sub" / "c.webm", root / "alias.m4v")
    os.symlink(root / "nowhere.mp4", root / "dangling.mp4")
    os.mkfifo(root / "pipe.mov")


def test_clips_come_from_the_same_walk_as_photos_under_the_same_rules(tmp_path, monkeypatch):
    """Every entry the walk lists is either a photo or a clip, exactly once; the clips are in the walk's order, with
    the upper-case, hidden, non-UTF-8, linked, dangling and FIFO ones, and without `._` companions or what sits in
    the unreadable folder (which is listed itself, once, on the photo side, where its entry says it could not be
    opened); the link to a folder and the loop are listed, not followed."""
    make_folder(tmp_path)
    refuse_listing(monkeypatch)
    others, clips = split_clips([tmp_path])
    photos = collect_photos(others)
    names = [os.fsencode(path.relative_to(tmp_path)) for path in clips]
    assert names == [b".hidden.mov", b"alias.m4v", b"b.MP4", b"dangling.mp4", b"latin1-\xe9t\xe9.mp4", b"link-to-sub.mov",
                     b"pipe.mov", b"sub/c.webm"]
    assert [path.relative_to(tmp_path).as_posix() for path in photos] == [
        "a.jpg", "locked", "no-extension", "sub/d.png", "sub/loop", "trailing.mov "]
    walked = folder_contents(tmp_path)
    assert sorted(photos + clips) == sorted(walked) and len(photos) + len(clips) == len(walked)


def test_a_clip_named_file_that_is_not_a_file_is_a_plain_error_and_never_opened(tmp_path):
    """A FIFO named .mov (opening it to read would wait for ever), a dangling link and a link to a folder named .mp4
    each come back at once as an error saying what they are; nothing is written."""
    make_folder(tmp_path)
    results: dict[str, tuple] = {}

    def vet(name: str) -> None:
        outcome = analyse_clip(tmp_path / name, tmp_path / "out" / "safe.mp4", INSTAGRAM, None, date(2026, 12, 1), None)
        results[name] = (outcome.result.decision, outcome.result.reason, outcome.pending)

    for name in ("pipe.mov", "dangling.mp4", "link-to-sub.mov"):
        worker = threading.Thread(target=vet, args=(name,), daemon=True)
        worker.start()
        worker.join(timeout=20)
        assert not worker.is_alive(), f"{name} was opened and blocked"
    assert results["pipe.mov"][:2] == (Decision.ERROR, "This is not a file but a pipe or socket (a channel between "
                                                        "programs), so it was not opened.")
    assert "a file that no longer exists" in results["dangling.mp4"][1]
    assert "links to folders are not followed" in results["link-to-sub.mov"][1]
    assert all(pending is None for _decision, _reason, pending in results.values())
    assert not (tmp_path / "out").exists()
