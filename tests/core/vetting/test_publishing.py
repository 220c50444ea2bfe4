"""Safe copies are written through an exclusive `.part` that never follows a link, fit the file system's name
limit, record names that are not UTF-8 safely, and a rerun after a kill finishes or skips what was done."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from register_helpers import audit_entries
from rws_desktop.core.kernel.audit_chain import GENESIS_HASH, canonical_json, chain_hash, verify_chain
from rws_desktop.core.kernel.decisions import Decision
from rws_desktop.core.vetting.analysis import PhotoResult
from rws_desktop.core.vetting.publishing import (already_published, output_path, publish, reconcile_pending,
                                                 vetted_entry)

JPEG = b"\xff\xd8 safe copy bytes \xff\xd9"


def result_for(source: Path, output: Path | None = None) -> PhotoResult:
    result = PhotoResult(source, Decision.APPROVED, "no faces found", source_sha256="ab" * 32, output=output)
    result.output_sha256 = hashlib.sha256(JPEG).hexdigest()
    return result


def test_a_planted_part_link_does_not_make_publishing_write_through_it(store, channels, tmp_path):
    """`x.jpg.part` planted as a link to another file: that file is untouched, and the safe copy is published."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    target = tmp_path / "x.jpg"
    os.symlink(victim, tmp_path / "x.jpg.part")
    content = vetted_entry(result_for(Path("x.png"), target), channels.get("instagram"), "NEF", Decision.APPROVED, "ok", [])
    publish(store, JPEG, target, content)
    assert victim.read_text() == "keep me"
    assert target.read_bytes() == JPEG and not target.is_symlink()
    assert not os.path.lexists(tmp_path / "x.jpg.part")


def test_a_254_byte_name_gets_a_safe_copy_name_that_fits_with_its_part(tmp_path):
    """The output name and its `.part` stay within 255 bytes, for ASCII and for two-byte letters alike."""
    for stem in ("x" * 250, "é" * 127):
        target = output_path(Path(stem + ".jpg"), tmp_path, set())
        assert len(os.fsencode(target.name + ".part")) <= 255
        target.with_name(target.name + ".part").write_bytes(b"")  # the file system accepts it


def test_a_name_that_is_not_utf8_is_recorded_and_verifies(store, channels, tmp_path):
    """A Latin-1 file name becomes an entry naming it with \\xNN escapes, and the chain verifies."""
    source = Path(os.fsdecode(b"latin1-\xe9t\xe9.jpg"))
    target = output_path(source, tmp_path, set())
    content = vetted_entry(result_for(source, target), channels.get("instagram"), "NEF", Decision.APPROVED, "ok", [])
    publish(store, JPEG, target, content)
    assert audit_entries(store)[-1]["source_name"] == "latin1-\\xe9t\\xe9.jpg"
    with store.transaction() as tx:
        assert verify_chain(list(tx.audit.records()), tx.audit.head()).ok


def test_canonical_text_of_valid_unicode_is_unchanged_so_old_chains_keep_their_hashes():
    """The hash of an entry with non-Latin letters is what it always was (computed the original way)."""
    content = {"kind": "photo_vetted", "source_name": "Ученица-学生.jpg", "n": 1}
    original = __import__("json").dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(content) == original
    assert chain_hash(GENESIS_HASH, canonical_json(content)) == hashlib.sha256((GENESIS_HASH + original).encode()).hexdigest()


def test_a_rerun_finishes_a_safe_copy_recorded_before_the_kill_and_skips_it(store, channels, tmp_path):
    """Killed between the entry's commit and the rename: the next run renames the `.part` into place and says so,
    and the photo is reported as already done instead of written again as `x (2).jpg`. A `.part` with no entry
    is removed."""
    channel = channels.get("instagram")
    target = tmp_path / "x.jpg"
    result = result_for(Path("x.png"), target)
    with store.transaction() as tx:
        seq = tx.audit.append(vetted_entry(result, channel, "NEF", Decision.APPROVED, "ok", []).to_payload()).seq
    (tmp_path / "x.jpg.part").write_bytes(JPEG)  # as the kill left it
    (tmp_path / "orphan.jpg.part").write_bytes(b"half")
    finished = reconcile_pending(store, tmp_path)
    assert target.read_bytes() == JPEG and not (tmp_path / "orphan.jpg.part").exists()
    assert "has now been saved" in finished[target]
    assert already_published(store, result_for(Path("x.png")), channel, result.output_sha256, tmp_path) == (seq, target)
    assert already_published(store, result_for(Path("x.png")), channels.get("whatsapp"), result.output_sha256, tmp_path) is None
