"""Clips in posts: a clip's tracks count as a photo's faces (shown people, naming a blurred child, name
permission), and a clip's safe copy goes into the pack with its hash, its clip_vetted entry covered."""
from __future__ import annotations

import hashlib
import json

from rws_desktop.core.kernel.decisions import Action, Decision

from post_register import CHANNEL, track


def entries(store) -> list[dict]:
    with store.transaction() as tx:
        return [json.loads(r.content_json) for r in tx.audit.records()]


def test_a_shown_track_is_a_person_shown(service, checker, vetted, vetted_clip, ids):
    """Amelia's shown track and a stranger's blurred one: the post is ready and lists Amelia as shown."""
    clip = vetted_clip("assembly.mov", [track(ids["Amelia Khan"], Action.SHOWN, True), track(None, Action.BLURRED, track_id=2)])
    review = service.review(checker, "Amelia Khan at assembly", [vetted("hall.jpg", []), clip])
    assert review.ready and review.shown_person_ids == [ids["Amelia Khan"]]


def test_naming_someone_blurred_in_a_clip_blocks_the_post(service, checker, vetted_clip, ids):
    """Amelia may be named, but her track in the clip is blurred: naming her defeats the blur."""
    clip = vetted_clip("trip.mov", [track(ids["Amelia Khan"], Action.BLURRED)])
    review = service.review(checker, "Amelia Khan on the trip", [clip])
    [finding] = review.caption.findings
    assert finding.verdict.value == "blocked" and "blurred in trip.mov" in finding.reason
    assert "defeats the blur" in finding.reason and review.decision == "blocked"


def test_naming_someone_shown_in_a_clip_without_name_permission_blocks(service, checker, vetted_clip, ids):
    """Jack Jones is shown in the clip but may not be named: 'Jack Jones' in the caption blocks the post."""
    clip = vetted_clip("match.mov", [track(ids["Jack Jones"], Action.SHOWN, False)])
    review = service.review(checker, "Jack Jones scored", [clip])
    [finding] = review.caption.findings
    assert finding.verdict.value == "blocked" and "shown in match.mov and named here" in finding.reason


def test_a_blocked_clip_blocks_the_post_and_is_reported_as_rws_vet_reports_clips(service, checker, vetted_clip):
    """A clip that could not be vetted blocks the post; the report's media object is the clip's `rws vet` object."""
    clip = vetted_clip("broken.mp4", [], Decision.ERROR)
    review = service.review(checker, "Hello", [clip])
    assert review.decision == "blocked" and any("broken.mp4 is error" in p for p in review.problems)
    assert review.as_dict()["media"] == [clip.as_dict()] and review.as_dict()["media"][0]["kind"] == "clip"


def test_a_clip_goes_into_the_pack_with_its_hash_and_its_clip_vetted_entry_covered(service, checker, vetted, vetted_clip,
                                                                                    ids, store, tmp_path):
    """The pack holds the clip's safe copy byte for byte; hashes.txt and post_approved give its SHA-256, and
    post_approved's media names the clip_vetted entry (kind clip) beside the photo's photo_vetted one."""
    photo = vetted("hall.jpg", [])
    clip = vetted_clip("assembly.mov", [track(ids["Amelia Khan"], Action.SHOWN, True)])
    review = service.review(checker, "Amelia Khan at assembly", [photo, clip])
    pack = service.make_pack(review, CHANNEL, tmp_path / "pack")
    folder = tmp_path / "pack"
    assert sorted(p.name for p in folder.iterdir()) == ["assembly.mp4", "caption.txt", "hall.jpg", "hashes.txt", "receipt.pdf"]
    assert hashlib.sha256((folder / "assembly.mp4").read_bytes()).hexdigest() == clip.output_sha256
    assert f"{clip.output_sha256}  assembly.mp4" in (folder / "hashes.txt").read_text(encoding="utf-8")
    log = entries(store)
    entry = log[pack.audit_seq - 1]
    media = {m["output_name"]: m for m in entry["media"]}
    assert media["assembly.mp4"]["kind"] == "clip" and media["hall.jpg"]["kind"] == "photo"
    assert media["assembly.mp4"]["output_sha256"] == clip.output_sha256
    assert log[media["assembly.mp4"]["audit_seq"] - 1]["kind"] == "clip_vetted"
    assert log[media["hall.jpg"]["audit_seq"] - 1]["kind"] == "photo_vetted"
    assert entry["shown_person_ids"] == [ids["Amelia Khan"]]
