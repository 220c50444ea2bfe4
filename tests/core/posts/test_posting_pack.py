"""The posting pack (safe media, caption.txt, receipt.pdf), its post_approved entry, and where posts that
name someone show up afterwards: withdrawal impact and the person report."""
from __future__ import annotations

import csv
import errno
import hashlib
import json
import logging

import pytest
from pypdf import PdfReader

from rws_desktop.core.audit.log_service import AuditLogService
from rws_desktop.core.captions.findings import Confirmation
from rws_desktop.core.kernel.permissions import NotAllowed, Role
from rws_desktop.core.posts import pack as pack_module
from rws_desktop.core.posts.pack import PackError
from rws_desktop.core.register.impact import NAMED_IN_POST, withdrawal_impact
from sessions import signed_in

from post_register import blurred, shown
from post_register import CHANNEL

CAPTION = "Well played Amelia Khan and Jack!\nMore at ravenswood.example"


def entries(store) -> list[dict]:
    with store.transaction() as tx:
        return [json.loads(r.content_json) for r in tx.audit.records()]


@pytest.fixture
def made(service, checker, vetted, ids, tmp_path):
    """A ready post with two photos and a confirmed 'Jack', packed into tmp/pack."""
    photos = [vetted("sports day.jpg", [shown(ids["Amelia Khan"], True), blurred(None)]),
              vetted("relay.jpg", [shown(ids["Jack Smith"], True)])]
    review = service.review(checker, CAPTION, photos, [Confirmation("Jack", "Jack Smith in 9B, who may be named")])
    assert review.ready
    return review, service.make_pack(review, CHANNEL, tmp_path / "pack"), photos


