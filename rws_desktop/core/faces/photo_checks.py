"""Checks made on a photo file before and after decoding, so that no file can stall a batch, cost
work out of proportion to its size, or pass as whole when the decoder had to patch it up.

- `read_photo_file` opens without blocking (a FIFO named .jpg must not hang the batch), refuses
  anything but a regular file, and refuses files larger than any photo a school publishes.
- `check_dimensions` runs on the header, before a pixel is decoded: a limit on pixels and on the
  ratio of the long side to the short one (a 1 KB 20000x20 PNG once cost 73 s and 1.6 GB, since the
  detector enlarges a thin strip until its short side is big enough to search).
- `check_intact` is a strict second look at the bytes: a damaged photo can still decode, with the
  decoder filling in what it could not read, and "no faces found" on such a photo proves nothing
  (HEIC's look is in heif_damage.py).
- `usable_icc_profile` keeps a colour profile only when it parses and is of a sensible size.

Every refusal is a sentence for staff; the technical detail goes to the log.
"""
from __future__ import annotations

import io
import logging
import os
import stat
import struct
import zlib
from pathlib import Path

from ..kernel.disk_errors import unreadable_reason

log = logging.getLogger(__name__)

# A 50 MP phone photo is about 25 MB as JPEG and a little over 100 MB as an uncompressed PNG.
MAX_FILE_BYTES = 200 * 1024 * 1024
# Pillow's own default (about 89 MP): over twice a 48 MP phone's photo, and a few seconds of detection.
MAX_PIXELS = 89_478_485
# Phone panoramas run to about 9:1; anything thinner is a strip, not a photo of people.
MAX_ASPECT_RATIO = 12
# The largest ICC profile a camera, phone or editor writes is a few hundred KB (a detailed printer profile
# can reach 1-2 MB, but a printer's profile has no place in a web photo). 1 MB keeps every real one and
# keeps a safe copy from carrying megabytes of somebody else's bytes.
MAX_ICC_BYTES = 1024 * 1024


class PhotoCheckError(Exception):
    """A photo refused by a check, with a sentence staff can act on."""


DAMAGED = ("The photo is damaged or cut short: part of it could not be read, so it cannot be checked for "
           "faces. Use the original from the camera or phone, or save it again and vet that copy.")


def check_regular_file(path: Path) -> os.stat_result:
    """Raise PhotoCheckError, in words that fit a photo or a clip, unless `path` is a regular file (or a link
    to one); opens nothing, so a FIFO or a device can never stall the caller."""
    try:
        found = os.stat(path)  # follows a link: a link to a photo is fine
    except FileNotFoundError as exc:
        if os.path.islink(path):
            raise PhotoCheckError("This is a link to a file that no longer exists, so there is nothing to check.") from exc
        raise PhotoCheckError("The file could not be read (it was moved or deleted).") from exc
    except OSError as exc:
        log.info("stat failed on a photo: %s", exc.strerror or exc)
        if os.path.islink(path):
            raise PhotoCheckError("This is a link that cannot be followed (it points to itself or loops), "
                                  "so there is nothing to check.") from exc
        raise PhotoCheckError(unreadable_reason(exc)) from exc
    _check_kind(path, found.st_mode)
    return found


def read_photo_file(path: Path) -> bytes:
    """The file's bytes, for a regular file only; never blocks on a FIFO or a device."""
    check_regular_file(path)
    try:
        # O_NONBLOCK: if the path became a FIFO since the stat, opening it must not wait for a writer.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        log.info("open failed on a photo: %s", exc.strerror or exc)
        raise PhotoCheckError(unreadable_reason(exc)) from exc
    with os.fdopen(descriptor, "rb") as handle:
        opened = os.fstat(handle.fileno())
        _check_kind(path, opened.st_mode)
        if opened.st_size > MAX_FILE_BYTES:
            raise PhotoCheckError(f"The file is {opened.st_size / 1024 ** 2:,.0f} MB, larger than any photo the app "
                                  f"checks ({MAX_FILE_BYTES // 1024 ** 2} MB); make a smaller copy and vet that.")
        try:
            return handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            log.info("read failed on a photo: %s", exc.strerror or exc)
            raise PhotoCheckError(unreadable_reason(exc)) from exc


