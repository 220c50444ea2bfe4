"""Biometric protection end to end on the shared photos: encodings encrypted at rest, an altered template blurs
its face, withdrawal and leaving remove encodings, strangers' encodings are never kept, and without a DPIA
nobody is recognised."""
from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pytest

from rws_cli import rws
from rws_desktop.app import App
from rws_desktop.core.faces.imaging import load_photo
from rws_desktop.core.register.service import MIN_REFERENCE_SCORE

pytestmark = pytest.mark.photos


def vet(db: Path, out: Path, *photos: Path, workers: int = 1, channel: str = "instagram") -> dict[str, dict]:
    report = out.parent / f"{out.name}.json"
    assert rws(db, "vet", *photos, "--channel", channel, "--out", out, "--json", report, "--workers", workers) == 0
    return {Path(p["source"]).name: p for p in json.loads(report.read_text())["photos"]}


def shown(photo: dict) -> set[int]:
    return {face["person_id"] for face in photo["faces"] if face["action"] == "shown"}


def encodings_in(photo: Path, detector, encoder, min_score: float = float("-inf")) -> list[np.ndarray]:
    """What the app computes for each face of `photo`: the same loading, detection and encoding."""
    image = load_photo(photo).image
    faces = [face for face in detector.detect(image) if face.score >= min_score]
    return [encoding for encoding in encoder.encode_all(image, faces) if encoding is not None]


def readable_forms(encoding: np.ndarray) -> list[bytes]:
    """The ways an encoding could sit in a file: float64 and float32 either way round, and its first 8 values."""
    vector = np.asarray(encoding, dtype=np.float64)
    little = vector.astype("<f8").tobytes()
    return [little, vector.astype(">f8").tobytes(), vector.astype("<f4").tobytes(), vector.astype(">f4").tobytes(), little[:64]]


def bytes_under(*folders: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for folder in folders for path in folder.rglob("*") if path.is_file()}


def checkpoint(db: Path) -> None:
    """Fold SQLite's write-ahead log into the file and empty it, as closing the app does."""
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_the_database_holds_no_reference_encoding_in_readable_form(register, testdata, detector, encoder):
    """Obama's enrolled encoding, which the app reads back exactly, appears nowhere in the database's files in any
    float form: a copy of the database alone reveals no encodings."""
    db, ids = register
    photo = sorted((testdata / "photos/people/train/obama").iterdir())[0]
    (known,) = encodings_in(photo, detector, encoder, MIN_REFERENCE_SCORE)
    app = App.open(f"sqlite:///{db}", workers=1)
    try:
        with app.database.transaction() as tx:
            stored = tx.register.reference_encodings()[ids["obama"]]
    finally:
        app.close()
    assert any(np.array_equal(known, encoding) for encoding in stored)  # the search below looks for the right bytes
    files = {path: data for path, data in bytes_under(db.parent).items() if path.name.startswith(db.name)}
    assert db in files
    for form in readable_forms(known):
        assert not [path for path, data in files.items() if form in data]


def test_an_altered_template_is_no_template_so_that_face_is_blurred(register, testdata, tmp_path):
    """With one byte of each of Obama's encrypted templates changed, Obama is blurred as unknown while Kit, whose
    templates are intact, is still shown."""
    db, ids = register
    with sqlite3.connect(db) as connection:
        for reference_id, blob in connection.execute("SELECT id, encoding FROM reference_face WHERE person_id = ?", (ids["obama"],)).fetchall():
            altered = bytearray(blob)
            altered[100] ^= 0x01
            connection.execute("UPDATE reference_face SET encoding = ? WHERE id = ?", (bytes(altered), reference_id))
    test = testdata / "photos/people/test"
    photos = vet(db, tmp_path / "out", test / "obama1.jpg", test / "kit_with_rose.jpg")
    assert shown(photos["obama1.jpg"]) == set()
    assert [face["consent"] for face in photos["obama1.jpg"]["faces"]] == ["unknown"]
    assert shown(photos["kit_with_rose.jpg"]) == {ids["kit"], ids["rose"]}


