"""The audit detail pane says when a vetted photo was checked, beside when its entry was written (the export)."""
from __future__ import annotations

from datetime import timezone

from rws_desktop.core.audit.describe import EntryDescriber
from rws_desktop.core.audit.names import NameResolver
from rws_desktop.core.kernel.audit_chain import GENESIS_HASH, seal
from rws_desktop.ui.audit.detail import entry_html

OLD_ENTRY = {"kind": "photo_vetted", "at": "2026-07-02T09:05:00.000000Z", "user": "MSN", "channel": "instagram",
             "source_name": "trip.jpg", "source_sha256": "ab" * 32, "output_name": "trip (safe).jpg",
             "output_sha256": "cd" * 32, "decision": "approved", "reason": "no faces found", "faces": []}


def test_the_detail_pane_says_when_the_photo_was_checked_and_when_the_entry_was_written():
    """The audit detail pane of an entry with checked_at says "Photo checked 02 Jul 2026 09:00:30" and that the
    entry was written later, at the export; an old entry's pane says nothing of a check time."""
    describer = EntryDescriber(NameResolver({}), timezone.utc)
    new = describer.detail(seal(2, GENESIS_HASH, {**OLD_ENTRY, "checked_at": "2026-07-02T09:00:30.000000Z"}), [])
    html = entry_html(new)
    assert "Photo checked 02 Jul 2026 09:00:30. This entry was written 02 Jul 2026 09:05:00" in html
    old = describer.detail(seal(1, GENESIS_HASH, OLD_ENTRY), [])
    assert old.checked_at is None and "Photo checked" not in entry_html(old)