def _check_kind(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        try:
            with os.scandir(path):
                pass
        except OSError as exc:
            raise PhotoCheckError("This folder could not be opened (no permission to read it), so the photos "
                                  "in it were not checked.") from exc
        raise PhotoCheckError("This is a link to a folder; links to folders are not followed, so vet the folder itself.")
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        raise PhotoCheckError("This is not a file but a pipe or socket (a channel between programs), so it was not opened.")
    raise PhotoCheckError("This is a device, not a photo file, so it was not opened.")


def check_dimensions(width: int, height: int) -> None:
    """Refuse, from the header alone, a size that would cost work out of all proportion."""
    if width < 1 or height < 1:
        raise PhotoCheckError("The photo says it has no pixels; it is damaged.")
    if width * height > MAX_PIXELS:
        raise PhotoCheckError(f"The image is too large to open safely ({width:,} x {height:,} pixels, over "
                              f"{MAX_PIXELS // 1_000_000} million); resize it before vetting.")
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height) and max(width, height) > 64:
        raise PhotoCheckError(f"The image is a thin strip ({width:,} x {height:,} pixels), over {MAX_ASPECT_RATIO} "
                              "times longer than it is wide; crop it to the part with people and vet that.")


def check_intact(data: bytes, image_format: str) -> None:
    """Raise PhotoCheckError when the bytes show damage the decoder would have papered over."""
    problem = None
    if image_format == "PNG":
        problem = png_damage(data)
    elif image_format in ("JPEG", "MPO"):
        problem = jpeg_damage(data)
        if problem is None and image_format == "JPEG":
            problem = jpeg_strict_decode(data)
    elif image_format == "WEBP":
        problem = webp_damage(data)
    elif image_format == "HEIF":
        from .heif_damage import heif_damage

        problem = heif_damage(data)
    if problem:
        log.info("photo refused as damaged: %s", problem)
        raise PhotoCheckError(DAMAGED)


def png_damage(data: bytes) -> str | None:
    """Every chunk's CRC, and the image data inflating to its exact end: Pillow checks neither fully."""
    at, idat, seen_end = 8, zlib.decompressobj(), False
    while at + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        end = at + 12 + length
        if end > len(data):
            return f"chunk {kind!r} runs past the end of the file"
        body = data[at + 8:end - 4]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[end - 4:end])[0]:
            return f"chunk {kind!r} fails its CRC"
        if kind == b"IDAT":
            try:
                # Bounded: inflate in steps and throw the output away; only the stream's integrity matters.
                chunk = body
                while chunk:
                    idat.decompress(chunk, 1 << 20)
                    chunk = idat.unconsumed_tail
            except zlib.error as exc:
                return f"image data does not inflate: {exc}"
        if kind == b"IEND":
            seen_end = True
            break
        at = end
    if not seen_end:
        return "no IEND chunk"
    if not idat.eof:
        return "image data stream is incomplete"
    return None


# Markers that may appear inside entropy-coded data: stuffed zero, restarts, and fill bytes.
_RESTARTS = set(range(0xD0, 0xD8))


def jpeg_damage(data: bytes) -> str | None:
    """A structural walk of the JPEG: segments with consistent lengths, each scan's data ending at a
    legal marker, restart markers in order, and an end-of-image marker."""
    if data[:2] != b"\xff\xd8":
        return "no start-of-image marker"
    at, frames, scans = 2, 0, 0
    while at < len(data):
        if data[at] != 0xFF:
            return f"expected a marker at {at}"
        while at < len(data) and data[at] == 0xFF:
            at += 1
        if at >= len(data):
            return "ends inside a marker"
        marker = data[at]
        at += 1
        if marker == 0xD9:
            if not frames or not scans:
                return "end of image before any scan"
            return None
        if marker in _RESTARTS or marker == 0x01:
            continue
        if at + 2 > len(data):
            return "ends inside a segment header"
        length = struct.unpack(">H", data[at:at + 2])[0]
        if length < 2 or at + length > len(data):
            return f"segment {marker:#x} length runs past the end"
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            frames += 1
        at += length
        if marker == 0xDA:
            scans += 1
            at, problem = _skip_scan(data, at)
            if problem:
                return problem
    return "no end-of-image marker (cut short)"


# Huffman-coded frames (baseline, extended, progressive): the ones FFmpeg's decoder reads in full. Arithmetic
# coding and lossless JPEG are rare enough to be left to the structural walk alone.
_STRICTLY_DECODED_FRAMES = (b"\xff\xc0", b"\xff\xc1", b"\xff\xc2")


