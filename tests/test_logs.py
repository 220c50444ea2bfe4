"""The log file in the data folder: start-up, database and key are recorded; names, photos' paths and encodings never."""
from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest
from PIL import Image

from rws_cli import record_dpia, rws
from rws_desktop.logs import configure_logging, log_file, redact_paths

NAME = "Zebedee Quartermain"


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("RWS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_the_log_records_start_database_and_key_but_no_name_path_or_encoding(data_folder, testdata, encoder, detector, tmp_path):
    """A person named, enrolled from a photo whose folder and file carry the name, then a batch vetted that holds
    a photo that cannot be read: the log has the start-up, database and key lines, and neither the name nor
    the photos' folder nor any form of the enrolled encoding."""
    named = tmp_path / f"{NAME} family"
    named.mkdir()
    enrolment = named / f"{NAME}.jpg"
    shutil.copy(testdata / "photos/obama.jpg", enrolment)
    (named / f"{NAME} broken.jpg").write_bytes(b"not a photo at all")
    db = tmp_path / "rws.sqlite3"
    record_dpia(db)
    assert rws(db, "person", "add", "--name", NAME, "--kind", "staff") == 0
    assert rws(db, "biometric", "set", 1, "--adult-consent", "yes") == 0
    assert rws(db, "consent", "set", 1, "--channel", "all", "--status", "granted") == 0
    assert rws(db, "enroll", 1, enrolment) == 0
    assert rws(db, "vet", named, "--channel", "instagram", "--out", tmp_path / "out", "--workers", "1") == 0

    text = log_file().read_text(encoding="utf-8")
    assert log_file().parent == data_folder / "logs"
    assert "rws started: version" in text
    assert "Database: sqlite:///" in text and "Reference-face key: Reference faces are encrypted" in text
    assert "Zebedee" not in text and "Quartermain" not in text
    image = Image.open(enrolment)
    [face] = detector.detect(image)
    [encoding] = encoder.encode_all(image, [face])
    raw = log_file().read_bytes()
    vector = np.asarray(encoding, dtype=np.float64)
    for form in (vector.tobytes(), vector.astype(np.float32).tobytes(), vector.tobytes()[:64]):
        assert form not in raw
    assert f"{vector[0]:.6f}"[:8] not in text and f"{vector[1]:.6f}"[:8] not in text


def test_a_failure_is_logged_with_its_traceback_and_any_photo_path_hidden(data_folder, tmp_path):
    """An error's traceback keeps the app's own code lines, and loses the path of a photo named after a child."""
    configure_logging("test")
    photo = tmp_path / f"{NAME}.jpg"
    try:
        raise OSError(f"cannot identify image file '{photo}'")
    except OSError:
        logging.getLogger("rws_desktop.test").exception("A photo could not be analysed")
    text = log_file().read_text(encoding="utf-8")
    assert "A photo could not be analysed" in text and "Traceback (most recent call last)" in text
    assert "test_logs.py" in text  # the code's location stays: that is what IT support needs
    assert "cannot identify image file '<path>'" in text
    assert NAME not in text


def test_redaction_keeps_database_addresses_and_hides_windows_and_posix_paths():
    """Addresses such as postgresql://host/db are not paths; C:\\Users\\... and /home/... are."""
    assert redact_paths("postgresql+psycopg://rws@db.school.example:5432/rws") == "postgresql+psycopg://rws@db.school.example:5432/rws"
    assert redact_paths(r"open C:\Users\Jane Smith\Pictures\trip.jpg, then") == "open <path>, then"
    assert redact_paths("'/home/jane/Pictures/Jane Smith.jpg'") == "'<path>'"


def test_the_log_file_rotates_at_a_megabyte(data_folder):
    """The file handler keeps the log small: it rolls over at about 1 MB and keeps five old files."""
    configure_logging("test")
    handler = next(h for h in logging.getLogger("rws_desktop").handlers if getattr(h, "baseFilename", "") == str(log_file().resolve()))
    assert handler.maxBytes == 1_000_000 and handler.backupCount == 5


def test_a_worker_failure_is_logged_with_the_workers_traceback_and_no_photo_path(data_folder, tmp_path):
    """A photo whose analysis raised in a worker becomes an error result, and the log gets the failure with the
    worker's own traceback (as concurrent.futures carries it back), the photo's path hidden."""
    from concurrent.futures import ProcessPoolExecutor

    from rws_desktop.core.vetting.analysis import Decision
    from rws_desktop.core.vetting.batch import _outcome

    configure_logging("test")
    photo = tmp_path / f"{NAME}.jpg"
    with ProcessPoolExecutor(1) as pool:
        future = pool.submit(_fail_in_worker, str(photo))
        future.exception()
    result = _outcome(photo, future)
    assert result.result.decision is Decision.ERROR
    text = log_file().read_text(encoding="utf-8")
    assert "A photo could not be analysed in a worker process." in text
    assert "_fail_in_worker" in text  # a frame from the worker's side
    assert NAME not in text and "<path>" in text


def _fail_in_worker(path: str) -> None:
    raise ValueError(f"cannot read '{path}'")
