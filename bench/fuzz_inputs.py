"""Hostile files against `rws vet`: every one must get its own report entry with a plain reason.

    uv run python bench/fuzz_inputs.py [--seed N] [--keep DIR] [--quick]

Makes at least 150 files in a temporary folder (damaged JPEG/PNG/WebP/HEIC, zero bytes, huge declared
sizes and decompression bombs, odd pixel modes, animations, extreme shapes, every EXIF orientation and
garbage EXIF, text named .jpg, a symlink loop, a FIFO, and names with newlines, leading dashes,
non-Latin letters, 254 bytes, bytes that are not UTF-8 and a trailing space), beside a few good photos.
Then it vets the whole folder in a fresh data folder, nobody consenting, and checks:

- the command finished (exit 0) without a traceback;
- every file in the folder is named in the report (vetted, refused or skipped), with a reason in plain
  words (no raw decoder or Python wording);
- the good photos were vetted, and damaged copies of a photo with a face were not approved as if no face
  were there;
- `rws audit verify` says OK afterwards;
- MIS exports of 100,000 rows, with a 50 MB line, a 19 MB line, a line of 6 million short cells, a NUL
  byte, UTF-16 without a byte-order mark, or a workbook renamed .csv, are each refused in plain words
  within 60 s and 1 GB.

It prints one line per failure and a summary: files, failures. The generator is `make_hostile_files`,
which the test suite's smaller seeded run shares.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("RWS_TESTDATA", REPO.parent / "shared" / "testdata"))
PASSWORD = "fuzz harness password 1"
# Words that mean a decoder's or Python's message reached the user unchanged.
RAW_WORDING = ("Traceback", "Errno", "cannot identify image", "PIL", "decoder", "broken data stream",
               "image file is truncated", "codec", "Error:", "errno", "bytes/", "struct.error", "0x")


@dataclass(frozen=True)
class Hostile:
    name: bytes  # file name as bytes, since some are not UTF-8
    kind: str  # what it is, for the failure lines
    from_face_photo: bool = False  # a damaged copy of a photo showing a face


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_claiming(width: int, height: int, rows: int = 4) -> bytes:
    """A PNG whose header claims width x height but holds only a few rows."""
    body = zlib.compress(b"\0" * (min(width, 4096) + 1) * rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def _png_bomb(side: int = 20000) -> bytes:
    compressor, row, parts = zlib.compressobj(9), b"\0" * (side + 1), []
    for _ in range(side):
        parts.append(compressor.compress(row))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", b"".join(parts)) + _png_chunk(b"IEND", b"")


def _png_text_bomb(base: bytes) -> bytes:
    """A small picture carrying a zTXt chunk that inflates to 200 MB."""
    text = zlib.compress(b"A" * 200_000_000, 9)
    chunk = _png_chunk(b"zTXt", b"Comment\0\0" + text)
    return base[:33] + chunk + base[33:]


def _jpeg_claiming(width: int, height: int, base: bytes) -> bytes:
    """A JPEG whose frame header (SOF0) is rewritten to claim width x height."""
    at = base.find(b"\xff\xc0")
    return base[:at + 5] + struct.pack(">HH", height, width) + base[at + 9:]


def _with_exif_orientation(image: Image.Image, value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    return _encode(image, "JPEG", exif=exif.tobytes())


def _face_photo() -> Image.Image:
    """A photo with a face from the shared test photos, or a plain gradient when they are absent."""
    source = TESTDATA / "photos" / "obama.jpg"
    if source.is_file():
        with Image.open(source) as image:
            return image.convert("RGB")
    return _gradient((640, 480))


def _gradient(size) -> Image.Image:
    image = Image.new("RGB", size)
    image.putdata([(x * 3 % 256, y * 5 % 256, (x + y) % 256) for y in range(size[1]) for x in range(size[0])])
    return image


def make_hostile_files(folder: Path, seed: int, scale: int = 10) -> list[Hostile]:
    """Write hostile files into `folder`; `scale` damaged copies per format and kind (13 gives over 150 files)."""
    rng = random.Random(seed)
    made: list[Hostile] = []

    def put(name: str | bytes, data: bytes, kind: str, from_face: bool = False) -> None:
        raw = name if isinstance(name, bytes) else name.encode("utf-8")
        with open(os.path.join(os.fsencode(folder), raw), "wb") as handle:
            handle.write(data)
        made.append(Hostile(raw, kind, from_face))

    face = _face_photo()
    originals = {
        "jpg": _encode(face, "JPEG", quality=90),
        "png": _encode(face, "PNG"),
        "webp": _encode(face, "WEBP", quality=80),
    }
    try:  # pillow-heif (dev group) writes it, unregistered, so the app still reads HEIC with its own pi-heif
        import pillow_heif

        buffer = io.BytesIO()
        pillow_heif.from_pillow(face).save(buffer, quality=70)
        originals["heic"] = buffer.getvalue()
    except Exception:  # noqa: BLE001 - no HEIF encoder here: that format is left out
        pass
    for suffix, data in originals.items():
        for n in range(scale):
            cut = rng.randrange(20, len(data) - 1)
            put(f"truncated-{n}.{suffix}", data[:cut], f"{suffix} truncated at {cut}", True)
        for n in range(scale):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 24)):
                at = rng.randrange(len(damaged) // 8, len(damaged))
                damaged[at] ^= 1 << rng.randrange(8)
            put(f"flipped-{n}.{suffix}", bytes(damaged), f"{suffix} with flipped bits", True)

    small = _gradient((64, 48))
    base_jpeg, base_png = _encode(small, "JPEG"), _encode(small, "PNG")
    put("zero-bytes.jpg", b"", "zero bytes")
    put("claims-100000px.png", _png_claiming(100_000, 100_000), "PNG claiming 100,000 px a side")
    put("claims-65000px.jpg", _jpeg_claiming(65000, 65000, base_jpeg), "JPEG claiming 65,000 px a side")
    put("bomb.png", _png_bomb(), "decompression bomb")
    put("text-bomb.png", _png_text_bomb(base_png), "PNG text chunk bomb")
    put("icc-garbage.jpg", _encode(small, "JPEG", icc_profile=rng.randbytes(300_000)), "300 KB of random ICC")
    put("16-bit.png", _encode(Image.new("I;16", (64, 48), 40000), "PNG"), "16-bit grey PNG")
    put("cmyk.jpg", _encode(Image.new("CMYK", (64, 48), (0, 50, 100, 0)), "JPEG"), "CMYK JPEG")
    put("palette.png", _encode(small.convert("P"), "PNG"), "palette PNG")
    put("la.png", _encode(small.convert("LA"), "PNG"), "LA PNG")
    put("i16.tif", _encode(Image.new("I;16", (64, 48), 1000), "TIFF"), "I;16 TIFF")
    put("float.tif", _encode(Image.new("F", (64, 48), 0.5), "TIFF"), "32-bit float TIFF")
    put("one-bit.png", _encode(small.convert("1"), "PNG"), "1-bit PNG")
    frames = [_gradient((64, 48)).rotate(a) for a in (0, 90, 180)]
    put("animated.gif", _encode(frames[0], "GIF", save_all=True, append_images=frames[1:]), "animated GIF")
    put("animated.webp", _encode(frames[0], "WEBP", save_all=True, append_images=frames[1:]), "animated WebP")
    put("one-pixel.jpg", _encode(Image.new("RGB", (1, 1), "red"), "JPEG"), "1x1 JPEG")
    put("wide-20000x20.png", _encode(Image.new("RGB", (20000, 20), "white"), "PNG"), "20000x20 PNG")
    put("tall-20x20000.png", _encode(Image.new("RGB", (20, 20000), "white"), "PNG"), "20x20000 PNG")
    for value in range(10):
        put(f"orientation-{value}.jpg", _with_exif_orientation(face, value), f"EXIF orientation {value}", True)
    for n in range(3):
        put(f"garbage-exif-{n}.jpg", _encode(small, "JPEG", exif=b"Exif\0\0" + rng.randbytes(400)), "garbage EXIF")
    put("shopping-list.jpg", b"Eggs, milk, bread.\n", "text named .jpg")
    put("photo.jfif", originals["jpg"], ".jfif photo", True)
    put("photo.jpe", originals["jpg"], ".jpe photo", True)
    put("no-extension", originals["jpg"], "photo without an extension", True)
    put("trailing-space.jpg ", originals["jpg"], "name with a trailing space", True)
    put("still.gif", _encode(small, "GIF"), "GIF")
    put("still.tif", _encode(small, "TIFF"), "TIFF")
    put("still.avif", b"\0\0\0\x1cftypavif" + rng.randbytes(200), "AVIF")
    put("line\nbreak.jpg", originals["jpg"], "name with a newline", True)
    put("-leading-dash.jpg", originals["jpg"], "name with a leading dash", True)
    put("Ученица-学生-طالب.jpg", originals["jpg"], "non-Latin name", True)
    put("x" * 250 + ".jpg", originals["jpg"], "254-byte name", True)
    put(b"latin1-\xe9t\xe9.jpg", originals["jpg"], "name that is not UTF-8", True)

    raw_folder = os.fsencode(folder)
    os.symlink(b"loop-b.jpg", os.path.join(raw_folder, b"loop-a.jpg"))
    os.symlink(b"loop-a.jpg", os.path.join(raw_folder, b"loop-b.jpg"))
    made += [Hostile(b"loop-a.jpg", "symlink loop"), Hostile(b"loop-b.jpg", "symlink loop")]
    os.symlink(b"nowhere.jpg", os.path.join(raw_folder, b"dangling.jpg"))
    made.append(Hostile(b"dangling.jpg", "dangling symlink"))
    os.mkfifo(os.path.join(raw_folder, b"fifo.jpg"))
    made.append(Hostile(b"fifo.jpg", "FIFO"))
    unreadable = os.path.join(raw_folder, b"unreadable.jpg")
    with open(unreadable, "wb") as handle:
        handle.write(base_jpeg)
    os.chmod(unreadable, 0)
    made.append(Hostile(b"unreadable.jpg", "unreadable file (root can still read it)"))
    return made


def _good_photos(folder: Path) -> list[str]:
    names = []
    for name in ("two_people.jpg", "biden.jpg"):
        source = TESTDATA / "photos" / name
        if source.is_file():
            shutil.copy(source, folder / f"good-{name}")
            names.append(f"good-{name}")
    _gradient((800, 600)).save(folder / "good-landscape.jpg", quality=90)
    names.append("good-landscape.jpg")
    return names


# Runs `rws` and prints its own peak resident memory last, for the checks that bound memory.
# (A refusal made while the command line is read exits from inside main, so SystemExit is caught too.)
_MEASURED_RWS = ("import resource, sys\nfrom rws_desktop.cli import main\ntry:\n    code = main(sys.argv[1:])\n"
                 "except SystemExit as stop:\n    code = stop.code\n"
                 "print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
                 "sys.exit(code)\n")


def _rws(data: Path, db: Path, *args: str, measure_memory: bool = False) -> subprocess.CompletedProcess:
    environment = {**os.environ, "RWS_DATA_DIR": str(data), "RWS_PASSWORD": PASSWORD, "RWS_NEW_PASSWORD": PASSWORD}
    start = ["-c", _MEASURED_RWS] if measure_memory else ["-m", "rws_desktop.cli"]
    command = [sys.executable, *start, "--db", f"sqlite:///{db}", *args]
    return subprocess.run(command, capture_output=True, env=environment, timeout=3600)


def _entries_by_name(report: dict) -> dict[str, dict]:
    """Every report entry that names a file, by the file's base name, whatever list it sits in."""
    found: dict[str, dict] = {}

    def walk(value) -> None:
        if isinstance(value, dict):
            source = value.get("source") or value.get("path")
            if isinstance(source, str):
                found[os.path.basename(source)] = value
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(report)
    return found


