"""The `rws` command line end to end, on the shared test photos: enrol, consent, vet, audit."""
from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageOps

from bad_photos import BAD_INPUTS
from rws_cli import record_dpia, rws, run_json


def vet(db: Path, out: Path, *paths: Path, channel="instagram", workers=1) -> dict[str, dict]:
    """Vet through the CLI; one worker by default, since starting worker processes costs seconds."""
    report = out.parent / f"{out.name}.json"
    assert rws(db, "vet", *paths, "--channel", channel, "--out", out, "--json", report, "--workers", workers) == 0
    return {Path(p["source"]).name: p for p in json.loads(report.read_text())["photos"]}


def shown(photo: dict) -> set[int]:
    return {f["person_id"] for f in photo["faces"] if f["action"] == "shown"}


def test_enrolled_consenting_people_are_shown_and_everyone_else_is_blurred(register, testdata, tmp_path, capsys):
    """Each test photo shows exactly its enrolled people; the child and other strangers are blurred."""
    db, ids = register
    photos = vet(db, tmp_path / "out", testdata / "photos/people/test", workers=2)  # the parallel path
    expected = {
        "alex_lacamoire1.jpg": {ids["alex"]},
        "obama1.jpg": {ids["obama"]},
        "johnsnow_test1.jpg": {ids["kit"]},
        "kit_with_rose.jpg": {ids["kit"], ids["rose"]},
        "obama_and_biden.jpg": {ids["obama"], ids["biden"]},
    }
    assert {name: shown(p) for name, p in photos.items()} == expected
    for name, photo in photos.items():
        for face in photo["faces"]:
            if face["action"] == "blurred":
                assert face["person_id"] is None and face["consent"] in ("unknown", "uncertain")
        assert photo["decision"] in ("approved", "redacted")
        output = Path(photo["output"])
        assert output.exists() and output.suffix == ".jpg"
    # The child in obama_and_biden.jpg stands in the lower right quarter.
    child = [f for f in photos["obama_and_biden.jpg"]["faces"] if f["box"][0] > 1400 and f["box"][1] > 900]
    assert child and all(f["action"] == "blurred" for f in child)
    assert photos["obama_and_biden.jpg"]["decision"] == "redacted"


def test_refused_withdrawn_and_expired_consent_blur_an_identified_person(register, testdata, tmp_path):
    """Identified people are blurred when their consent for the channel is refused, withdrawn or expired."""
    db, ids = register
    today = date.today()
    assert rws(db, "consent", "set", ids["biden"], "--channel", "instagram", "--status", "refused") == 0
    assert rws(db, "consent", "set", ids["kit"], "--channel", "all", "--status", "withdrawn") == 0
    assert rws(db, "consent", "set", ids["rose"], "--channel", "all", "--status", "granted",
               "--given-on", today - timedelta(days=400), "--expires", today - timedelta(days=1)) == 0
    test = testdata / "photos/people/test"
    photos = vet(db, tmp_path / "out", test / "obama_and_biden.jpg", test / "kit_with_rose.jpg")

    def consent_of(photo, person):
        return [(f["consent"], f["action"]) for f in photos[photo]["faces"] if f["person_id"] == ids[person]]

    assert consent_of("obama_and_biden.jpg", "biden") == [("refused", "blurred")]
    assert consent_of("obama_and_biden.jpg", "obama") == [("granted", "shown")]
    assert consent_of("kit_with_rose.jpg", "kit") == [("withdrawn", "blurred")]
    assert consent_of("kit_with_rose.jpg", "rose") == [("expired", "blurred")]
    # The refusal is for Instagram only: Biden may still be shown on WhatsApp.
    whatsapp = vet(db, tmp_path / "wa", test / "obama_and_biden.jpg", channel="whatsapp")
    assert shown(whatsapp["obama_and_biden.jpg"]) == {ids["obama"], ids["biden"]}


def test_leavers_and_withdrawn_biometric_consent_lose_their_reference_faces(register, testdata, tmp_path, capsys):
    """Marking a leaver or withdrawing biometric consent deletes reference faces, so those people are blurred."""
    db, ids = register
    assert rws(db, "person", "leave", ids["obama"]) == 0
    assert "2 reference faces deleted" in capsys.readouterr().out
    assert rws(db, "biometric", "set", ids["biden"], "--adult-consent", "no") == 0
    assert "2 reference faces deleted" in capsys.readouterr().out
    with sqlite3.connect(db) as connection:
        remaining = dict(connection.execute("SELECT person_id, count(*) FROM reference_face GROUP BY person_id").fetchall())
    assert ids["obama"] not in remaining and ids["biden"] not in remaining
    photos = vet(db, tmp_path / "out", testdata / "photos/people/test/obama_and_biden.jpg")
    assert shown(photos["obama_and_biden.jpg"]) == set()


