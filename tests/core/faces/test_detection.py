"""Merging detections from several passes keeps one face per person and never loses a strong one."""
from rws_desktop.core.faces.detection import DetectedFace, _merge
from rws_desktop.core.faces.geometry import Box


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
