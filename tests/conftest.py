"""Shared fixtures. Qt runs offscreen; tests that need the shared photos skip when they are absent."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

# Offscreen, on a screen the size of a school laptop's; set before anything can import Qt.
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={Path(__file__).with_name('offscreen-1366x768.json')}")

import pytest  # noqa: E402

from rws_cli import add_staff, record_dpia, rws  # noqa: E402
from sessions import CHEAP_HASHING  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("RWS_TESTDATA", REPO_ROOT.parent / "shared" / "testdata"))
NO_TESTDATA_REASON = f"the shared test photos are not at {TESTDATA} (set RWS_TESTDATA to their folder)"


@pytest.fixture(scope="session", autouse=True)
def private_keys_and_quick_hashes(tmp_path_factory):
    """No test touches this user's real keyring or data folder: the reference-face key lives in memory
    (one store per test process, so copies of a database keep working) and the data folder is temporary.
    Argon2id runs at its cheapest, since tests sign in hundreds of times."""
    from rws_desktop.keys import MemoryKeyStore

    keys = MemoryKeyStore()
    patch = pytest.MonkeyPatch()
    patch.setenv("RWS_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    patch.setattr("rws_desktop.app.default_key_store", lambda folder: keys)
    patch.setattr("rws_desktop.core.accounts.passwords.DEFAULT_PARAMETERS", CHEAP_HASHING)
    yield keys
    patch.undo()


@pytest.fixture(scope="session")
def testdata() -> Path:
    if not (TESTDATA / "photos").is_dir():
        pytest.skip(NO_TESTDATA_REASON)
    return TESTDATA


@pytest.fixture(scope="session")
def detector():
    from rws_desktop.core.faces.detection import FaceDetector

    return FaceDetector()


@pytest.fixture(scope="session")
def encoder():
    from rws_desktop.core.faces.recognition import FaceEncoder

    return FaceEncoder()


TRAIN = {"obama": "obama", "biden": "biden", "kit": "kit_harington", "rose": "rose_leslie", "alex": "alex_lacamoire"}


@pytest.fixture(scope="session")
def enrolled_template(testdata, tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """A register with the five people of photos/people/train enrolled, consenting to all channels, after the DPIA
    was recorded; TST holds every role and MSN (comms) administers WhatsApp and Instagram, as in the policy."""
    db = tmp_path_factory.mktemp("template") / "rws.sqlite3"
    add_staff(db, "MSN", "comms")
    record_dpia(db)
    ids = {}
    for short, folder in TRAIN.items():
        assert rws(db, "person", "add", "--name", folder.replace("_", " ").title(), "--kind", "staff") == 0
        ids[short] = len(ids) + 1
        assert rws(db, "biometric", "set", ids[short], "--adult-consent", "yes") == 0
        assert rws(db, "consent", "set", ids[short], "--channel", "all", "--status", "granted") == 0
        photos = sorted((testdata / "photos/people/train" / folder).iterdir())
        assert rws(db, "enroll", ids[short], *photos) == 0
    return db, ids


@pytest.fixture
def register(enrolled_template, tmp_path) -> tuple[Path, dict[str, int]]:
    """A private copy of the enrolled register, so a test may change it."""
    template, ids = enrolled_template
    db = tmp_path / "rws.sqlite3"
    shutil.copy(template, db)
    return db, ids


