"""Builds the bundle: dist/RWS Photo Check/, with the window and `rws` inside.

    uv run python bundle/build.py

Works the same on Windows, macOS and Linux (a bundle runs only on the system it was built on).
Steps: a runtime-only environment in build/venv (the app's dependencies and the postgres extra,
from uv.lock, no test tools), whose site-packages size it prints; PyInstaller added to it; the
spec run; on Linux, symbols and debug information stripped where safe (bundle/strip_symbols.py);
then the bundle's size, its largest parts, any file stored twice, and a check that every data file
the app reads is inside. Exits non-zero, naming the file, when one is missing.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from strip_symbols import strip_bundle  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
VENV = BUILD / "venv"
DIST = ROOT / "dist"
BUNDLE = DIST / "RWS Photo Check"
WEIGHTS_SHA256 = "2115b2d7d501b3070953f0346813cab6ca4235acefe0f0e5ee7fd45e7b2889cf"
EXE = ".exe" if os.name == "nt" else ""

# Files the app opens at run time, relative to the bundle's internal folder: a build that lacks
# one must fail here, not on a school PC.
REQUIRED_DATA = {
    "rws_desktop/models/centerface.onnx": "CenterFace's weights (face detection)",
    "rws_desktop/models/shape_predictor_5_face_landmarks.dat": "dlib's 5-point landmark model",
    "rws_desktop/models/dlib_face_recognition_resnet_model_v1.dat": "dlib's face encoder",
    "rws_desktop/_data/db/env.py": "the database migrations (db/)",
    "rws_desktop/_data/resources/channels.toml": "the school's channels (resources/)",
}
# Left out on purpose: unused, and a bundle carrying them is too big.
UNWANTED = {
    "shape_predictor_68_face_landmarks.dat": "dlib's 68-point landmark model (unused)",
    "mmod_human_face_detector.dat": "dlib's CNN face detector (unused: CenterFace finds the faces)",
    "ffmpeg": "an ffmpeg program (imageio-ffmpeg's)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "build.spec", help="the PyInstaller spec (default: build.spec)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    weights = ROOT / "rws_desktop" / "models" / "centerface.onnx"
    if hashlib.sha256(weights.read_bytes()).hexdigest() != WEIGHTS_SHA256:
        return _fail(f"{weights} is not the CenterFace file named in rws_desktop/models/NOTICE.md")

    _uv("sync", "--no-dev", "--extra", "postgres", "--no-editable")
    site_packages = _site_packages()
    installed = _size(site_packages)
    _uv("sync", "--no-dev", "--extra", "postgres", "--no-editable", "--group", "build")
    shutil.rmtree(BUNDLE, ignore_errors=True)
    _run([str(_python()), "-m", "PyInstaller", str(args.spec), "--noconfirm", "--log-level", "WARN",
          "--distpath", str(DIST), "--workpath", str(BUILD / "pyinstaller")])

    unstripped = _size(BUNDLE)
    saved, stripped, kept = strip_bundle(BUNDLE / "_internal")
    problems = check_bundle(BUNDLE)
    print(f"\nBuilt {BUNDLE} in {time.monotonic() - started:.0f} s")
    if stripped or kept:
        print(f"Symbols and debug information stripped from {stripped} libraries: {_mb(saved)} of {_mb(unstripped)}; "
              f"left whole, as stripping would break them: {', '.join(path.name for path in kept) or 'none'}")
    print(f"Bundle size: {_mb(_size(BUNDLE))}")
    print(f"Site-packages of a runtime install (with the postgres extra): {_mb(installed)} ({site_packages})")
    print("Largest parts of the bundle:")
    for size, path in _largest(BUNDLE, 14):
        print(f"  {_mb(size):>18}  {path.relative_to(BUNDLE)}")
    for name in ("RWS Photo Check" + EXE, "rws" + EXE):
        program = BUNDLE / name
        if program.is_symlink():
            print(f"  {'':>18}  {name}: a link to {os.readlink(program)}")
        elif program.is_file():
            print(f"  {_mb(program.stat().st_size):>18}  {name} (a program, with every Python module inside)")
    copies = _duplicates(BUNDLE)
    print(f"Files stored twice or more with the same content: {len(copies)} sets, "
          f"{_mb(sum(size * (len(paths) - 1) for size, paths in copies))} beyond one copy of each")
    for size, paths in copies:
        print(f"  {_mb(size):>18}  " + ", ".join(str(path.relative_to(BUNDLE)) for path in paths))
    for problem in problems:
        print(f"MISSING OR UNWANTED: {problem}", file=sys.stderr)
    return 1 if problems else 0


def check_bundle(bundle: Path) -> list[str]:
    """What is wrong with a built bundle, in words: programs or data files missing, unused weight present."""
    problems = [f"the program {name!r}" for name in ("RWS Photo Check" + EXE, "rws" + EXE) if not (bundle / name).is_file()]
    internal = bundle / "_internal"
    problems += [f"{what}: {path} is not in the bundle" for path, what in REQUIRED_DATA.items()
                 if not (internal / path).is_file()]
    platforms = internal / "PySide6" / "Qt" / "plugins" / "platforms"
    if not platforms.is_dir() or not any(platforms.iterdir()):
        problems.append(f"Qt's platform plugins: {platforms.relative_to(bundle)} is empty or missing")
    elif sys.platform.startswith("linux"):  # the offscreen one runs the smoke test; xcb opens the window on a desktop
        problems += [f"Qt's {name} platform plugin: {(platforms / name).relative_to(bundle)} is missing"
                     for name in ("libqoffscreen.so", "libqxcb.so") if not (platforms / name).is_file()]
    for path in bundle.rglob("*"):
        stem = path.name.split(".")[0].split("-")[0]
        for name, what in UNWANTED.items():
            if path.name == name or (name == "ffmpeg" and stem == "ffmpeg" and path.is_file()):
                problems.append(f"{what} is in the bundle: {path.relative_to(bundle)}")
    return problems


def _duplicates(folder: Path, smallest: int = 64 * 1024) -> list[tuple[int, list[Path]]]:
    """Files of `smallest` bytes or more stored more than once with the same content, largest first."""
    by_size: dict[int, list[Path]] = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.stat().st_size >= smallest:
            by_size.setdefault(path.stat().st_size, []).append(path)
    copies = []
    for size, paths in by_size.items():
        by_hash: dict[str, list[Path]] = {}
        for path in paths if len(paths) > 1 else []:
            by_hash.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), []).append(path)
        copies += [(size, sorted(same)) for same in by_hash.values() if len(same) > 1]
    return sorted(copies, key=lambda item: item[0], reverse=True)


def _uv(*args: str) -> None:
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(VENV))
    env.pop("VIRTUAL_ENV", None)
    _run(["uv", *args, "--locked", "--quiet"], env=env)


def _run(command: list[str], env: dict | None = None) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _site_packages() -> Path:
    found = subprocess.run([str(_python()), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                           capture_output=True, text=True, check=True)
    return Path(found.stdout.strip())


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _largest(folder: Path, count: int) -> list[tuple[int, Path]]:
    """The biggest top-level parts of the bundle's internal folder (packages, libraries)."""
    internal = folder / "_internal"
    parts = [(_size(p) if p.is_dir() else p.stat().st_size, p) for p in internal.iterdir() if not p.is_symlink()]
    return sorted(parts, key=lambda item: item[0], reverse=True)[:count]


def _mb(size: int) -> str:
    return f"{size / 1e6:.0f} MB ({size / 2**20:.0f} MiB)"


def _fail(message: str) -> int:
    print(f"build: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