def test_the_pack_holds_the_safe_media_the_caption_and_the_receipt_with_their_hashes(made, tmp_path):
    """Exactly the safe copies (byte for byte what was vetted), caption.txt as typed, hashes.txt listing every
    file's SHA-256 in `sha256sum` form, and receipt.pdf."""
    review, pack, photos = made
    folder = tmp_path / "pack"
    assert sorted(p.name for p in folder.iterdir()) == ["caption.txt", "hashes.txt", "receipt.pdf", "relay.jpg", "sports day.jpg"]
    assert (folder / "caption.txt").read_text(encoding="utf-8") == CAPTION
    listed = [line.split("  ", 1) for line in (folder / "hashes.txt").read_text(encoding="utf-8").splitlines()]
    assert sorted(name for _, name in listed) == ["caption.txt", "relay.jpg", "sports day.jpg"]
    for sha, name in listed:
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == sha
    assert pack.caption_sha256 == hashlib.sha256(CAPTION.encode("utf-8")).hexdigest()
    for photo in photos:
        data = (folder / photo.output.name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == photo.output_sha256 == next(f.sha256 for f in pack.files if f.name == photo.output.name)
    assert not (tmp_path / "pack.part").exists()


def test_the_receipt_is_one_page_naming_channel_approver_hashes_checks_and_the_override(made, tmp_path):
    """receipt.pdf: the channel, who approved and when, every file's SHA-256, the caption's, the checks and the override's reason."""
    review, pack, photos = made
    reader = PdfReader(tmp_path / "pack" / "receipt.pdf")
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "RWS Instagram" in text and "MSN (Test MSN)" in text and "Approved at" in text
    assert pack.caption_sha256 in text.replace(" ", "") or pack.caption_sha256 in text
    for photo in photos:
        assert photo.output_sha256 in text.replace(" ", "")
    assert "Checks run" in text and "Telephone numbers, email addresses" in text and "faces shown and blurred" in text
    assert "Jack Smith in 9B, who may be named" in text


def test_post_approved_is_in_the_chain_with_the_caption_hash_media_and_people(made, store, ids):
    """The entry holds the caption hash, each file's vetting entry and hashes, who is named and shown, and the confirmation."""
    review, pack, photos = made
    entry = entries(store)[pack.audit_seq - 1]
    assert entry["kind"] == "post_approved" and entry["user"] == "MSN" and entry["channel"] == CHANNEL
    assert entry["caption_sha256"] == pack.caption_sha256
    assert [(m["audit_seq"], m["output_name"], m["output_sha256"]) for m in entry["media"]] == [
        (p.audit_seq, p.output.name, p.output_sha256) for p in photos]
    jacks = {ids["Jack Smith"], ids["Jack Jones"], ids["Jack Brown"]}
    assert set(entry["named_person_ids"]) == {ids["Amelia Khan"]} | jacks
    assert entry["shown_person_ids"] == sorted([ids["Amelia Khan"], ids["Jack Smith"]])
    assert entry["confirmations"] == [{"start": 28, "end": 32, "person_ids": sorted(jacks),
                                       "reason": "Jack Smith in 9B, who may be named"}]
    assert "Amelia" not in json.dumps(entry) and "Jack" not in json.dumps(entry).replace("Jack Smith in 9B", "")


def test_the_chain_still_verifies_after_a_post(made, store, channels):
    """The new entry kind goes through the ordinary append: the whole chain checks out."""
    auditor = AuditLogService(store, signed_in(store, channels, "AUD", Role.AUDITOR))
    assert auditor.chain_status().ok


def test_impact_lists_a_post_that_only_names_someone(service, checker, vetted, ids, store, tmp_path):
    """Hope Evans is named in the caption but in no photo: her withdrawal impact lists the post's caption."""
    review = service.review(checker, "Hope Evans organised it", [vetted("stall.jpg", [])])
    pack = service.make_pack(review, CHANNEL, tmp_path / "stall post")
    [listed] = withdrawal_impact(store, ids["Hope Evans"])
    assert (listed.audit_seq, listed.how, listed.output_name, listed.output_sha256) == (
        pack.audit_seq, NAMED_IN_POST, "stall post/caption.txt", pack.caption_sha256)
    assert withdrawal_impact(store, ids["Hope Evans"], "whatsapp") == []
    assert withdrawal_impact(store, ids["Amelia Khan"]) == []


def test_the_person_report_lists_posts_that_name_the_person(made, store, channels, ids, tmp_path):
    """The person report's CSV has the post_approved entry, saying the person was named in the caption."""
    review, pack, photos = made
    auditor = AuditLogService(store, signed_in(store, channels, "AUD", Role.AUDITOR))
    out = tmp_path / "jack jones.csv"
    auditor.person_report(ids["Jack Jones"], out)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    [post] = [row for row in rows if row["kind"] == "post_approved"]
    assert post["seq"] == str(pack.audit_seq) and post["about_this_person"] == "named in the post's caption"
    out = tmp_path / "amelia.csv"
    auditor.person_report(ids["Amelia Khan"], out)
    [post] = [row for row in csv.DictReader(out.open(encoding="utf-8-sig")) if row["kind"] == "post_approved"]
    assert post["about_this_person"] == "named in the post's caption; shown in the post's photos"


def test_a_blocked_post_writes_nothing(service, checker, vetted, store, tmp_path):
    """Asked to pack a blocked post, the service refuses, writes no folder and records no post."""
    review = service.review(checker, "Call 07700 900123", [vetted("a.jpg", [])])
    before = len(entries(store))
    with pytest.raises(PackError, match="blocked"):
        service.make_pack(review, CHANNEL, tmp_path / "pack")
    assert not (tmp_path / "pack").exists() and not (tmp_path / "pack.part").exists()
    assert len(entries(store)) == before


def test_a_safe_copy_changed_since_vetting_stops_the_pack(service, checker, vetted, store, tmp_path):
    """If a safe copy's bytes no longer match its audit entry, no pack is written and nothing is recorded."""
    photo = vetted("a.jpg", [])
    photo.output.write_bytes(b"not the vetted photo")
    review = service.review(checker, "Hello", [photo])
    with pytest.raises(PackError, match="changed since it was vetted"):
        service.make_pack(review, CHANNEL, tmp_path / "pack")
    assert not (tmp_path / "pack").exists() and not (tmp_path / "pack.part").exists()
    assert all(e["kind"] != "post_approved" for e in entries(store))


def test_a_pack_goes_only_into_a_new_or_empty_folder(service, checker, vetted, tmp_path):
    """A folder with files in it is refused, so a pack holds only what its receipt lists."""
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "old.jpg").write_bytes(b"x")
    review = service.review(checker, "Hello", [vetted("a.jpg", [])])
    with pytest.raises(PackError, match="not an empty folder"):
        service.make_pack(review, CHANNEL, tmp_path / "busy")
    (tmp_path / "empty").mkdir()
    assert service.make_pack(review, CHANNEL, tmp_path / "empty").folder == tmp_path / "empty"


