"""Photos are loaded safely and upright, and safe copies carry pixels and colour profile only."""
import io

import numpy as np
import pillow_heif
import pytest
from PIL import Image, ImageCms

from bad_photos import BAD_INPUTS, gradient, jpeg_bytes
from rws_desktop.core.faces.imaging import OUTPUT_JPEG_QUALITY, PhotoLoadError, encode_jpeg, load_photo, load_photo_bytes


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "E", 4: (0.0, 10.0, 0.0)}  # GPS IFD
    if orientation:
        exif[0x0112] = orientation
    return exif


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_is_a_plain_per_photo_error(name, tmp_path):
    """Each kind of bad file raises PhotoLoadError with a reason staff can act on, never another exception."""
    data, expected_words = BAD_INPUTS[name]
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    with pytest.raises(PhotoLoadError) as caught:
        load_photo(path)
    if expected_words:
        assert expected_words in str(caught.value)


def test_missing_file_is_a_plain_error(tmp_path):
    """A file that vanished before vetting is reported, not raised as an OSError."""
    with pytest.raises(PhotoLoadError, match="could not be read"):
        load_photo(tmp_path / "gone.jpg")


@pytest.mark.parametrize("orientation, upright_size", [(1, (64, 48)), (6, (48, 64)), (8, (48, 64)), (3, (64, 48))])
def test_exif_orientation_is_applied_before_anything_else(orientation, upright_size):
    """A photo stored sideways comes out upright, and its top-left pixel is the viewer's top-left."""
    stored = gradient()
    marker = stored.copy()
    marker.paste((255, 0, 0), (0, 0, 8, 8))  # red block in the stored image's top-left
    viewer = Image.open(io.BytesIO(jpeg_bytes(marker, exif=exif_with_gps(orientation), quality=95)))
    from PIL import ImageOps
    expected = ImageOps.exif_transpose(viewer)
    photo = load_photo_bytes(jpeg_bytes(marker, exif=exif_with_gps(orientation), quality=95))
    assert photo.size == upright_size == expected.size
    assert np.array_equal(np.asarray(photo.image), np.asarray(expected.convert("RGB")))


def test_output_has_no_exif_gps_or_comments_and_keeps_the_colour_profile():
    """A phone photo with GPS, a comment and an sRGB profile comes out with the profile only, at quality >= 90."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = jpeg_bytes(gradient(), exif=exif_with_gps(6), icc_profile=profile, comment=b"Sports day, Year 7")
    photo = load_photo_bytes(source)
    data = encode_jpeg(photo.image, photo.icc_profile)
    output = Image.open(io.BytesIO(data))
    assert not output.getexif() and "comment" not in output.info
    for leftover in (b"Exif", b"PhoneMaker", b"Sports day", b"http://ns.adobe.com/xap"):
        assert leftover not in data
    assert output.info.get("icc_profile") == profile
    assert OUTPUT_JPEG_QUALITY >= 90
    reference = Image.open(io.BytesIO(jpeg_bytes(gradient(), quality=90)))
    # A higher quality means smaller quantisation steps than quality 90 uses.
    assert sum(output.quantization[0]) <= sum(reference.quantization[0])


def test_transparent_png_is_composited_on_white():
    """Transparent areas become white, not black, so nothing hidden shows up later."""
    rgba = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    buffer = io.BytesIO()
    rgba.save(buffer, "PNG")
    photo = load_photo_bytes(buffer.getvalue())
    assert photo.image.mode == "RGB" and photo.image.getpixel((5, 5)) == (255, 255, 255)


def test_heic_from_an_iphone_is_read():
    """HEIC photos load (the app reads them with pi-heif; pillow-heif, a test tool, writes this one)."""
    heif = pillow_heif.from_pillow(gradient())
    buffer = io.BytesIO()
    heif.save(buffer, quality=90)
    photo = load_photo_bytes(buffer.getvalue())
    assert photo.size == (64, 48)


def test_truncated_photo_is_refused_even_after_face_recognition_is_imported():
    """face_recognition turns on Pillow's LOAD_TRUNCATED_IMAGES at import; loading must still refuse a cut-off file."""
    import face_recognition  # noqa: F401  (the import is the point)

    data, _ = BAD_INPUTS["truncated JPEG"]
    with pytest.raises(PhotoLoadError, match="cut short"):
        load_photo_bytes(data)


def test_a_grainy_photo_encodes():
    """Pure noise compresses worse than a byte a pixel at our quality; encoding must still succeed, not
    fail with Pillow's fixed-size buffer."""
    noise = Image.fromarray(np.random.default_rng(1).integers(0, 255, (300, 500, 3), dtype=np.uint8))
    data = encode_jpeg(noise, None)
    assert len(data) > 500 * 300 and Image.open(io.BytesIO(data)).size == (500, 300)
