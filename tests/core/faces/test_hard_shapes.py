"""Hard shapes (hard_shapes.py) on a few shared photos: with nobody consenting, no face stays recognisable.

Each shape is made from one annotated group photo (7 faces of 37 to 45 pixels) and one hard/ photo
(a face held sideways), run through the real pipeline as the app runs it minus the database, and
judged in the source photo's own frame against the clean face; so are the faces the bench found
hardest (big faces smeared by motion, a small face under a hand). bench/hard_recall.py runs the same
shapes on every shared photo, with deface beside ours.
"""
from __future__ import annotations

import statistics
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from rws_desktop.core.faces.imaging import load_photo
from rws_desktop.core.faces.matching import Gallery
from rws_desktop.core.kernel.channels import ChannelCatalogue
from rws_desktop.core.vetting.analysis import PhotoAnalyser, RegisterSnapshot, redact_faces
from rws_desktop.paths import channels_file

from hard_shapes import (
    SINGLE_SHAPES, TINY_SHAPE, annotated_sources, build_shape, changed_away_from_faces, check_faces, hard_sources,
)

pytestmark = pytest.mark.photos

GROUP_PHOTO = "2007_007763.jpg"
HARD_PHOTO = "rot_270.jpg"
MAX_MEDIAN_CHANGED = 0.02


@pytest.fixture(scope="module")
def sources(testdata):
    if not (testdata / "hard" / "faces.json").is_file():
        pytest.skip(f"no hard/ photos in {testdata}")
    group = [s for s in annotated_sources(testdata) if s.path.name == GROUP_PHOTO]
    hard = [s for s in hard_sources(testdata) if s.path.name == HARD_PHOTO]
    return group + hard


@pytest.fixture(scope="module")
def pipeline(detector, encoder):
    analyser = PhotoAnalyser(detector, encoder)
    channel = ChannelCatalogue.from_toml(channels_file()).get("instagram")
    nobody = RegisterSnapshot(people={}, consents={}, gallery=Gallery({}))

    def blur(path: Path) -> Image.Image:
        upright = load_photo(path).image
        return redact_faces(upright, analyser.analyse(upright, channel, nobody, date.today()))
    return blur


def _exposed_and_changed(photos, pipeline) -> tuple[list[str], list[float]]:
    exposed, changed = [], []
    for photo in photos:
        shaped = Image.open(photo.path).convert("RGB")
        output = pipeline(photo.path)
        exposed += [f"{photo.path.name}: {c.describe()}" for c in check_faces(photo, shaped, output, {}) if not c.hidden]
        if photo.placements[0].source.path.name != HARD_PHOTO:  # a face filling the photo leaves no background to judge
            changed.append(changed_away_from_faces(shaped, output, photo.faces))
    return exposed, changed


@pytest.mark.parametrize("shape", list(SINGLE_SHAPES))
def test_every_face_is_hidden_in_this_shape_and_little_else_changes(shape, sources, pipeline, tmp_path):
    """For this shape (quarter or half turn with no EXIF tag, 60-degree turn, motion blur, dark and
    grainy, lower face covered, JPEG quality 8, or as it is), every face of the group photo and of the
    sideways face comes out hidden: at least 0.6 from the clean face in encoder terms once the shape is
    undone, and with no fine detail left; and the group photo changes under 2 % of its background
    (the sideways face fills its photo, so it has little background to judge)."""
    chosen = sources if shape != "as_is" else [s for s in sources if s.path.parent.name == "hard"]
    photos = build_shape(shape, chosen, tmp_path)
    exposed, changed = _exposed_and_changed(photos, pipeline)
    assert not exposed, f"{shape}: {len(exposed)} faces still recognisable:\n" + "\n".join(exposed)
    assert not changed or statistics.median(changed) < MAX_MEDIAN_CHANGED, f"{shape}: background changed {changed}"


def test_faces_21_pixels_wide_in_a_12_megapixel_frame_are_hidden(sources, pipeline, tmp_path):
    """The group photo and the sideways face shrunk so their faces are about 21 pixels wide, in a
    4000x3000 frame: every face is hidden, the one lying sideways too (an upright pass sees it weakly;
    its second look, turned a quarter, confirms it), judged on the frame itself for detail and scaled
    back up against the clean face for the encoder; and under 2 % of the background changes."""
    photos = build_shape(TINY_SHAPE, sources, tmp_path, frames=1)
    exposed, changed = _exposed_and_changed(photos, pipeline)
    assert not exposed, f"{len(exposed)} faces still recognisable:\n" + "\n".join(exposed)
    assert max(changed) < MAX_MEDIAN_CHANGED


@pytest.mark.parametrize("name", ["close_eyes.jpeg", "happy.png"])
def test_a_big_face_smeared_by_strong_motion_is_hidden(name, testdata, pipeline, tmp_path):
    """A portrait (faces 300 to 370 pixels wide) smeared by motion a fifth of the face long, which the
    network scores only weakly at every scale: its second look at a smaller size, where the smear
    shrinks, confirms it, and the face comes out hidden."""
    if not (testdata / "hard" / "faces.json").is_file():
        pytest.skip(f"no hard/ photos in {testdata}")
    portrait = [s for s in hard_sources(testdata) if s.path.name == name]
    photos = build_shape("motion_blur", portrait, tmp_path)
    exposed, _changed = _exposed_and_changed(photos, pipeline)
    assert not exposed, "\n".join(exposed)


def test_a_small_face_with_a_hand_over_its_lower_half_is_hidden(testdata, pipeline, tmp_path):
    """2008_002079.jpg with every lower face covered by a mask or a hand: the 37-pixel face under a hand
    (scored weakly upright and at -45 degrees) is confirmed by a closer upright look, and every face
    comes out hidden."""
    group = [s for s in annotated_sources(testdata) if s.path.name == "2008_002079.jpg"]
    photos = build_shape("lower_covered", group, tmp_path)
    exposed, changed = _exposed_and_changed(photos, pipeline)
    assert not exposed, "\n".join(exposed)
    assert max(changed) < MAX_MEDIAN_CHANGED
