"""Blurring hides a face beyond recognition, measured with face_recognition's own encoder."""
import numpy as np
import pytest
from PIL import Image, ImageFilter

from rws_desktop.core.faces.geometry import Box
from rws_desktop.core.faces.imaging import load_photo
from rws_desktop.core.faces.redaction import MAX_DETAIL_KEPT, Region, Shape, detail_ratio, keeps_detail, redact


def encoding_distance(encoder_fn, original: Image.Image, output: Image.Image, box: Box) -> float:
    location = [(box.top, box.right, box.bottom, box.left)]
    before = encoder_fn(np.asarray(original), known_face_locations=location)[0]
    after = encoder_fn(np.asarray(output), known_face_locations=location)[0]
    return float(np.linalg.norm(before - after))


@pytest.fixture(scope="module")
def face_photo(testdata, detector):
    photo = load_photo(testdata / "photos/obama.jpg")
    (face,) = [f for f in detector.detect(photo.image) if f.score > 0.8]
    return photo.image, face.box


def test_redacted_face_is_unrecognisable_and_keeps_no_fine_detail(face_photo):
    """The encoder puts the blurred face at least 0.6 from the original, and none of its fine detail survives."""
    import face_recognition

    image, box = face_photo
    output = redact(image, [Region(box)])
    assert encoding_distance(face_recognition.face_encodings, image, output, box) >= 0.6
    assert detail_ratio(image, output, box) <= MAX_DETAIL_KEPT
    assert not keeps_detail(image, output, box)


def blurred_box(image: Image.Image, box: Box, radius: float) -> Image.Image:
    result = image.copy()
    crop = image.crop((box.left, box.top, box.right, box.bottom)).filter(ImageFilter.GaussianBlur(radius))
    result.paste(crop, (box.left, box.top))
    return result


@pytest.mark.parametrize("radius", ["width/60", "2px"])
def test_the_measure_rejects_a_light_blur(face_photo, radius):
    """A light Gaussian blur (radius width/60, or 2 pixels) keeps fine detail, so the check catches a weak redaction."""
    image, box = face_photo
    pixels = box.width / 60 if radius == "width/60" else 2
    assert keeps_detail(image, blurred_box(image, box, pixels), box)


def test_the_measure_accepts_the_blur_the_spec_names(face_photo):
    """A Gaussian blur of radius a tenth of the face width passes, as the issue says it should."""
    image, box = face_photo
    assert not keeps_detail(image, blurred_box(image, box, box.width / 10), box)


def test_blur_covers_the_whole_box_with_margin_and_nothing_far_away():
    """Every pixel of the face box changes on a busy pattern, and pixels well outside the margin do not."""
    rng = np.random.default_rng(7)
    image = Image.fromarray(rng.integers(0, 256, (300, 300, 3), dtype=np.uint8))
    box = Box(120, 120, 180, 180)
    output = np.asarray(redact(image, [Region(box)])).astype(int)
    original = np.asarray(image).astype(int)
    inside = np.abs(output - original)[box.top:box.bottom, box.left:box.right].max(axis=2)
    assert (inside > 0).all()
    outside = np.abs(output - original).max(axis=2)
    outside[80:230, 80:230] = 0  # the box grown by its margins
    assert outside.max() == 0


def test_rectangle_regions_hide_corners_too():
    """A rectangle drawn by hand covers its corners, which an ellipse would leave."""
    rng = np.random.default_rng(3)
    image = Image.fromarray(rng.integers(0, 256, (100, 100, 3), dtype=np.uint8))
    output = redact(image, [Region(Box(10, 10, 40, 40), Shape.RECTANGLE, add_margin=False)])
    assert output.getpixel((10, 10)) != image.getpixel((10, 10))
    assert output.getpixel((39, 39)) != image.getpixel((39, 39))
    assert output.getpixel((45, 45)) == image.getpixel((45, 45))


def test_blurring_an_already_soft_region_is_not_mistaken_for_kept_detail():
    """A false alarm on a soft background has little detail to lose; its blur must still count as hidden."""
    rng = np.random.default_rng(11)
    soft = Image.fromarray(rng.integers(90, 140, (200, 200, 3), dtype=np.uint8)).filter(ImageFilter.GaussianBlur(4))
    box = Box(60, 60, 140, 140)
    assert not keeps_detail(soft, redact(soft, [Region(box)]), box)


def test_many_overlapping_faces_of_mixed_sizes_are_all_hidden_and_nothing_else_changes():
    """A clip frame's worth of grown, overlapping regions (small ones hidden in place, large ones on the
    reduced layer): every pixel inside any outline changes on a busy pattern, no face keeps its detail,
    and pixels outside every outline are untouched."""
    from PIL import ImageDraw

    rng = np.random.default_rng(11)
    image = Image.fromarray(rng.integers(0, 256, (360, 640, 3), dtype=np.uint8))
    regions = [Region.for_face((x, y), size, angle) for x, y, size, angle in
               [(60, 60, 18, 0.0), (90, 70, 30, 45.0), (200, 150, 120, 0.0), (260, 170, 80, 0.0),
                (420, 200, 200, 30.0), (600, 340, 90, 0.0), (20, 330, 40, 0.0), (330, 60, 26, 0.0)]]
    output = redact(image, regions)
    changed = np.abs(np.asarray(output).astype(int) - np.asarray(image).astype(int)).max(axis=2) > 0
    inside = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(inside)
    for region in regions:
        draw.polygon(region.outline(), fill=255)
    inside = np.asarray(inside) > 0
    assert changed[inside].mean() > 0.995  # a hidden pixel may by chance keep its value
    assert not changed[~inside].any()
    for region in regions:
        assert not keeps_detail(image, output, region.core_box().clipped(*image.size))
