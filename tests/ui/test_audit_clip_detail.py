"""The audit detail pane for a clip entry: its faces (tracks) with their frames."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "audit"))

from test_describe_clips import CLIP, describer, record  # noqa: E402

from rws_desktop.ui.audit.detail import entry_html  # noqa: E402


def test_the_detail_pane_lists_a_clips_faces_with_their_frames_and_no_track_correction_as_an_area():
    """The detail HTML has a Frames column for a clip's faces; only the drawn area is under 'Areas blurred by hand'."""
    html = entry_html(describer().detail(record(CLIP), []))
    assert "<th>Frames</th>" in html and "<td>41–1630</td>" in html
    areas = html.split("Areas blurred by hand")[1].split("Logged fields")[0]
    assert "a name badge" in areas and "his mother confirmed" not in areas
