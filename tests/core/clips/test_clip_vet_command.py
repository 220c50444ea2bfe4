"""`rws vet` takes clips beside photos: one audit entry per clip, the report's clip entries, a damaged
clip as a per-file error, and a clip's people found when the log is searched by person."""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import av
import pytest
from clip_factory import Scene, Walker, background, write_clip
from clip_helpers import CROPS
from PIL import Image

from rws_cli import rws
from rws_desktop.core.kernel.audit_index import involved_people


def entries(db: Path, kind: str) -> list[dict]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT content FROM audit_entry ORDER BY seq").fetchall()
    return [entry for entry in map(json.loads, (row[0] for row in rows)) if entry.get("kind") == kind]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_clips_are_vetted_beside_photos_and_a_damaged_one_does_not_stop_the_batch(tmp_path):
    """A folder with a faceless MOV (with audio) and a damaged MP4: the MOV comes out as an approved
    MP4 with its audio, recorded with both hashes, duration, frames and rate; the damaged one is an
    error in the report and the log; no partial file is left."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_clip(folder / "assembly.mov", 15, lambda i: background((128, 72)), fps=15, audio="aac")
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(500))
    db, out, report = tmp_path / "rws.sqlite3", tmp_path / "out", tmp_path / "report.json"
    assert rws(db, "vet", folder, "--channel", "instagram", "--out", out, "--json", report) == 0
    items = {Path(item["source"]).name: item for item in json.loads(report.read_text())["photos"]}
    good, broken = items["assembly.mov"], items["broken.mp4"]
    assert good["kind"] == "clip" and good["decision"] == "approved" and good["tracks"] == []
    assert (good["frame_count"], good["frame_rate"], good["duration_s"]) == (15, 15.0, 1.0)
    assert broken["kind"] == "clip" and broken["decision"] == "error" and broken["output"] is None
    output = Path(good["output"])
    assert output == out / "assembly (safe).mp4" and sorted(p.name for p in out.iterdir()) == ["assembly (safe).mp4"]
    with av.open(str(output)) as clip:
        assert [s.type for s in clip.streams] == ["video", "audio"]
    logged = {entry["source_name"]: entry for entry in entries(db, "clip_vetted")}
    assert logged["assembly.mov"]["source_sha256"] == sha256(folder / "assembly.mov")
    assert logged["assembly.mov"]["output_sha256"] == sha256(output)
    assert (logged["assembly.mov"]["frame_count"], logged["assembly.mov"]["frame_rate"]) == (15, 15.0)
    assert logged["broken.mp4"]["decision"] == "error" and logged["broken.mp4"]["output_name"] is None


@pytest.mark.photos
def test_an_enrolled_consenting_person_is_shown_in_a_clip_and_the_entry_names_nobody(enrolled_template, testdata, tmp_path):
    """Obama (enrolled, consenting to all channels) walks past a stranger: his track is shown with his
    person id, the stranger's is blurred; the audit entry holds ids and distances but no name, and a
    search of the log by Obama's id finds the clip."""
    template, ids = enrolled_template
    db = tmp_path / "rws.sqlite3"
    shutil.copy(template, db)
    path, box = CROPS["obama"]
    obama = Image.open(testdata / path).convert("RGB").crop(box).resize((110, 110))
    path, box = CROPS["lin"]
    lin = Image.open(testdata / path).convert("RGB").crop(box).resize((110, 110))
    scene = Scene((400, 240), 20, [Walker(obama, (10, 40), (150, 80)), Walker(lin, (280, 120), (220, 40))])
    source = write_clip(tmp_path / "walk.mp4", scene.frames, scene.frame)
    report = tmp_path / "report.json"
    assert rws(db, "vet", source, "--channel", "instagram", "--out", tmp_path / "out", "--json", report) == 0
    (item,) = json.loads(report.read_text())["photos"]
    assert len(item["tracks"]) == 2
    assert {(t["person_id"], t["action"]) for t in item["tracks"]} == {(None, "blurred"), (ids["obama"], "shown")}
    (entry,) = entries(db, "clip_vetted")
    assert "Obama" not in json.dumps(entry)
    shown = next(t for t in entry["tracks"] if t["action"] == "shown")
    assert shown["consent"] == "granted" and shown["distance"] <= shown["median_distance"] <= 0.45
    assert ids["obama"] in involved_people(entry)