def jpeg_strict_decode(data: bytes) -> str | None:
    """A second decode by FFmpeg's JPEG decoder with its error detection set to fail on any broken block.

    libjpeg (Pillow's decoder) patches a block it cannot decode and carries on; the bit flips that
    desynchronise the entropy-coded data, and so wreck the rest of the picture (a face included), are
    exactly what FFmpeg refuses. Measured on bench/fuzz_inputs.py's damaged copies of a face photo:
    17 of the 26 that Pillow decoded are caught (the rest change a few blocks and keep the face), and
    none of the 34 JPEGs in the shared test photos is refused."""
    if not any(marker in data for marker in _STRICTLY_DECODED_FRAMES):
        return None
    try:
        import av
    except ImportError:  # pragma: no cover - av is a dependency; without it only the structural walk runs
        return None
    context = av.CodecContext.create("mjpeg", "r")
    context.options = {"err_detect": "explode"}
    try:
        frames = context.decode(av.Packet(data)) + context.decode(None)
    except av.error.FFmpegError as exc:
        return f"FFmpeg refused the JPEG data ({exc})"
    return None if frames else "FFmpeg decoded no picture from the JPEG data"


def _skip_scan(data: bytes, at: int) -> tuple[int, str | None]:
    """Past one scan's entropy-coded data; restart markers must count 0..7 in order."""
    expected_restart = 0
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            return len(data), "scan data cut short"
        following = data[at + 1]
        if following == 0x00 or following == 0xFF:
            at += 1 if following == 0xFF else 2
            continue
        if following in _RESTARTS:
            if following - 0xD0 != expected_restart:
                return at, "restart markers out of order"
            expected_restart = (expected_restart + 1) % 8
            at += 2
            continue
        if following in (0xD9, 0xDA, 0xC4, 0xDB, 0xDD) or 0xE0 <= following <= 0xEF or following == 0xFE:
            return at, None
        return at, f"unexpected marker {following:#x} inside scan data"


# How many bytes are cut from the end of a WebP's VP8 data to see whether the decoder needed them. An intact
# stream from libwebp fails to decode with 2 to 4 bytes cut (measured on the shared test photos at quality
# 50, 80 and 95); the damaged but decodable copies of bench/fuzz_inputs.py decode with 1 KB or more cut.
WEBP_SLACK_BYTES = 64


def webp_damage(data: bytes) -> str | None:
    """Lossy WebP (VP8) has no checksum, and a flipped bit desynchronises its arithmetic decoder, which then
    invents the rest of the picture from whatever bits follow. An intact stream needs its very last bytes;
    a desynchronised one usually finishes early. So the VP8 data is decoded again without its last
    WEBP_SLACK_BYTES: if that still gives a whole picture, the decoder was not reading what the encoder wrote."""
    payload = _riff_chunk(data, b"VP8 ")
    if payload is None or len(payload) < 4 * WEBP_SLACK_BYTES:
        return None
    shortened = payload[:-WEBP_SLACK_BYTES]
    body = b"WEBP" + b"VP8 " + struct.pack("<I", len(shortened)) + shortened + (b"\0" if len(shortened) % 2 else b"")
    try:
        from PIL import Image

        with Image.open(io.BytesIO(b"RIFF" + struct.pack("<I", len(body)) + body)) as image:
            image.load()
    except Exception:  # noqa: BLE001 - failing without its last bytes is what an intact stream does
        return None
    return "the VP8 data decodes without its last bytes (its decoder lost step)"


def _riff_chunk(data: bytes, kind: bytes) -> bytes | None:
    at = 12
    while at + 8 <= len(data):
        size = struct.unpack("<I", data[at + 4:at + 8])[0]
        if data[at:at + 4] == kind:
            return data[at + 8:at + 8 + size]
        at += 8 + size + (size & 1)
    return None


def usable_icc_profile(profile: bytes | None) -> tuple[bytes | None, str | None]:
    """The profile if it is within MAX_ICC_BYTES and parses as ICC; otherwise None and a note for the result."""
    if not profile:
        return None, None
    dropped = ("Its colour profile was {why}, so it was left out; the safe copy's colours are read as standard "
               "(sRGB), which may look slightly different.")
    if len(profile) > MAX_ICC_BYTES:
        log.info("ICC profile of %d bytes dropped (limit %d)", len(profile), MAX_ICC_BYTES)
        return None, dropped.format(why="unusually large")
    try:
        from PIL import ImageCms

        ImageCms.ImageCmsProfile(io.BytesIO(profile))
    except Exception as exc:  # noqa: BLE001 - littlecms refuses damaged profiles in several ways
        log.info("ICC profile dropped: it does not parse (%s)", exc)
        return None, dropped.format(why="damaged")
    return profile, None
