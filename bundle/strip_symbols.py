"""Strips symbol tables and debug information from the bundle's Linux libraries, where it is safe.

On Linux many wheels ship their libraries and extension modules unstripped (PyAV's, SQLAlchemy's, fontTools',
Pillow's, the Python build's own libpython): about 75 MB of the bundle is debug information no school PC uses.
PyInstaller's own `strip=True` strips every file, and breaks the ones auditwheel rewrote with patchelf (numpy's
OpenBLAS then fails to load: "ELF load command address/offset not page-aligned"). So each file is stripped into a
copy, and the copy replaces it only when its loadable segments are still aligned as the loader demands (the check
that fails for those files); otherwise the original stays. Windows and macOS keep debug information beside their
libraries (.pdb, .dSYM), not in them: nothing is done there.
"""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
PT_LOAD = 1


def strip_bundle(internal: Path) -> tuple[int, int, list[Path]]:
    """Strips every ELF file under `internal` (not the programs, which carry their archive appended). Returns the
    bytes saved, the files stripped, and the files left as they were because stripping would break them."""
    if not sys.platform.startswith("linux") or shutil.which("strip") is None:
        return 0, 0, []
    saved, stripped, kept = 0, 0, []
    for path in sorted(internal.rglob("*")):
        if path.is_symlink() or not path.is_file() or not _is_elf(path):
            continue
        copy = path.with_name(path.name + ".stripped")
        done = subprocess.run(["strip", "--strip-unneeded", "-o", str(copy), str(path)], capture_output=True)
        before = path.stat().st_size
        if done.returncode == 0 and copy.stat().st_size < before and loadable(copy):
            os.chmod(copy, path.stat().st_mode)
            os.replace(copy, path)
            saved += before - path.stat().st_size
            stripped += 1
        else:
            if done.returncode == 0 and copy.stat().st_size < before:
                kept.append(path)
            copy.unlink(missing_ok=True)
    return saved, stripped, kept


def loadable(path: Path) -> bool:
    """Whether a 64-bit little-endian ELF file's loadable segments meet the loader's rule: each one's file offset
    and address agree modulo its alignment, and its bytes lie inside the file. Anything else counts as not."""
    data = path.read_bytes()
    if data[:4] != ELF_MAGIC or data[4] != 2 or data[5] != 1:  # ELFCLASS64, little-endian
        return False
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for index in range(phnum):
        kind, _flags, offset, address, _physical, file_size, _memory_size, align = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + index * phentsize)
        if kind != PT_LOAD:
            continue
        if align > 1 and (offset - address) % align:
            return False
        if offset + file_size > len(data):
            return False
    return True


def _is_elf(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == ELF_MAGIC
