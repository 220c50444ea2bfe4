"""The bundle's Linux stripping step (bundle/strip_symbols.py): libraries get smaller, and none is left in a state
the loader refuses, as numpy's auditwheel-patched OpenBLAS is once `strip` has rewritten it."""
from __future__ import annotations

import ctypes
import hashlib
import shutil
import struct
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bundle"))
import strip_symbols  # noqa: E402  (bundle/strip_symbols.py)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("strip") is None,
                                reason="the bundle is stripped on Linux only, with binutils' strip")


def _unstripped_extension() -> Path:
    """A module of this Python's standard library that still carries its symbol table, or a skip saying none does."""
    folder = Path(sysconfig.get_config_var("DESTSHARED") or "")
    for path in sorted(folder.glob("_json*.so")) + sorted(folder.glob("*.so")):
        if b".symtab" in path.read_bytes():
            return path
    pytest.skip(f"no extension module in {folder} carries a symbol table to strip (this Python's are stripped)")


def _numpy_libs() -> Path:
    import numpy

    folder = Path(numpy.__file__).parent.parent / "numpy.libs"
    if not any(folder.glob("libscipy_openblas*.so")):
        pytest.skip(f"this numpy has no auditwheel-vendored OpenBLAS in {folder}")
    return folder


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_stripping_shrinks_libraries_and_leaves_every_one_loadable(tmp_path):
    """A standard-library extension loses its symbols and still loads; numpy's OpenBLAS, which `strip` would leave
    misaligned, is either left byte for byte as it was or, stripped, still loads (here: left as it was)."""
    internal = tmp_path / "_internal"
    extension = internal / "python3.11" / "lib-dynload" / _unstripped_extension().name
    extension.parent.mkdir(parents=True)
    shutil.copy2(_unstripped_extension(), extension)
    shutil.copytree(_numpy_libs(), internal / "numpy.libs")
    [openblas] = (internal / "numpy.libs").glob("libscipy_openblas*.so")
    before = {path: (path.stat().st_size, _sha256(path)) for path in [extension, openblas]}

    saved, stripped, kept = strip_symbols.strip_bundle(internal)

    assert extension.stat().st_size < before[extension][0] and saved > 0 and stripped >= 1
    for path in [extension, *(internal / "numpy.libs").iterdir()]:
        assert strip_symbols.loadable(path), path
    ctypes.CDLL(str(extension))  # raises OSError if the loader refuses it
    ctypes.CDLL(str(openblas))
    if openblas in kept:
        assert _sha256(openblas) == before[openblas][1]
    assert not list(internal.rglob("*.stripped")), "a stripped copy was left behind"


def test_the_alignment_check_refuses_a_segment_the_loader_would_refuse(tmp_path):
    """A loadable segment whose file offset no longer matches its address modulo its alignment (what `strip` leaves
    in a patchelf-rewritten file) is refused; the untouched file passes."""
    library = tmp_path / "library.so"
    shutil.copy2(_unstripped_extension(), library)
    assert strip_symbols.loadable(library)
    data = bytearray(library.read_bytes())
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for index in range(phnum):
        entry = phoff + index * phentsize
        kind, _flags, offset = struct.unpack_from("<IIQ", data, entry)
        if kind == strip_symbols.PT_LOAD and offset:
            struct.pack_into("<Q", data, entry + 8, offset + 8)
            break
    library.write_bytes(bytes(data))
    assert not strip_symbols.loadable(library)
    with pytest.raises(OSError, match="not page-aligned|ELF"):
        ctypes.CDLL(str(library))