def test_enrolment_refuses_photos_without_exactly_one_face_and_keeps_the_rest(testdata, tmp_path, capsys):
    """A group photo or a photo of dogs is refused with the reason; the good photo is still enrolled; the count of
    reference faces is said in the singular or plural it needs."""
    db = tmp_path / "rws.sqlite3"
    record_dpia(db)
    assert rws(db, "person", "add", "--name", "Barack Obama", "--kind", "staff") == 0
    capsys.readouterr()
    assert rws(db, "enroll", 1, testdata / "photos/obama.jpg") == 1
    assert "cannot be enrolled" in capsys.readouterr().err
    assert rws(db, "biometric", "set", 1, "--adult-consent", "yes") == 0
    capsys.readouterr()
    photos = testdata / "photos"
    assert rws(db, "enroll", 1, photos / "two_people.jpg", photos / "no_faces_dogs.jpg", photos / "obama.jpg") == 0
    output = capsys.readouterr().out
    assert "REFUSED: " + str(photos / "two_people.jpg") + ": 2 faces found" in output
    # The dogs photo's only face is printed on a cover lying sideways, 34 pixels wide: found, and too small.
    assert "REFUSED: " + str(photos / "no_faces_dogs.jpg") + ": the face is too small" in output
    assert "1 of 3 reference faces added." in output
    assert rws(db, "enroll", 1, photos / "obama2.jpg") == 0
    assert "1 of 1 reference face added." in capsys.readouterr().out


def test_photo_with_gps_comes_out_without_exif_and_boxes_match_an_upright_viewer(testdata, tmp_path):
    """A sideways phone photo with GPS: no EXIF in the output, and its face box is where an exif_transpose viewer sees the face."""
    upright = Image.open(testdata / "photos/obama.jpg")
    upright = ImageOps.exif_transpose(upright).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated; viewers turn it 90 degrees clockwise
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "E", 4: (0.0, 10.0, 0.0)}
    sideways = tmp_path / "sideways.jpg"
    upright.transpose(Image.Transpose.ROTATE_90).save(sideways, exif=exif, quality=95)
    plain = tmp_path / "plain.jpg"
    upright.save(plain, quality=95)
    db = tmp_path / "rws.sqlite3"
    photos = vet(db, tmp_path / "out", sideways, plain)
    assert len(photos["sideways.jpg"]["faces"]) == len(photos["plain.jpg"]["faces"]) == 1
    box, reference = photos["sideways.jpg"]["faces"][0]["box"], photos["plain.jpg"]["faces"][0]["box"]
    assert all(abs(a - b) <= 12 for a, b in zip(box, reference)), (box, reference)
    output = Image.open(photos["sideways.jpg"]["output"])
    assert output.size == upright.size
    assert not output.getexif() and b"Exif" not in Path(photos["sideways.jpg"]["output"]).read_bytes()


def test_bad_files_are_per_photo_errors_and_the_batch_completes(testdata, tmp_path):
    """Empty, truncated, fake, bomb, 16-bit and CMYK files each get an error with its reason; good photos are still vetted."""
    batch = tmp_path / "batch"
    batch.mkdir()
    bad_names = {}
    for index, (kind, (data, words)) in enumerate(BAD_INPUTS.items()):
        name = f"{index}_{kind.replace(' ', '_')}.jpg"
        (batch / name).write_bytes(data)
        bad_names[name] = words
    (batch / "y_truncated_real.jpg").write_bytes((testdata / "photos/obama.jpg").read_bytes()[:4000])
    (batch / "z_good.jpg").write_bytes((testdata / "photos/obama_small.jpg").read_bytes())
    photos = vet(tmp_path / "rws.sqlite3", tmp_path / "out", batch)
    for name, words in bad_names.items():
        assert photos[name]["decision"] == "error" and photos[name]["output"] is None, (name, photos[name])
        assert words is None or words in photos[name]["reason"], photos[name]["reason"]
    assert photos["y_truncated_real.jpg"]["decision"] == "error"
    assert photos["z_good.jpg"]["decision"] == "redacted"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["z_good (safe).jpg"]


def test_closed_channel_blocks_every_photo(testdata, tmp_path):
    """The Geography Instagram is not live: photos are blocked and nothing is written."""
    photos = vet(tmp_path / "rws.sqlite3", tmp_path / "out", testdata / "photos/obama_small.jpg", channel="geography-instagram")
    photo = photos["obama_small.jpg"]
    assert photo["decision"] == "blocked" and photo["output"] is None and "not live" in photo["reason"]
    assert list((tmp_path / "out").iterdir()) == []


