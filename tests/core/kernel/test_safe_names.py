"""One naming rule for every safe copy (the window's export, `rws vet`, clips, posting packs) and for the window's
export folder, in the core so the command line and the window cannot drift apart."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from rws_desktop.core.clips.service import clip_output_path
from rws_desktop.core.kernel.safe_names import (default_export_folder, export_folder_name, safe_copy_name,
                                                 safe_copy_path)
from rws_desktop.core.vetting.publishing import output_path


def test_a_safe_copy_is_named_after_its_original_with_safe_and_numbered_when_taken(tmp_path):
    """trip.jpg becomes "trip (safe).jpg"; a name taken on disk, pending as a .part (or a dangling link), or earlier
    in the batch gets " 2", " 3"...; nothing on disk is ever chosen, whatever the letter case in the batch."""
    taken: set[str] = set()
    assert safe_copy_path(Path("trip.JPG"), tmp_path, ".jpg", taken) == tmp_path / "trip (safe).jpg"
    assert safe_copy_path(Path("elsewhere/Trip.jpeg"), tmp_path, ".jpg", taken) == tmp_path / "Trip (safe) 2.jpg"
    (tmp_path / "fair (safe).jpg").write_bytes(b"earlier")
    (tmp_path / "fair (safe) 2.jpg.part").write_bytes(b"")
    os.symlink(tmp_path / "nowhere", tmp_path / "fair (safe) 3.jpg")
    assert safe_copy_path(Path("fair.png"), tmp_path, ".jpg", set()) == tmp_path / "fair (safe) 4.jpg"
    assert safe_copy_name("a", ".mp4", 12) == "a (safe) 12.mp4"


def test_photos_and_clips_are_named_by_the_same_rule(tmp_path):
    """`rws vet`, the window's export and posting packs name photos through output_path, clips through
    clip_output_path: both give the kernel's names, a JPEG for a photo and an MP4 for a clip."""
    assert output_path(Path("IMG_0001.HEIC"), tmp_path, set()) == tmp_path / "IMG_0001 (safe).jpg"
    assert clip_output_path(Path("assembly.mov"), tmp_path, set()) == tmp_path / "assembly (safe).mp4"
    (tmp_path / "assembly (safe).mp4").write_bytes(b"")
    assert clip_output_path(Path("assembly.mov"), tmp_path, set()) == tmp_path / "assembly (safe) 2.mp4"


def test_a_long_name_is_shortened_so_it_and_its_part_fit_the_file_system(tmp_path):
    """A 250-byte stem, in ASCII or two-byte letters, still ends in " (safe) 2.jpg" and fits with ".part"."""
    for stem in ("x" * 250, "é" * 127):
        name = safe_copy_name(stem, ".jpg", 2)
        assert name.endswith(" (safe) 2.jpg") and len(os.fsencode(name + ".part")) <= 255
        (tmp_path / (name + ".part")).write_bytes(b"")


def test_the_export_folder_is_dated_and_named_after_the_channel_without_characters_a_file_system_refuses():
    """Pictures/RWS safe copies/2026-12-01 RWS Instagram; a slash in a channel's name does not make a subfolder."""
    day = date(2026, 12, 1)
    assert default_export_folder(Path("/home/ms/Pictures"), day, "RWS Instagram") == \
        Path("/home/ms/Pictures/RWS safe copies/2026-12-01 RWS Instagram")
    assert export_folder_name(day, "RWS PE/Sport Instagram") == "2026-12-01 RWS PE-Sport Instagram"
    assert export_folder_name(day, 'Drama: "Live"?  ') == "2026-12-01 Drama- -Live--"