def _plain(reason: str) -> bool:
    return bool(reason.strip()) and not any(word in reason for word in RAW_WORDING)


def hostile_csv_files(folder: Path) -> dict[str, bytes]:
    """MIS exports that must be refused in plain words, in bounded time and memory."""
    header = b"UPN,Legal Forename,Legal Surname,Year,Reg Group,DOB\r\n"
    return {
        "100k-rows.csv": header + b"".join(b"F%06d,Ann,Lee,7,7A,01/09/2013\r\n" % n for n in range(100_000)),
        "50mb-line.csv": header + b"F000001,Ann," + b"x" * 50_000_000 + b",7,7A,01/09/2013\r\n",
        # under the 20 MB file limit, so the line itself must be refused
        "19mb-line.csv": header + b"F000001,Ann," + b"x" * 19_000_000 + b",7,7A,01/09/2013\r\n",
        "short-cells-line.csv": header + b"F000001," + b"a," * 6_000_000 + b"\r\n",
        "nul-byte.csv": header + b"F000001,A\0nn,Lee,7,7A,01/09/2013\r\n",
        "utf16-no-bom.csv": header.decode().encode("utf-16-le"),
        "workbook.csv": b"PK\x03\x04" + bytes(2000),
    }


def check_mis_imports(work: Path, data: Path, db: Path) -> list[str]:
    """Each hostile CSV is refused with a sentence (exit 1, no traceback), within 60 s and 1 GB."""
    failures, peak_mb = [], 0.0
    for name, content in hostile_csv_files(work).items():
        path = work / name
        path.write_bytes(content)
        started = time.perf_counter()
        done = _rws(data, db, "--user", "FUZ", "person", "import", str(path), measure_memory=True)
        seconds = time.perf_counter() - started
        said = (done.stdout + done.stderr).decode("utf-8", "replace").strip()
        peak_lines = [line for line in said.splitlines() if line.startswith("PEAK_KB ")]
        said = "\n".join(line for line in said.splitlines() if not line.startswith("PEAK_KB "))
        peak_mb = max([peak_mb] + [int(line.split()[1]) / 1024 for line in peak_lines])
        if done.returncode != 1 or "Traceback" in said or not _plain(said.splitlines()[-1] if said else ""):
            failures.append(f"MIS import of {name}: exit {done.returncode}: {said[-200:]!r}")
        if seconds > 60:
            failures.append(f"MIS import of {name} took {seconds:.0f} s")
        print(f"MIS import {name:<20} exit {done.returncode}  {seconds:5.1f} s  "
              f"{said.splitlines()[-1][:110] if said else ''}")
        path.unlink()
    if peak_mb > 1024:
        failures.append(f"MIS imports peaked at {peak_mb:.0f} MB")
    print(f"MIS imports: peak memory of any one {peak_mb:.0f} MB")
    return failures