def test_audit_log_records_every_decision_and_catches_a_changed_byte(register, testdata, tmp_path, capsys):
    """Vetting writes one entry per photo; verify passes, then fails naming the entry whose byte was changed."""
    db, ids = register
    vet(db, tmp_path / "out", testdata / "photos/people/test/kit_with_rose.jpg")
    capsys.readouterr()
    assert rws(db, "audit", "verify") == 0
    assert capsys.readouterr().out.startswith("OK:")
    with sqlite3.connect(db) as connection:
        seq, content = connection.execute(  # the last vetting entry: signing in to verify added one after it
            "SELECT seq, content FROM audit_entry WHERE content LIKE '%photo_vetted%' ORDER BY seq DESC LIMIT 1").fetchone()
        entry = json.loads(content)
        assert entry["kind"] == "photo_vetted" and entry["channel"] == "instagram"
        assert entry["source_name"] == "kit_with_rose.jpg" and len(entry["source_sha256"]) == 64
        assert {f["person_id"] for f in entry["faces"]} == {ids["kit"], ids["rose"]}
        assert "Kit" not in content and "Rose" not in content  # ids only, never names or encodings
        connection.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        tampered = content.replace('"decision":"approved"', '"decision":"approvee"')
        assert tampered != content
        connection.execute("UPDATE audit_entry SET content = ? WHERE seq = ?", (tampered, seq))
    assert rws(db, "audit", "verify") == 1
    assert f"BROKEN at entry {seq}" in capsys.readouterr().out


def test_person_list_json_and_channels(register, capsys):
    """`person list --json` gives one object per person and `channels` lists keys with their status."""
    db, ids = register
    people = run_json(capsys, db, "person", "list", "--json")
    assert [p["id"] for p in people] == sorted(ids.values(), key=lambda i: [p["id"] for p in people].index(i))
    assert {p["name"] for p in people} == {"Obama", "Biden", "Kit Harington", "Rose Leslie", "Alex Lacamoire"}
    assert rws(db, "channels") == 0
    listing = capsys.readouterr().out
    assert "geography-instagram" in listing and "not_live" in listing and "MSN/MGL" in listing


def test_person_add_prints_the_new_id_alone(tmp_path, capsys):
    """Scripts read the new id from stdout."""
    db = tmp_path / "rws.sqlite3"
    assert rws(db, "person", "add", "--name", "Ada", "--mis-id", "A123", "--year", "7", "--dob", "2014-02-01") == 0
    assert capsys.readouterr().out == "1\n"
    assert rws(db, "person", "add", "--name", "Ada again", "--mis-id", "A123") == 1
    assert "already in the register" in capsys.readouterr().err


def test_init_twice_is_harmless_and_audit_export_writes_csv(register, tmp_path, capsys):
    """`rws init` can run again on a live database, and the CSV export has a header and one row per entry."""
    db, _ = register
    assert rws(db, "init") == 0 and rws(db, "init") == 0
    out = tmp_path / "audit.csv"
    assert rws(db, "audit", "export", "--format", "csv", "--out", out) == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute("SELECT count(*) FROM audit_entry").fetchone()
    assert lines[0].startswith("seq,at,kind,user") and len(lines) == count + 1


def test_impact_lists_the_exported_photos_showing_someone_whose_consent_is_withdrawn(register, testdata, tmp_path, capsys):
    """After vetting and exporting, withdrawing Kit's consent leaves `rws impact` listing exactly the photos that showed him, per channel and as CSV."""
    db, ids = register
    test = testdata / "photos/people/test"
    vet(db, tmp_path / "insta", test / "kit_with_rose.jpg", test / "obama1.jpg", channel="instagram")
    assert rws(db, "consent", "set", ids["kit"], "--channel", "whatsapp", "--status", "refused") == 0
    vet(db, tmp_path / "wa", test / "kit_with_rose.jpg", channel="whatsapp")  # exported, but Kit blurred
    capsys.readouterr()
    assert rws(db, "consent", "set", ids["kit"], "--channel", "all", "--status", "withdrawn") == 0
    assert f"1 photo already exported shows this person; list them with: rws impact {ids['kit']}" in capsys.readouterr().out
    report = tmp_path / "impact.csv"
    assert rws(db, "impact", ids["kit"], "--csv", report) == 0
    output = capsys.readouterr().out
    assert "kit_with_rose.jpg" in output and "obama1.jpg" not in output
    assert f"1 exported photo shows person {ids['kit']}." in output
    rows = report.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("audit_seq,exported_at,channel,source_name") and len(rows) == 2
    assert ",instagram,kit_with_rose.jpg," in rows[1]
    assert rws(db, "impact", ids["kit"], "--channel", "whatsapp") == 0
    assert "0 exported photos on whatsapp show person" in capsys.readouterr().out
    assert rws(db, "impact", ids["obama"], "--channel", "instagram") == 0
    assert "1 exported photo on instagram shows person" in capsys.readouterr().out
