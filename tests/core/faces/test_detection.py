"""Merging detections from several passes keeps one face per person and never loses a strong one; a
weak detection's second look puts its box on the face; a face printed on a cover lying sideways is found."""
import pytest
from PIL import Image, ImageEnhance

from rws_desktop.core.faces.detection import DetectedFace, FaceDetector, _merge
from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.imaging import load_photo


def detection(x: float, score: float, angle: float = 0.0, size: float = 40.0) -> DetectedFace:
    return DetectedFace(Box(round(x - size / 2), 0, round(x + size / 2), round(size)), (x, size / 2), size, angle, score)


def test_weak_upright_view_of_a_face_keeps_the_strong_turned_views_score():
    """An upright detection represents the face, but with the turned pass's higher score, so it needs no CNN confirmation."""
    merged = _merge([detection(100, 0.3, angle=0.0), detection(104, 0.7, angle=20.0)], 0.6)
    assert len(merged) == 1
    assert merged[0].angle == 0.0 and merged[0].score == 0.7


def test_neighbours_in_a_crowd_stay_separate():
    """Two faces a face-width apart are two faces, however the passes saw them."""
    merged = _merge([detection(100, 2.0), detection(141, 1.5), detection(102, 1.0, angle=-20.0)], 0.6)
    assert sorted(round(face.center[0]) for face in merged) == [100, 141]


def test_a_face_printed_on_a_cover_lying_sideways_is_found(testdata, detector):
    """no_faces_dogs.jpg has no living person, but its lower left panel holds a printed cover with a
    man's face on it (about 31 pixels wide), lying a quarter turn: a face in the photo all the same, so
    the detector finds it, through a turned pass, and nothing else."""
    photo = load_photo(testdata / "photos" / "no_faces_dogs.jpg").image
    faces = detector.detect(photo)
    printed_face = Box(68, 455, 106, 496)  # found by eye
    assert len(faces) == 1
    assert faces[0].box.overlap(printed_face) > 0.5
    assert faces[0].angle in (90.0, -90.0)


def test_a_weak_box_between_two_faces_is_moved_onto_the_face_a_closer_look_sees(testdata, detector):
    """A weak detection from a coarse copy that straddles two faces of a darkened group photo (what made
    a blur box 1.6 times a face) comes back from its second look as a box fitting the face nearest it,
    not as the straddling box."""
    stored = Image.open(testdata / "annotated" / "2008_001322.jpg").convert("RGB")
    dark = ImageEnhance.Brightness(stored).enhance(0.3)
    face = Box(344, 155, 434, 245)  # hand-boxed (annotated/training.xml)
    straddling = DetectedFace(Box(263, 130, 401, 269), (332.0, 199.5), 137.0, 180.0, -0.38)
    seen = detector._second_look(dark, straddling, dark=True)
    assert seen is not None
    assert 0.7 * face.width <= seen.size <= 1.3 * face.width
    assert abs(seen.center[0] - face.center[0]) < 0.25 * face.width
    assert abs(seen.center[1] - face.center[1]) < 0.25 * face.width


@pytest.mark.parametrize("angle", [0.0, 90.0])
def test_the_second_look_finds_nothing_on_a_blank_wall(detector, angle):
    """A weak detection on a plain grey wall, upright or turned, is dropped by its second look."""
    wall = Image.new("RGB", (400, 400), (128, 120, 110))
    weak = DetectedFace(Box(150, 150, 250, 250), (200.0, 200.0), 100.0, angle, 0.2)
    assert detector._second_look(wall, weak, dark=False) is None


def _turned_passes(detector, photo, monkeypatch) -> tuple[list, list[tuple[float, float]]]:
    """The faces found in `photo`, and the (angle, scale) of every turned network pass made."""
    passes = []
    scans = detector._network_scans

    def counted(planned):
        passes.extend((angle, scale) for _scaled, angle, scale in planned if angle)
        return scans(planned)
    monkeypatch.setattr(detector, "_network_scans", counted)
    return detector.detect(photo), passes


def _glance_scale(detector, size, angle) -> float:
    settings = detector.settings
    return detector._turned_scale(size, angle, settings.glance_min_face_px(angle), settings.glance_budget(angle))


def test_an_upright_group_photo_gets_only_the_turned_glances(testdata, detector, monkeypatch):
    """2007_007763.jpg as stored (seven upright faces of 37 to 45 pixels): every turned pass is a glance
    (no finer than the glance scale), so an upright photo does not pay for close turned looks, and all
    seven faces are found by the upright passes."""
    photo = load_photo(testdata / "annotated" / "2007_007763.jpg").image
    faces, passes = _turned_passes(detector, photo, monkeypatch)
    assert passes and all(scale <= _glance_scale(detector, photo.size, angle) + 1e-9 for angle, scale in passes)
    assert len(faces) == 7


