"""Every kind of entry the app writes reads as a sentence in the log, the exports and the governors' PDF,
never as raw `key: value` text; and the admin, key and backup entries say what happened in plain words."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from rws_desktop.core.audit.describe import KIND_LABELS, EntryDescriber
from rws_desktop.core.audit.names import NameResolver
from rws_desktop.core.kernel.audit_seal import ADOPTED_ENTRY_KIND, KEYED_ENTRY_KIND

SOURCE = Path(__file__).resolve().parents[3] / "rws_desktop"
# Where entries are made: audit_entry("kind", …), a service's _entry("kind", …), change_entry("kind", …),
# _record(…, "kind", …) for keys, a constant such as CLIP_ENTRY_KIND, a dict written out with "kind": "…", or a
# typed entry's `KIND: ClassVar[str] = "…"` (core/kernel/audit_entries.py).
KIND_WRITTEN = re.compile(r'(?:audit_entry|_entry|change_entry)\(\s*"([a-z_]+)"|"kind": "([a-z_]+)"'
                          r'|_record\([^)]*"([a-z_]+)"|[A-Z_]*ENTRY_KIND = "([a-z_]+)"|KIND: ClassVar\[str\] = "([a-z_]+)"')
# Kinds that are not audit entries: the --json report's media kind, and a caption finding's kind.
NOT_ENTRIES = {"clip"}


# audit_entry(SOME_CONSTANT, …), with the constant's value found in the same file.
KIND_BY_NAME = re.compile(r'audit_entry\(\s*([A-Z][A-Z_]+)\b')


def written_kinds() -> set[str]:
    kinds = {KEYED_ENTRY_KIND, ADOPTED_ENTRY_KIND}
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in KIND_WRITTEN.finditer(text):
            kinds.add(next(group for group in match.groups() if group))
        for name in KIND_BY_NAME.findall(text):
            value = re.search(rf'^{name} = "([a-z_]+)"', text, re.M)
            if value:
                kinds.add(value.group(1))
    return kinds - NOT_ENTRIES


@pytest.fixture
def describer() -> EntryDescriber:
    return EntryDescriber(NameResolver({7: "Amelia Khan"}), None)


def test_the_source_scan_finds_the_entries_it_should():
    """The scan sees entries made in each way, so the next test covers what the app really writes."""
    kinds = written_kinds()
    assert {"photo_vetted", "dpia_recorded", "person_updated", "account_added", "reference_face_key_exported",
            "audit_log_keyed", "post_not_written", "clip_corrected", "clip_correction_undone", "post_approved"} <= kinds


def test_every_kind_written_has_a_label_and_a_sentence(describer):
    """No kind falls back to `key: value` text or a label made from its name (which gave "Dpia recorded")."""
    missing_labels = sorted(kind for kind in written_kinds() if kind not in KIND_LABELS)
    assert missing_labels == []
    raw = {kind: describer.summary({"kind": kind, "user": "MGL", "note": "x"}) for kind in written_kinds()}
    assert [kind for kind, text in raw.items() if "note: x" in text] == []


@pytest.mark.parametrize("content, sentence", [
    ({"kind": "account_added", "account": "MGL", "roles": ["admin"], "first_admin": True},
     "Account MGL added as the first admin (admin)"),
    ({"kind": "account_roles_changed", "account": "AUD", "before": ["auditor"], "after": ["auditor", "office"]},
     "Roles of AUD changed from auditor to auditor, office"),
    ({"kind": "dpia_recorded", "reference": "DPIA-7", "assessed_on": "2026-09-01", "dpo": "J Smith"},
     "DPIA DPIA-7 recorded, assessed on 2026-09-01 and signed off by J Smith"),
    ({"kind": "mis_import", "rows": 120, "created": 3, "changed": 2, "unchanged": 114, "invalid": 1},
     "MIS import of 120 rows: 3 added, 2 updated, 114 unchanged, 1 refused as invalid"),
    ({"kind": "person_updated", "person_id": 7, "changed": ["form", "leaving_date"], "reference_faces_deleted": 2},
     "Amelia Khan: form, leaving date changed; 2 reference faces deleted"),
    ({"kind": "action_refused", "user": "MSN", "action": "export", "channel": "instagram", "reason": "not an admin"},
     "MSN was refused export on instagram: not an admin"),
    ({"kind": "database_backed_up", "file": "/b/rws.sqlite3", "entries": 1, "integrity": "ok"},
     "Database backed up to /b/rws.sqlite3 with 1 log entry; integrity check ok"),
    ({"kind": "post_approved", "channel": "instagram", "media": [{}, {}], "named_person_ids": [7],
      "shown_person_ids": [7], "confirmations": []},
     "Post for instagram approved: 2 files; names Amelia Khan; shows Amelia Khan"),
])
def test_admin_and_system_entries_read_as_sentences(describer, content, sentence):
    """Each of these entries is summed up in the words a governor would use."""
    assert describer.summary(content) == sentence


def test_odd_fields_never_break_a_sentence(describer):
    """Missing, null or wrongly typed fields still give a sentence, not an error."""
    for kind in written_kinds():
        for content in ({"kind": kind}, {"kind": kind, "roles": None, "media": 3, "changed": "x", "entries": "y"}):
            assert isinstance(describer.summary(content), str)
