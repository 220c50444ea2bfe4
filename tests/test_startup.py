"""Start-up: commands that touch no faces load no face models, Qt, PyAV, PDF writer or Alembic; the App keeps
one pool of worker processes for its whole life. (How long start-up takes is measured by bench/startup.py.)"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rws_desktop.app import App
from rws_desktop.core.kernel.permissions import Role
from sessions import TEST_PASSWORD

# Top-level packages a command that touches no faces must not import: the face models (dlib through
# face_recognition, ONNX Runtime), Qt, PyAV (clips), the PDF writer and Alembic (the schema is current), and
# numpy and Pillow (arrays and images are for photos; the register stores encodings as bytes).
HEAVY = ("face_recognition", "dlib", "onnxruntime", "PySide6", "av", "fpdf", "alembic", "numpy", "PIL")
# The app's own modules such a command must not import either: the face engine, clips, vetting (even its
# standard-library-only worker_start: the pool is sized when a command vets) and posts; nor PostgreSQL's dialect
# on SQLite, nor multiprocessing (only a command that vets starts worker processes).
HEAVY_MODULES = ("rws_desktop.core.faces", "rws_desktop.core.clips", "rws_desktop.core.vetting",
                 "rws_desktop.core.posts", "rws_desktop.ui", "sqlalchemy.dialects.postgresql", "multiprocessing",
                 "cryptography.hazmat.primitives.serialization")  # its SSH part alone took 0.05 s to import
LIGHT_EXCEPTIONS = ()
# Runs `rws ARGS...` as the console script does, then writes the heavy packages and modules it loaded to the
# file named by RWS_TEST_LOADED.
RUN_AND_LIST = (
    "import os, sys\n"
    "from rws_desktop.cli import main\n"
    "try:\n"
    "    code = main(sys.argv[1:])\n"
    "except SystemExit as exit:\n"
    "    code = exit.code\n"
    f"loaded = sorted({{name.split('.')[0] for name in sys.modules}} & set({HEAVY!r}))\n"
    f"loaded += sorted(name for name in sys.modules if name not in {LIGHT_EXCEPTIONS!r} and\n"
    f"                 (name in {HEAVY_MODULES!r} or name.startswith({tuple(m + '.' for m in HEAVY_MODULES)!r})))\n"
    "open(os.environ['RWS_TEST_LOADED'], 'w').write(','.join(loaded))\n"
    "sys.exit(code)\n"
)


def _rws(folder: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """`rws` in a fresh interpreter on the database in `folder` (its own data folder, so its own key file),
    signed in as TST; the heavy packages it imported."""
    loaded = folder / "loaded.txt"
    env = dict(os.environ, RWS_DATA_DIR=str(folder / "data"), RWS_PASSWORD=TEST_PASSWORD,
               RWS_NEW_PASSWORD=TEST_PASSWORD, RWS_USER="TST", RWS_TEST_LOADED=str(loaded))
    env.pop("RWS_DB", None)
    result = subprocess.run([sys.executable, "-c", RUN_AND_LIST, *args], env=env, capture_output=True, text=True,
                            timeout=300)
    return result, loaded.read_text().split(",") if loaded.read_text() else []


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("startup")
    result, _loaded = _rws(folder, "init", "--admin", "TST", "--name", "Test Staff")
    assert result.returncode == 0, result.stderr
    roles = [part for role in Role for part in ("--role", role.value)]
    result, _loaded = _rws(folder, "user", "roles", "TST", *roles)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.mark.parametrize("args", [["channels"], ["--version"], ["--help"], ["user", "list"], ["dpia", "show"]])
def test_commands_that_touch_no_faces_load_no_face_models_qt_or_alembic(school, args):
    """`rws channels` and other commands without photos, in a fresh interpreter on an up-to-date database, answer
    (exit 0) without importing face_recognition, dlib, ONNX Runtime, PySide6, PyAV, fpdf, Alembic, numpy or
    Pillow, nor the app's face, clip, vetting or posts modules, nor SQLAlchemy's PostgreSQL dialect, nor
    multiprocessing, nor cryptography's key serialization package."""
    result, loaded = _rws(school, *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()  # it answered
    assert loaded == []


def test_an_error_in_a_command_is_still_reported_in_one_line(school, tmp_path):
    """An error class the command line reports by name (here a usage mistake and an unknown channel) still gives
    `rws: ...` and exit code 1, although the modules defining such errors are no longer imported up front."""
    result, _loaded = _rws(school, "vet", str(tmp_path / "missing.jpg"), "--channel", "instagram", "--out",
                           str(tmp_path / "out"))
    assert result.returncode == 1 and result.stderr.startswith("rws: not found:")
    result, _loaded = _rws(school, "channels", "admins", "no-such-channel")
    assert result.returncode == 1 and result.stderr.startswith("rws: ") and "no-such-channel" in result.stderr


def test_the_app_keeps_one_worker_pool_across_sign_outs_and_closes_it(tmp_path):
    """Vetting services built for each person who signs in share the App's one worker pool; signing out stops its
    processes (they hold the last batch's reference encodings, which must not outlive that session), and
    closing the App stops them too."""
    app = App.open(f"sqlite:///{tmp_path / 'rws.sqlite3'}", workers=2)
    try:
        app.sign_ins.create_first_admin("HT", "Test Head", TEST_PASSWORD)
        app.sign_in("HT", TEST_PASSWORD)
        app.accounts.set_roles("HT", [Role.ADMIN, Role.COMMS])
        first = app.vetting.workers
        assert first is app.worker_pool and first.workers == 2
        app.warm_workers()
        assert first.warming
        app.sign_out()
        assert not first.warming
        app.sign_in("HT", TEST_PASSWORD)
        assert app.vetting.workers is first
        closed = []
        first.close = lambda: closed.append(True)
    finally:
        app.close()
    assert closed == [True]


@pytest.mark.parametrize("module", ["rws_desktop.cli", "rws_desktop.ui.main"])
def test_what_the_entry_scripts_import_is_light(module):
    """The modules the `rws` and `rws-desktop` scripts import at their top, which every worker process they spawn
    imports again before loading its models, load neither Qt, the face models, SQLAlchemy, PyAV nor the PDF writer."""
    script = f"import sys, {module}; print(','.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    loaded = set(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                                timeout=120).stdout.strip().split(","))
    assert loaded & {*HEAVY, "sqlalchemy"} == set()


def test_a_worker_loads_its_models_without_the_database_cryptography_or_pkg_resources():
    """A worker process (which imports the `rws` script's module again, then loads the face models as
    set_up_worker does) imports neither SQLAlchemy, the audit log's cryptography, Qt, face_recognition, nor
    pkg_resources (face_recognition_models' import pulls it in; the model files are found without it)."""
    script = ("import sys, rws_desktop.cli\n"
              "from rws_desktop.core.vetting import batch\n"
              "batch.set_up_worker(batch.AnalysisSettings())\n"
              "print(','.join(sorted({m.split('.')[0] for m in sys.modules})))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.strip().split(","))
    assert {"dlib", "onnxruntime"} <= loaded  # the models did load
    assert loaded & {"sqlalchemy", "cryptography", "PySide6", "face_recognition", "face_recognition_models",
                     "pkg_resources", "alembic", "av"} == set()


def test_the_encoder_model_files_are_the_ones_face_recognition_models_ships():
    """The worker's dlib 5-point landmark and encoder files ship inside rws_desktop and are found without importing
    face_recognition_models (checked in a fresh interpreter); byte for byte they are the files that package's own
    functions name (it is a test tool now, installed with the dev group)."""
    script = ("import sys, hashlib\n"
              "from rws_desktop.core.faces.recognition import _model_files\n"
              "found = _model_files()\n"
              "assert 'face_recognition_models' not in sys.modules\n"
              "assert all('/rws_desktop/models/' in path.replace(chr(92), '/') for path in found), found\n"
              "import face_recognition_models as m\n"
              "theirs = (m.pose_predictor_five_point_model_location(), m.face_recognition_model_location())\n"
              "digest = lambda path: hashlib.sha256(open(path, 'rb').read()).hexdigest()\n"
              "assert [digest(p) for p in found] == [digest(p) for p in theirs], (found, theirs)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_rws_vet_starts_its_workers_before_the_database_and_stops_them_when_sign_in_fails(tmp_path, monkeypatch):
    """`rws vet` spawns its worker processes before it opens the database and signs in, so they load the face
    models meanwhile. A wrong password ends the command with exit 1 and stops those workers although they are
    still loading (here they would load for a minute); with the right password one photo goes to one worker."""
    from PIL import Image

    from rws_cli import ensure_staff, rws
    from rws_desktop.core.vetting import batch
    from worker_doubles import LOAD_GATE_VARIABLE, faceless_analyser, gated_analyser

    db = tmp_path / "rws.sqlite3"
    ensure_staff(db)
    photo = tmp_path / "photo.png"
    Image.new("RGB", (64, 64), "white").save(photo)
    monkeypatch.setenv(LOAD_GATE_VARIABLE, str(tmp_path / "never opened"))
    steps, pools = [], []
    build = {"analyser": gated_analyser}

    class RecordingPool(batch.WorkerPool):
        def __init__(self, workers, settings=None):
            super().__init__(workers, batch.AnalysisSettings(build_analyser=build["analyser"]))
            pools.append(self)

        def warm_up(self):
            steps.append("workers started")
            super().warm_up()
            self.processes = list(self._pool._processes.values())

        def analyse(self, *args, **kwargs):
            steps.append("photo sent to the workers")
            yield from super().analyse(*args, **kwargs)

    opened = App.open.__func__
    monkeypatch.setattr(batch, "WorkerPool", RecordingPool)
    monkeypatch.setattr(App, "open", classmethod(lambda cls, *a, **k: steps.append("database opened") or opened(cls, *a, **k)))
    out = ["--channel", "instagram", "--out", str(tmp_path / "out"), "--workers", "2"]

    assert rws(db, "vet", photo, *out, password="not the password") == 1
    assert steps == ["workers started", "database opened"]
    assert pools[0].processes and not any(process.is_alive() for process in pools[0].processes)

    steps.clear()
    build["analyser"] = faceless_analyser
    assert rws(db, "vet", photo, *out) == 0
    assert steps == ["workers started", "database opened", "photo sent to the workers"]
    assert pools[1].workers == 1 and not pools[1].warming  # one photo, one worker; closed with the App


def test_the_rws_program_pauses_the_collector_while_it_starts_and_freezes_what_start_up_made(school):
    """main() without arguments is the `rws` program: while it starts (imports, database, sign-in) the garbage
    collector makes no pass; when the command begins the collector runs again, with start-up's objects in its
    permanent generation (gc.freeze), and at the end what is left is frozen too, so shut-down does not walk it.
    main(argv), as tests call it in their own long-lived process, leaves the collector alone: it runs throughout
    and nothing is frozen. Both checked in fresh interpreters with `rws channels`."""
    script = ("import gc, sys\n"
              "from rws_desktop import cli\n"
              "passes, seen = [], {}\n"
              "gc.callbacks.append(lambda phase, info: phase == 'start' and passes.append(info['generation']))\n"
              "listed = cli.COMMANDS['channels']\n"
              "def channels(app, args):\n"
              "    seen.update(enabled=gc.isenabled(), passes=len(passes), frozen=gc.get_freeze_count())\n"
              "    return listed(app, args)\n"
              "cli.COMMANDS['channels'] = channels\n"
              "if sys.argv[1] == 'program':\n"
              "    sys.argv = ['rws', 'channels']  # as the console script starts it\n"
              "    code = cli.main()\n"
              "else:\n"
              "    code = cli.main(['channels'])\n"
              "print(code, int(seen['enabled']), seen['passes'], seen['frozen'], int(gc.isenabled()), "
              "gc.get_freeze_count())\n")
    env = dict(os.environ, RWS_DATA_DIR=str(school / "data"), RWS_PASSWORD=TEST_PASSWORD, RWS_USER="TST")
    env.pop("RWS_DB", None)
    found = {}
    for how in ("program", "argv"):
        result = subprocess.run([sys.executable, "-c", script, how], env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stderr
        found[how] = list(map(int, result.stdout.split()[-6:]))
    code, enabled, passes, frozen, enabled_at_end, frozen_at_end = found["program"]
    assert (code, enabled, passes, enabled_at_end) == (0, 1, 0, 1)
    assert frozen > 10_000 and frozen_at_end >= frozen
    code, enabled, passes, frozen, enabled_at_end, frozen_at_end = found["argv"]
    assert (code, enabled, frozen, enabled_at_end, frozen_at_end) == (0, 1, 0, 1, 0)
    assert passes > 0  # start-up's imports did set the collector going, as they would without rws's help


def test_the_apps_worker_count_is_the_one_asked_for_else_the_default(tmp_path):
    """App.workers, now worked out on first use rather than when the App opens: the number `workers` asked for,
    else default_workers() (one a core, up to the memory budget)."""
    from rws_desktop.core.vetting.worker_start import default_workers

    url = f"sqlite:///{tmp_path / 'rws.sqlite3'}"
    for asked, expected in ((None, default_workers()), (2, 2), (1, 1)):
        app = App.open(url, workers=asked)
        try:
            assert app.workers == expected
        finally:
            app.close()


def test_the_audit_log_keys_public_key_is_the_raw_ed25519_key_as_before():
    """LogKey.public_key, now read with public_bytes_raw() so that cryptography's serialization package is not
    imported at every start, is byte for byte the Raw/Raw encoding it was read with before; so fingerprints shown
    and checkpoints signed before the change still match."""
    from cryptography.hazmat.primitives import serialization

    from rws_desktop.core.kernel.audit_seal import LogKey, fingerprint

    key = LogKey(bytes(range(32)), "log-test")
    raw = key._signing.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert key.public_key == raw and len(raw) == 32
    assert key.fingerprint == fingerprint(raw)
