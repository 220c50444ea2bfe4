"""Every path a batch is given is either vetted or reported with a plain reason, and no file can stall or
crash the batch: odd suffixes are sniffed, FIFOs never opened, unreadable folders named, damage caught."""
from __future__ import annotations

import io
import os
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from bad_photos import gradient, jpeg_bytes
from unreadable_folders import refuse_listing

from rws_desktop.core.faces import photo_checks
from rws_desktop.core.faces.imaging import PhotoLoadError, encode_jpeg, load_photo, load_photo_bytes
from rws_desktop.core.vetting.inputs import collect_photos

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from fuzz_inputs import RAW_WORDING, make_hostile_files  # noqa: E402


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def plain(reason: str) -> bool:
    return bool(reason.strip()) and not any(word in reason for word in RAW_WORDING)


def test_a_folder_yields_every_file_but_clips_and_system_files_and_an_unreadable_subfolder_itself(tmp_path, monkeypatch):
    """Photos with any suffix or none, text files and links are all listed (in name order, recursively);
    clips (vetted by core/clips) and .DS_Store are not; a subfolder that cannot be listed is listed itself."""
    for name in ("b.jfif", "a.jpe", "no-extension", "trailing.jpg ", "notes.txt", "clip.mp4", ".DS_Store"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.gif").write_bytes(b"x")
    (tmp_path / "locked").mkdir()
    os.symlink(tmp_path / "nowhere.jpg", tmp_path / "dangling.jpg")
    refuse_listing(monkeypatch)
    found = [p.relative_to(tmp_path).as_posix() for p in collect_photos([tmp_path])]
    assert found == ["a.jpe", "b.jfif", "dangling.jpg", "locked", "no-extension", "notes.txt", "sub/c.gif", "trailing.jpg "]


def test_an_unreadable_folder_a_fifo_and_a_dangling_link_are_plain_errors_without_blocking(tmp_path, monkeypatch):
    """Each raises PhotoLoadError with a sentence; the FIFO is never opened for reading, so nothing waits."""
    fifo = tmp_path / "fifo.jpg"
    os.mkfifo(fifo)
    dangling = tmp_path / "dangling.jpg"
    os.symlink(tmp_path / "nowhere.jpg", dangling)
    loop = tmp_path / "loop.jpg"
    os.symlink(loop, loop)
    locked = tmp_path / "locked"
    locked.mkdir()
    reasons = {}

    def load_all():
        for path in (fifo, dangling, loop):
            with pytest.raises(PhotoLoadError) as caught:
                load_photo(path)
            reasons[path.name] = str(caught.value)

    worker = threading.Thread(target=load_all, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "loading a FIFO blocked"
    monkeypatch.setattr(os, "scandir", lambda path: (_ for _ in ()).throw(PermissionError(13, "denied")))
    with pytest.raises(PhotoLoadError, match="folder could not be opened") as folder:
        load_photo(locked)
    assert "pipe" in reasons["fifo.jpg"]
    assert "no longer exists" in reasons["dangling.jpg"]
    assert "loops" in reasons["loop.jpg"]
    assert all(plain(reason) for reason in [*reasons.values(), str(folder.value)])


@pytest.mark.parametrize("name, data", [
    ("photo.jfif", jpeg_bytes(gradient())),
    ("photo.jpe", jpeg_bytes(gradient())),
    ("no-extension", jpeg_bytes(gradient())),
    ("trailing.jpg ", jpeg_bytes(gradient())),
    ("png-named.jpg", png_bytes(gradient())),
])
def test_the_content_decides_not_the_suffix(tmp_path, name, data):
    """A photo loads whatever its name ends with."""
    path = tmp_path / name
    path.write_bytes(data)
    assert load_photo(path).size == (64, 48)


@pytest.mark.parametrize("fmt", ["GIF", "TIFF", "AVIF"])
def test_still_gif_tiff_and_avif_are_vetted(fmt):
    """One still picture in GIF, TIFF or AVIF loads as an RGB photo."""
    buffer = io.BytesIO()
    gradient().save(buffer, fmt)
    assert load_photo_bytes(buffer.getvalue()).image.mode == "RGB"


def test_an_animation_is_refused_since_its_other_frames_would_go_unchecked():
    """An animated GIF is refused in plain words."""
    frames = [gradient().rotate(angle) for angle in (0, 90)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    with pytest.raises(PhotoLoadError, match="several pictures"):
        load_photo_bytes(buffer.getvalue())


def test_a_thin_strip_is_refused_from_its_header_before_any_work():
    """A 20000 x 20 PNG (about 1 KB) is refused in well under a second, before its pixels are decoded."""
    data = png_bytes(Image.new("RGB", (20000, 20), "white"))
    started = time.perf_counter()
    with pytest.raises(PhotoLoadError, match="thin strip"):
        load_photo_bytes(data)
    assert time.perf_counter() - started < 1


def _flip_in_png_data(data: bytes) -> bytes:
    """The PNG with one bit of its image data flipped, its chunk CRC left as it was."""
    at = data.index(b"IDAT") + 4 + 20
    return data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1:]


def test_a_damaged_png_that_still_decodes_is_refused_as_damaged():
    """One flipped bit in the image data: the CRC check finds it, and the reason is plain."""
    with pytest.raises(PhotoLoadError, match="damaged or cut short") as caught:
        load_photo_bytes(_flip_in_png_data(png_bytes(gradient((200, 150)))))
    assert plain(str(caught.value))


def test_a_desynchronised_jpeg_that_still_decodes_is_refused_as_damaged():
    """A marker byte written into the middle of the scan data (which Pillow's decoder patches over) is refused."""
    data = bytearray(jpeg_bytes(gradient((400, 300)), quality=90))
    start = data.index(b"\xff\xda")
    at = start + (len(data) - start) // 2
    data[at:at + 2] = b"\xff\xc8"
    with pytest.raises(PhotoLoadError, match="damaged or cut short"):
        load_photo_bytes(bytes(data))


def test_no_good_photo_of_the_shared_test_set_is_refused(testdata):
    """The checks for damage do not block a single real photo."""
    photos = [p for p in sorted(testdata.rglob("*")) if p.is_file() and p.suffix.lower() in (".jpg", ".jpeg", ".png")]
    assert photos
    refused = []
    for path in photos:
        try:
            load_photo(path)
        except PhotoLoadError as exc:
            refused.append(f"{path.name}: {exc}")
    assert refused == []


def test_a_colour_profile_is_kept_only_when_it_parses_and_is_not_too_large():
    """A real sRGB profile survives into the safe copy; random bytes and an oversized block are left out, and the
    photo's notes say so."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    kept = load_photo_bytes(jpeg_bytes(gradient(), icc_profile=srgb))
    assert kept.icc_profile == srgb and kept.notes == ()
    junk = load_photo_bytes(jpeg_bytes(gradient(), icc_profile=os.urandom(300_000)))
    assert junk.icc_profile is None and "colour profile was damaged" in junk.notes[0]
    assert Image.open(io.BytesIO(encode_jpeg(junk.image, junk.icc_profile))).info.get("icc_profile") is None
    assert photo_checks.usable_icc_profile(srgb + bytes(photo_checks.MAX_ICC_BYTES))[0] is None


def test_a_seeded_set_of_hostile_files_each_loads_or_gets_a_plain_reason(tmp_path):
    """The fuzz harness's generator at a small scale (seed 7): every file is collected, and each one either
    loads or raises PhotoLoadError in plain words, with no other exception and none taking over 20 s."""
    made = make_hostile_files(tmp_path, seed=7, scale=1)
    collected = {os.fsencode(p.name) for p in collect_photos([tmp_path])}
    assert {item.name for item in made} <= collected
    slow, unplain = [], []
    for path in collect_photos([tmp_path]):
        started = time.perf_counter()
        try:
            load_photo(path)
        except PhotoLoadError as exc:
            if not plain(str(exc)):
                unplain.append(f"{path.name!r}: {exc}")
        if time.perf_counter() - started > 20:
            slow.append(path.name)
    assert unplain == [] and slow == []


def test_a_desynchronised_webp_that_still_decodes_is_refused_and_intact_ones_are_not(testdata):
    """Bits flipped in the middle of a WebP's VP8 data (decoded by libwebp without a word) are caught; WebP
    copies of four shared photos at three qualities all load."""
    for path in [testdata / "photos" / name for name in ("obama.jpg", "biden.jpg", "two_people.jpg", "no_faces_dogs.jpg")]:
        for quality in (50, 80, 95):
            buffer = io.BytesIO()
            Image.open(path).convert("RGB").save(buffer, "WEBP", quality=quality)
            load_photo_bytes(buffer.getvalue())
    buffer = io.BytesIO()
    Image.open(testdata / "photos" / "obama.jpg").convert("RGB").save(buffer, "WEBP", quality=80)
    damaged = bytearray(buffer.getvalue())
    for offset in (3, 5, 7):
        damaged[len(damaged) * offset // 10] ^= 0x21
    Image.open(io.BytesIO(bytes(damaged))).load()  # libwebp itself decodes it
    with pytest.raises(PhotoLoadError, match="damaged or cut short"):
        load_photo_bytes(bytes(damaged))
