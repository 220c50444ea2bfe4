"""`rws post` end to end on the shared test photos: vet, check the caption, write the pack or say why not."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from rws_cli import register_entries, rws

CHANNEL = "instagram"


def post(db: Path, tmp_path: Path, caption: str, *media: Path, out: str = "pack", extra=()) -> tuple[int, dict]:
    report = tmp_path / f"{out}.json"
    code = rws(db, "post", "--channel", CHANNEL, "--caption", caption, "--out", tmp_path / out, "--json", report,
               "--workers", 1, *extra, *media)
    return code, json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}


def test_a_clean_post_is_vetted_checked_and_packed(register, testdata, tmp_path, capsys):
    """Kit and Rose may be named: exit 0, decision ready, the pack holds the safe copy, caption.txt and receipt.pdf,
    and post_approved covers the photo's vetting entry."""
    db, ids = register
    for who in ("kit", "rose"):
        assert rws(db, "consent", "set", ids[who], "--channel", "all", "--status", "granted", "--with-name") == 0
    photo = testdata / "photos/people/test/kit_with_rose.jpg"
    code, report = post(db, tmp_path, "Kit Harington and Rose Leslie at the fair", photo)
    assert code == 0 and report["decision"] == "ready"
    assert [(f["kind"], f["verdict"], f["person_ids"]) for f in report["caption"]["findings"]] == [
        ("name", "allowed", [ids["kit"]]), ("name", "allowed", [ids["rose"]])]
    [media] = report["media"]
    assert set(media) == {"source", "output", "decision", "reason", "faces"}
    assert Path(media["output"]) == tmp_path / "pack" / "kit_with_rose (safe).jpg" and Path(media["output"]).is_file()
    assert sorted(p.name for p in (tmp_path / "pack").iterdir()) == ["caption.txt", "hashes.txt", "kit_with_rose (safe).jpg", "receipt.pdf"]
    assert len(PdfReader(tmp_path / "pack" / "receipt.pdf").pages) == 1
    entries = register_entries(db)
    vetted = [e for e in entries if e["kind"] == "photo_vetted"][-1]
    approved = entries[-1]
    assert approved["kind"] == "post_approved"
    assert approved["media"][0]["output_sha256"] == vetted["output_sha256"]
    assert set(approved["named_person_ids"]) == {ids["kit"], ids["rose"]}
    assert set(approved["shown_person_ids"]) == {ids["kit"], ids["rose"]}
    assert "READY" in capsys.readouterr().out
    assert not (tmp_path / "pack.part").exists() and not (tmp_path / "pack.vetting").exists()


def test_media_are_reported_as_rws_vet_reports_photos(register, testdata, tmp_path):
    """The same photo vetted by `rws vet` and by `rws post` gives the same object, apart from where the copy went."""
    db, ids = register
    photo = testdata / "photos/people/test/obama1.jpg"
    assert rws(db, "vet", photo, "--channel", CHANNEL, "--out", tmp_path / "vet", "--json", tmp_path / "vet.json", "--workers", 1) == 0
    [vetted] = json.loads((tmp_path / "vet.json").read_text())["photos"]
    code, report = post(db, tmp_path, "Assembly today", photo)
    assert code == 0
    [media] = report["media"]
    assert {k: v for k, v in media.items() if k != "output"} == {k: v for k, v in vetted.items() if k != "output"}


def test_naming_a_blurred_person_blocks_the_post_and_writes_nothing(register, testdata, tmp_path, capsys):
    """Rose refused Instagram, so she is blurred; naming her in the caption blocks the post: exit 0, no pack, every reason."""
    db, ids = register
    assert rws(db, "consent", "set", ids["rose"], "--channel", CHANNEL, "--status", "refused") == 0
    code, report = post(db, tmp_path, "Rose Leslie and Kit, call 07700 900123", testdata / "photos/people/test/kit_with_rose.jpg")
    assert code == 0 and report["decision"] == "blocked"
    findings = {f["text"]: f for f in report["caption"]["findings"]}
    assert findings["Rose Leslie"]["verdict"] == "blocked" and "defeats the blur" in findings["Rose Leslie"]["reason"]
    assert findings["Kit"]["verdict"] == "blocked" and "no permission to be named" in findings["Kit"]["reason"]
    assert findings["07700 900123"]["verdict"] == "blocked"
    assert report["media"][0]["output"] is None
    assert not (tmp_path / "pack").exists() and not (tmp_path / "pack.vetting").exists()
    assert all(e["kind"] != "post_approved" for e in register_entries(db))
    out = capsys.readouterr().out
    assert "BLOCKED" in out and "defeats the blur" in out


def test_a_caption_file_and_a_confirmation(register, testdata, tmp_path):
    """--caption-file reads UTF-8; --confirm NAME=REASON lets 'Kit' (Harington may be named, Marlowe may not) through,
    and the reason is in the post_approved entry."""
    db, ids = register
    assert rws(db, "person", "add", "--name", "Kit Marlowe", "--kind", "staff") == 0
    for person in (ids["kit"], len(ids) + 1):
        assert rws(db, "consent", "set", person, "--channel", "all", "--status", "granted",
                   *(["--with-name"] if person == ids["kit"] else [])) == 0
    caption = tmp_path / "caption.txt"
    caption.write_text("Thanks Kit!\nSee ravens.wood.school", encoding="utf-8")
    photo = testdata / "photos/no_faces_dogs.jpg"
    report_path = tmp_path / "r.json"
    args = ("post", "--channel", CHANNEL, "--caption-file", caption, "--out", tmp_path / "pack", "--json", report_path, "--workers", 1)
    assert rws(db, *args, "--confirm", "Kit=Kit Harington, who may be named", photo) == 0
    assert json.loads(report_path.read_text())["decision"] == "ready"
    assert register_entries(db)[-1]["confirmations"][0]["reason"] == "Kit Harington, who may be named"


