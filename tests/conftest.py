"""Shared fixtures. Qt runs offscreen; tests that need the shared photos skip when they are absent."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("RWS_TESTDATA", REPO_ROOT.parent / "shared" / "testdata"))
NO_TESTDATA_REASON = f"the shared test photos are not at {TESTDATA} (set RWS_TESTDATA to their folder)"


@pytest.fixture(scope="session")
def testdata() -> Path:
    if not (TESTDATA / "photos").is_dir():
        pytest.skip(NO_TESTDATA_REASON)
    return TESTDATA


@pytest.fixture(scope="session")
def detector():
    from rws_desktop.core.detection import FaceDetector

    return FaceDetector()


@pytest.fixture(scope="session")
def encoder():
    from rws_desktop.core.recognition import FaceEncoder

    return FaceEncoder()