def test_withdrawal_and_leaving_remove_the_encodings_from_the_file(register, capsys):
    """Withdrawn biometric consent (Biden) and leaving (Obama) delete their encodings at once: no rows, and with
    secure_delete their encrypted bytes are gone from the database file too. Everyone else keeps theirs."""
    db, ids = register
    with sqlite3.connect(db) as connection:
        before = connection.execute("SELECT person_id, encoding FROM reference_face").fetchall()
    assert rws(db, "biometric", "set", ids["biden"], "--adult-consent", "no") == 0
    assert rws(db, "person", "leave", ids["obama"]) == 0
    checkpoint(db)
    with sqlite3.connect(db) as connection:
        remaining = {row[0] for row in connection.execute("SELECT DISTINCT person_id FROM reference_face")}
    assert remaining == set(ids.values()) - {ids["biden"], ids["obama"]}
    contents = db.read_bytes()
    gone = [bytes(blob) for person_id, blob in before if person_id in (ids["biden"], ids["obama"])]
    assert len(gone) == 4 and not [blob for blob in gone if blob[13:] in contents]


def test_the_database_holds_no_face_thumbnail_in_readable_form(register):
    """The enrolled people's face thumbnails, which the app shows exactly (JPEGs), are encrypted in the database:
    its files hold no JPEG at all."""
    db, ids = register
    app = App.open(f"sqlite:///{db}", workers=1)
    try:
        with app.database.transaction() as tx:
            thumbnails = [face.thumbnail_jpeg for person_id in ids.values() for face in tx.register.reference_faces(person_id)]
    finally:
        app.close()
    assert len(thumbnails) >= 5 and all(jpeg and jpeg.startswith(b"\xff\xd8\xff") for jpeg in thumbnails)
    checkpoint(db)
    files = {path: data for path, data in bytes_under(db.parent).items() if path.name.startswith(db.name)}
    assert db in files
    assert not [path for path, data in files.items() if b"\xff\xd8\xff" in data]
    assert not [path for path, data in files.items() for jpeg in thumbnails if jpeg[100:160] in data]


def test_strangers_encodings_never_reach_the_database_the_data_folder_or_temporary_files(
        register, testdata, tmp_path, monkeypatch, detector, encoder):
    """After vetting photos with strangers in them (on two worker processes), no encoding of any face in them,
    strangers included, is in the database, anywhere in the app's data folder, or in a temporary file; nor is any
    picture of a face (no JPEG at all: a stranger's thumbnail is never made, and the register's are encrypted),
    and the reference faces are still only the enrolled people's."""
    template, ids = register
    data, temporary = tmp_path / "data", tmp_path / "tmp"
    data.mkdir()
    temporary.mkdir()
    db = data / "rws.sqlite3"
    shutil.copy(template, db)
    monkeypatch.setenv("RWS_DATA_DIR", str(data))
    monkeypatch.setenv("TMPDIR", str(temporary))  # the worker processes' temporary folder
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    photos = [testdata / "photos/people/test/obama_and_biden.jpg", testdata / "photos/lin-manuel-miranda.png",
              testdata / "annotated/2008_001009.jpg"]
    with sqlite3.connect(db) as connection:
        enrolled = connection.execute("SELECT id, person_id FROM reference_face ORDER BY id").fetchall()
    report = vet(db, tmp_path / "out", *photos, workers=2)
    unknown = [face for photo in report.values() for face in photo["faces"] if face["consent"] == "unknown"]
    assert len(unknown) >= 3  # the child, the woman at the edge, Lin-Manuel Miranda and the group are strangers
    checkpoint(db)
    files = bytes_under(data, temporary)
    assert db in files
    computed = [encoding for photo in photos for encoding in encodings_in(photo, detector, encoder)]
    assert len(computed) >= len(unknown)
    for encoding in computed:
        for form in readable_forms(encoding):
            assert not [path for path, content in files.items() if form in content]
    assert not [path for path, content in files.items() if b"\xff\xd8\xff" in content]
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT id, person_id FROM reference_face ORDER BY id").fetchall() == enrolled


def test_with_no_dpia_recorded_nobody_is_recognised(register, testdata, tmp_path, capsys):
    """Without a DPIA every face is blurred, even enrolled people with consent, and vet says why; recording one
    turns recognition on."""
    db, ids = register
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM dpia")
    test = testdata / "photos/people/test"
    photos = vet(db, tmp_path / "off", test / "obama_and_biden.jpg", test / "kit_with_rose.jpg")
    assert all(shown(photo) == set() for photo in photos.values())
    assert "No DPIA is recorded" in capsys.readouterr().err
    assert rws(db, "dpia", "record", "--reference", "DPIA-7", "--date", "2026-10-01", "--dpo", "Test DPO") == 0
    photos = vet(db, tmp_path / "on", test / "kit_with_rose.jpg")
    assert shown(photos["kit_with_rose.jpg"]) == {ids["kit"], ids["rose"]}