@pytest.mark.parametrize("args", [
    ("--channel", CHANNEL, "--out", "pack", "photo"),  # no caption
    ("--channel", CHANNEL, "--caption", "x", "--caption-file", "c.txt", "--out", "pack", "photo"),  # both
    ("--channel", CHANNEL, "--caption", "x", "--out", "pack", "missing.jpg"),  # no such photo
    ("--channel", "tiktok", "--caption", "x", "--out", "pack", "photo"),  # no such channel
    ("--channel", CHANNEL, "--caption", "x", "--out", "busy", "photo"),  # folder in use
    ("--channel", CHANNEL, "--caption-file", "missing.txt", "--out", "pack", "photo"),  # unreadable caption
    ("--channel", CHANNEL, "--caption", "x", "--confirm", "Kit", "--out", "pack", "photo"),  # confirmation without a reason
])
def test_usage_errors_exit_2(register, testdata, tmp_path, args):
    """Each mistake in what was typed exits 2 and writes no pack."""
    db, _ = register
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x.txt").write_text("x")
    photo = testdata / "photos/no_faces_dogs.jpg"
    resolved = [str(photo) if a == "photo" else (str(tmp_path / a) if a in ("pack", "busy", "missing.jpg", "c.txt", "missing.txt") else a)
                for a in args]
    with pytest.raises(SystemExit) as stopped:
        code = rws(db, "post", *resolved)
        raise SystemExit(code)
    assert stopped.value.code == 2
    assert not (tmp_path / "pack").exists()


def faceless_clip(path: Path, frames: int = 10, fps: int = 10) -> Path:
    """A short synthetic MP4 with no face in it (a smooth gradient), written with PyAV."""
    from fractions import Fraction

    import av
    import numpy as np

    ys, xs = np.mgrid[0:72, 0:128]
    pixels = np.stack([60 + xs, 90 + ys, 120 + (xs + ys) // 4], axis=-1).astype(np.uint8)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 128, 72, "yuv420p"
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
    return path


def test_a_post_with_a_clip_packs_its_safe_copy_and_covers_its_clip_vetted_entry(register, testdata, tmp_path):
    """A photo and a clip: the clip is vetted as `rws vet` vets it (same report object, apart from where the copy
    went), its safe copy is in the pack with its SHA-256 in hashes.txt, and post_approved covers its clip_vetted entry."""
    db, _ = register
    clip = faceless_clip(tmp_path / "assembly.mov")
    assert rws(db, "vet", clip, "--channel", CHANNEL, "--out", tmp_path / "vet", "--json", tmp_path / "vet.json") == 0
    [vetted] = json.loads((tmp_path / "vet.json").read_text())["photos"]
    code, report = post(db, tmp_path, "Assembly today", testdata / "photos/no_faces_dogs.jpg", clip)
    assert code == 0 and report["decision"] == "ready"
    photo_report, clip_report = report["media"]
    assert clip_report["kind"] == "clip" and "kind" not in photo_report
    assert {k: v for k, v in clip_report.items() if k != "output"} == {k: v for k, v in vetted.items() if k != "output"}
    output = Path(clip_report["output"])
    assert output == tmp_path / "pack" / "assembly (safe).mp4" and output.is_file()
    digest = hashlib.sha256(output.read_bytes()).hexdigest()
    assert f"{digest}  assembly (safe).mp4" in (tmp_path / "pack" / "hashes.txt").read_text(encoding="utf-8")
    entries = register_entries(db)
    approved = entries[-1]
    [covered] = [m for m in approved["media"] if m["kind"] == "clip"]
    clip_entry = next(e for e in entries if e.get("kind") == "clip_vetted" and e.get("output_sha256") == digest)
    assert covered["output_sha256"] == digest and covered["output_name"] == clip_entry["output_name"] == "assembly (safe).mp4"
    assert not (tmp_path / "pack.vetting").exists() and not (tmp_path / "pack.part").exists()


def test_a_blocked_post_records_every_file_but_names_no_output(register, testdata, tmp_path):
    """A blocked post (a phone number in the caption) still records each photo and clip, as `rws vet` would, but
    their entries name no output file (none was kept) and say the post was blocked: the log never names a file
    that does not exist."""
    db, _ = register
    before = len(register_entries(db))
    clip = faceless_clip(tmp_path / "assembly.mov")
    wall = tmp_path / "wall.jpg"  # no face at all (no_faces_dogs.jpg has a printed face the engine blurs)
    Image.new("RGB", (640, 480), "white").save(wall)
    code, report = post(db, tmp_path, "Ring 07700 900123", wall, clip)
    assert code == 0 and report["decision"] == "blocked"
    assert [m["output"] for m in report["media"]] == [None, None]
    new = [e for e in register_entries(db)[before:] if e["kind"] in ("photo_vetted", "clip_vetted")]
    assert sorted(e["kind"] for e in new) == ["clip_vetted", "photo_vetted"]
    for entry in new:
        assert entry["decision"] == "approved" and entry["output_name"] is None and entry["output_sha256"] is None
        assert "blocked" in entry["origin"]
    assert not (tmp_path / "pack").exists() and not (tmp_path / "pack.vetting").exists()
