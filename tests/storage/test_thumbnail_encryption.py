"""Face thumbnails are encrypted at rest with the reference-face key, like the encodings: written encrypted,
shown only where they open, and those an older version stored in plain JPEG are encrypted once (migration 0008,
then the first start with the keys), their rows sealed again, with nothing plain left in the SQLite files."""
from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import numpy as np
from alembic import command
from alembic.config import Config
from PIL import Image
from sqlalchemy import text

from rws_desktop.app import App
from rws_desktop.core.audit.status import check_chain
from rws_desktop.core.kernel.consent import BiometricConsent
from rws_desktop.core.kernel.ports import NewPerson
from rws_desktop.keys import MemoryKeyStore
from rws_desktop.paths import migrations_dir
from rws_desktop.storage.row_seals import fields_of
from rws_desktop.core.keys.template_cipher import TemplateCipher
from rws_desktop.storage.thumbnail_encryption import ENTRY_KIND, encrypt_plain_thumbnails

TODAY = date(2026, 10, 1)
SOURCE_SHA = "ab" * 32


def face_jpeg(seed: int) -> bytes:
    """A small JPEG standing in for a face thumbnail, different for each seed."""
    pixels = np.random.default_rng(seed).integers(0, 256, (96, 96, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def enrol(database, name: str, seed: int) -> tuple[int, int]:
    """A person with biometric consent and one reference face with its thumbnail, logged as the services do."""
    with database.transaction() as tx:
        person = tx.register.add_person(NewPerson(name))
        tx.register.put_biometric_consent(BiometricConsent(person.id, parent_consent=True))
        reference = tx.register.add_reference_face(person.id, np.random.default_rng(seed).normal(size=128), SOURCE_SHA,
                                                   TODAY, face_jpeg(seed))
        tx.audit.append({"kind": "reference_face_added", "person_id": person.id})
    return person.id, reference


def stored_thumbnail(database, reference_id: int) -> bytes:
    with database.engine.connect() as connection:
        return bytes(connection.scalar(text("SELECT thumbnail FROM reference_face WHERE id = :r"), {"r": reference_id}))


def store_plain_as_before_0008(database, reference_id: int, jpeg: bytes, sealed: bool = True) -> None:
    """The row as an older version left it: the thumbnail in plain JPEG and, if `sealed`, the row's seal made over
    it (by the same entry as before); unsealed, it is a plain thumbnail put there outside the app."""
    with database.engine.begin() as connection:
        row = connection.execute(text("SELECT * FROM reference_face WHERE id = :r"), {"r": reference_id}).mappings().one()
        values = {"r": reference_id, "t": jpeg, "s": row["seal"]}
        if sealed:
            fields = fields_of("reference_face", SimpleNamespace(**{**row, "thumbnail": jpeg}))
            values["s"] = database.log_key.row_seal("reference_face", fields, row["sealed_seq"])
        connection.execute(text("UPDATE reference_face SET thumbnail = :t, seal = :s WHERE id = :r"), values)


def upgraded_from_0007(database) -> None:
    """Down to 0007 and up again, as a database an older version used is upgraded; its key row (made at the first
    start, which the test databases skip) is there, as the older version left it."""
    with database.transaction() as tx:
        if tx.template_key.current() is None:
            tx.template_key.create(database.template_cipher)
    migrate(database, "0007", downgrade=True)
    migrate(database, "head")


def migrate(database, revision: str, downgrade: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if downgrade else command.upgrade)(config, revision)


def thumbnail_entries(database) -> list[dict]:
    with database.snapshot() as tx:
        return [record.content for record in tx.audit.records() if record.content["kind"] == ENTRY_KIND]


def test_a_thumbnail_is_stored_encrypted_and_shown_only_where_it_opens(database):
    """The stored thumbnail holds none of the JPEG's bytes and reads back exactly with the key; under another key,
    or copied onto another person's row, it is not shown (None), as an altered encoding is not used."""
    ada, reference = enrol(database, "Ada", seed=1)
    bea, bea_reference = enrol(database, "Bea", seed=2)
    jpeg, stored = face_jpeg(1), stored_thumbnail(database, reference)
    assert not stored.startswith(b"\xff\xd8") and jpeg[2:40] not in stored and len(stored) == len(jpeg) + 29
    with database.snapshot() as tx:
        assert [face.thumbnail_jpeg for face in tx.register.reference_faces(ada)] == [jpeg]
    right_key = database.template_cipher
    database.use_template_cipher(TemplateCipher(TemplateCipher.new_key(), right_key.key_id))
    with database.snapshot() as tx:
        assert [face.thumbnail_jpeg for face in tx.register.reference_faces(ada)] == [None]
    database.use_template_cipher(right_key)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE reference_face SET thumbnail = :t WHERE id = :r"), {"t": stored, "r": bea_reference})
    with database.snapshot() as tx:
        assert [face.thumbnail_jpeg for face in tx.register.reference_faces(bea)] == [None]


def test_plain_thumbnails_from_before_0008_are_encrypted_once_at_the_first_start_with_the_keys(database):
    """Ada's and Bea's thumbnails stored plain (and sealed) by an older version, Cy's put there plain outside the app:
    after 0008 none is shown until the keys are here; then all three are encrypted in one transaction and one
    entry, Ada and Bea are sealed again (still recognisable, the log checks), Cy stays untrusted and is named. A
    second start does nothing."""
    people = {name: enrol(database, name, seed) for seed, name in enumerate(("Ada", "Bea", "Cy"), start=1)}
    for seed, (name, (_person, reference)) in enumerate(people.items(), start=1):
        store_plain_as_before_0008(database, reference, face_jpeg(seed), sealed=name != "Cy")
    upgraded_from_0007(database)
    with database.snapshot() as tx:
        assert [face.thumbnail_jpeg for face in tx.register.reference_faces(people["Ada"][0])] == [None]
        assert set(tx.register.reference_encodings()) == {people["Ada"][0], people["Bea"][0]}

    assert encrypt_plain_thumbnails(database) == 3

    for seed, (_person, reference) in enumerate(people.values(), start=1):
        stored = stored_thumbnail(database, reference)
        assert not stored.startswith(b"\xff\xd8") and face_jpeg(seed)[2:40] not in stored
    with database.snapshot() as tx:
        assert [face.thumbnail_jpeg for face in tx.register.reference_faces(people["Ada"][0])] == [face_jpeg(1)]
        assert [face.thumbnail_jpeg for face in tx.register.reference_faces(people["Bea"][0])] == [face_jpeg(2)]
        assert set(tx.register.reference_encodings()) == {people["Ada"][0], people["Bea"][0]}
        status = check_chain(tx, key=database.log_key)
    cy, cy_reference = people["Cy"]
    assert status.altered_rows == (f"reference face {cy_reference} of person {cy} (seal does not match; "
                                   f"last sealed by entry 3)",)
    assert [(e["thumbnails_encrypted"], e["changed_outside_the_app"]) for e in thumbnail_entries(database)] == [(3, 1)]
    assert encrypt_plain_thumbnails(database) == 0 and len(thumbnail_entries(database)) == 1


def test_without_the_keys_plain_thumbnails_wait_and_are_not_shown(database):
    """On a computer without the reference-face key nothing is encrypted (there is nothing to encrypt with), the
    work stays to do, and no thumbnail is shown."""
    ada, reference = enrol(database, "Ada", seed=1)
    store_plain_as_before_0008(database, reference, face_jpeg(1))
    upgraded_from_0007(database)
    cipher = database.template_cipher
    database.use_template_cipher(None)
    assert encrypt_plain_thumbnails(database) == 0
    with database.snapshot() as tx:
        assert [face.thumbnail_jpeg for face in tx.register.reference_faces(ada)] == [None]
        assert not tx.thumbnails.all_encrypted()
    database.use_template_cipher(cipher)
    assert encrypt_plain_thumbnails(database) == 1


def test_opening_the_app_encrypts_plain_thumbnails_and_leaves_no_plain_byte_in_the_sqlite_files(tmp_path):
    """The real start: App.open with its keys after an upgrade from 0007 encrypts the plain thumbnails, and neither
    the database file nor its write-ahead log holds any of their bytes afterwards (secure_delete, then the log
    emptied into the file)."""
    keys, url = MemoryKeyStore(), f"sqlite:///{tmp_path / 'rws.sqlite3'}"
    app = App.open(url, workers=1, key_store=keys)
    try:
        references = [enrol(app.database, name, seed)[1] for seed, name in enumerate(("Ada", "Bea"), start=1)]
        for seed, reference in enumerate(references, start=1):
            store_plain_as_before_0008(app.database, reference, face_jpeg(seed))
        migrate(app.database, "0007", downgrade=True)
    finally:
        app.close()
    app = App.open(url, workers=1, key_store=keys)  # migrates to 0008, unlocks the keys, encrypts
    try:
        assert [(e["thumbnails_encrypted"], e["changed_outside_the_app"]) for e in thumbnail_entries(app.database)] == [(2, 0)]
        with app.database.snapshot() as tx:
            assert check_chain(tx, key=app.database.log_key).ok
    finally:
        app.close()
    files = {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.name.startswith("rws.sqlite3")}
    assert "rws.sqlite3" in files
    for seed in (1, 2):
        jpeg = face_jpeg(seed)
        assert not [name for name, data in files.items() if jpeg[200:260] in data or jpeg[-64:] in data]