def check(seed: int, scale: int, keep: Path | None) -> int:
    work = Path(tempfile.mkdtemp(prefix="rws-fuzz-"))
    folder, out, data = work / "photos", work / "safe", work / "data"
    folder.mkdir()
    data.mkdir()
    hostile = make_hostile_files(folder, seed, scale)
    good = _good_photos(folder)
    db = data / "fuzz.db"
    init = _rws(data, db, "init", "--admin", "FUZ", "--name", "Fuzz Harness")
    roles = _rws(data, db, "--user", "FUZ", "user", "roles", "FUZ", "--role", "admin", "--role", "auditor",
                 "--role", "office")
    if init.returncode != 0 or roles.returncode != 0:
        print(init.stdout.decode(), init.stderr.decode(), roles.stdout.decode(), roles.stderr.decode())
        return 1
    report_file = work / "report.json"
    vet = _rws(data, db, "--user", "FUZ", "vet", str(folder), "--channel", "instagram", "--out", str(out),
               "--json", str(report_file))
    failures: list[str] = []
    stderr = vet.stderr.decode("utf-8", "replace")
    if vet.returncode != 0 or "Traceback" in stderr:
        failures.append(f"vet exited {vet.returncode}: {stderr.strip().splitlines()[-1:] if stderr else ''}")
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else {}
    entries = _entries_by_name(report)
    for item in hostile:
        name = os.fsdecode(item.name)
        entry = entries.get(name)
        if entry is None:
            failures.append(f"{item.kind}: {name!r} is not in the report")
            continue
        reason = str(entry.get("reason", ""))
        decision = entry.get("decision")
        if decision in ("blocked", "error", "skipped", "refused") and not _plain(reason):
            failures.append(f"{item.kind}: {name!r}: reason not in plain words: {reason!r}")
        if item.from_face_photo and decision == "approved" and not entry.get("faces"):
            failures.append(f"{item.kind}: {name!r} approved with no face found, though the photo shows one")
    for name in good:
        entry = entries.get(name)
        if entry is None or entry.get("decision") not in ("approved", "redacted"):
            failures.append(f"good photo {name} was not vetted: {entry and entry.get('reason')}")
    verify = _rws(data, db, "--user", "FUZ", "audit", "verify")
    if verify.returncode != 0:
        failures.append(f"audit verify: {verify.stdout.decode().strip()} {verify.stderr.decode().strip()}")

    failures += check_mis_imports(work, data, db)

    for line in failures:
        print(f"FAIL {line}")
    print(f"seed {seed}: {len(hostile)} hostile files and {len(good)} good photos; vet exit {vet.returncode}; "
          f"{len(failures)} failures")
    if keep:
        shutil.copytree(work, keep, dirs_exist_ok=True, symlinks=True,
                        ignore=lambda folder, names: [n for n in names if n == "fifo.jpg"])
    shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--quick", action="store_true", help="3 damaged copies per format instead of 13")
    parser.add_argument("--keep", type=Path, help="copy the files, report and data folder here")
    args = parser.parse_args()
    return check(args.seed, 3 if args.quick else 13, args.keep)


if __name__ == "__main__":
    sys.exit(main())