def test_only_someone_who_may_export_for_the_channel_makes_a_pack(store, channels, checker, vetted, tmp_path):
    """TRH administers the art department's account, not Instagram: refused, and nothing is written."""
    from post_register import post_service

    review = post_service(store, channels).review(checker, "Hello", [vetted("a.jpg", [])])
    with pytest.raises(NotAllowed):
        post_service(store, channels, "TRH").make_pack(review, CHANNEL, tmp_path / "pack")
    assert not (tmp_path / "pack").exists()


def test_a_forty_photo_receipt_stays_on_one_page_and_vouches_for_every_file_through_hashes_txt(
        service, checker, vetted, store, tmp_path):
    """With 40 photos the receipt is still one page: it lists the first files, counts the rest, and gives the
    SHA-256 of hashes.txt, which holds every file's SHA-256; the post_approved entry records that hash too."""
    photos = [vetted(f"photo {n:02}.jpg", []) for n in range(40)]
    review = service.review(checker, "Sports day", photos)
    pack = service.make_pack(review, CHANNEL, tmp_path / "big")
    folder = tmp_path / "big"
    reader = PdfReader(folder / "receipt.pdf")
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    hashes = (folder / "hashes.txt").read_bytes()
    hashes_sha = hashlib.sha256(hashes).hexdigest()
    assert hashes_sha in text.replace(" ", "")
    assert "40 photos" in text and "and 28 more files" in text
    listed = dict(reversed(line.split("  ", 1)) for line in hashes.decode("utf-8").splitlines())
    assert len(listed) == 41 and all(listed[p.output.name] == p.output_sha256 for p in photos)
    assert entries(store)[pack.audit_seq - 1]["hashes_sha256"] == hashes_sha


def test_a_safe_copy_gone_since_vetting_stops_the_pack_in_plain_words(service, checker, vetted, ids, store, tmp_path, caplog):
    """A safe copy deleted after vetting: PackError naming the photo and saying the file was moved or deleted, not
    Python's "[Errno 2] No such file or directory: '...'" (that goes to the log); no pack and no half-written folder."""
    photo = vetted("relay.jpg", [shown(ids["Jack Smith"], True)])
    photo.output.unlink()
    review = service.review(checker, "Well played", [photo])
    with caplog.at_level(logging.INFO, logger="rws_desktop"), pytest.raises(PackError) as refused:
        service.make_pack(review, CHANNEL, tmp_path / "pack")
    message = str(refused.value)
    assert "relay.jpg" in message and "moved or deleted" in message
    assert "Errno" not in message and "No such file" not in message
    assert "No such file" in caplog.text
    assert not (tmp_path / "pack").exists() and not (tmp_path / "pack.part").exists()


def test_a_disk_full_while_packing_is_refused_in_plain_words(service, checker, vetted, ids, tmp_path, monkeypatch):
    """Copying a safe copy into the pack hits a full disk: PackError saying the disk is full (not the system's
    wording), and the half-made pack folder is removed."""
    photo = vetted("relay.jpg", [shown(ids["Jack Smith"], True)])
    review = service.review(checker, "Well played", [photo])

    def full(source, target, length=0):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(pack_module.shutil, "copyfileobj", full)
    with pytest.raises(PackError) as refused:
        service.make_pack(review, CHANNEL, tmp_path / "pack")
    assert "is full" in str(refused.value) and "No space left" not in str(refused.value)
    assert not (tmp_path / "pack").exists() and not (tmp_path / "pack.part").exists()
