"""Merging detections from several passes keeps one face per person and never loses a strong one; a
weak detection's second look puts its box on the face; a face printed on a cover lying sideways is found."""
import pytest
from PIL import Image, ImageEnhance

from rws_desktop.core.faces.detection import DetectedFace, _merge
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