def test_a_group_photo_stored_a_quarter_turn_gets_a_close_look_that_way_and_every_face(testdata, detector, monkeypatch):
    """The same photo stored a quarter turn with no EXIF tag: faces seen in the glance turned back the
    other way call for a close look at that angle (and none at the other quarter or the half turn), and
    all seven faces are found."""
    stored = Image.open(testdata / "annotated" / "2007_007763.jpg").convert("RGB")
    sideways = stored.transpose(Image.Transpose.ROTATE_90)  # counter-clockwise; undone by turning -90
    faces, passes = _turned_passes(detector, sideways, monkeypatch)
    close = {angle for angle, scale in passes if scale > _glance_scale(detector, sideways.size, angle) + 1e-9}
    assert close == {-90.0}
    assert len(faces) == 7


def test_a_big_face_smeared_by_motion_in_a_mid_size_photo_is_seen_on_the_half_size_copy(testdata, detector):
    """crop_mask.png (a 370 x 490 pixel face filling a 600-pixel photo) smeared sideways by a fifth of
    the face: the full-detail copy sees it too big and weakly, but the copy about half as big, where the
    network is sure of it, finds it; one face, over the hand-boxed face."""
    import numpy as np

    if not (testdata / "hard" / "faces.json").is_file():
        pytest.skip(f"no hard/ photos in {testdata}")
    portrait = np.asarray(Image.open(testdata / "hard" / "crop_mask.png").convert("RGB"), dtype=np.float32)
    length = 75
    smeared = sum(np.roll(portrait, shift, axis=1) for shift in range(-(length // 2), length // 2 + 1)) / length
    faces = detector.detect(Image.fromarray(smeared.astype(np.uint8)))
    hand_boxed = Box(27, 78, 399, 572)
    assert len(faces) == 1
    assert faces[0].box.overlap(hand_boxed) > 0.5


@pytest.mark.parametrize("variant", ["as stored", "dark, turned a quarter"])
def test_network_runs_in_parallel_find_exactly_what_one_run_at_a_time_finds(testdata, detector, variant):
    """A worker runs a photo's tiles, passes and second looks two at a time; the faces, boxes, angles and
    scores are the same as one run after another finds, on a group photo as stored and darkened and turned
    (which adds the equalised passes, weak candidates and the close look at the quarter turn)."""
    photo = Image.open(testdata / "annotated" / "2008_001322.jpg").convert("RGB")
    if variant != "as stored":
        photo = ImageEnhance.Brightness(photo).enhance(0.3).transpose(Image.Transpose.ROTATE_90)
    parallel = FaceDetector(detector.settings, parallel_runs=2)
    assert parallel.detect(photo) == detector.detect(photo) != []


def test_one_run_at_a_time_shares_the_network_and_finds_the_same_faces(testdata, detector):
    """The detector a worker uses for photos that share the machine makes its runs in the calling thread (no
    thread pool), over the same loaded network and settings, and finds what the parallel one finds."""
    photo = Image.open(testdata / "annotated" / "2008_001322.jpg").convert("RGB")
    parallel = FaceDetector(detector.settings, parallel_runs=2)
    in_turn = parallel.one_run_at_a_time()
    assert in_turn._runs is None and parallel._runs is not None
    assert in_turn._network is parallel._network and in_turn.settings is parallel.settings
    assert in_turn.detect(photo) == parallel.detect(photo) != []


@pytest.mark.parametrize("levels", [[0], [7, 7, 7], [0, 255], list(range(256)), [3, 60, 61, 62, 200, 201, 9, 9, 70, 71]])
@pytest.mark.parametrize("percent", [0, 25, 50, 75, 90, 100])
def test_the_dark_checks_percentile_from_a_histogram_is_numpys(levels, percent):
    """Whether a photo is dark is judged on the 75th percentile of its grey levels, now worked out from the 256
    counts of its histogram instead of by sorting every pixel: the value must be exactly numpy's (linear method),
    between levels as well as on them, so no photo changes its verdict."""
    import numpy as np

    from rws_desktop.core.faces.detection import _percentile

    histogram = np.bincount(levels, minlength=256).tolist()
    assert _percentile(histogram, percent) == pytest.approx(np.percentile(levels, percent), abs=1e-9)
