"""A damaged HEIC that libheif still decodes (HEVC has no checksum, and libde265 conceals what it cannot
read) is refused as damaged in plain words, and intact HEICs of every common shape still load."""
import io
import random
import struct
import sys
from pathlib import Path

import numpy as np
import pillow_heif
import pytest
from PIL import Image

from rws_desktop.core.faces import heif_damage
from rws_desktop.core.faces.imaging import PhotoLoadError, load_photo_bytes

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from fuzz_inputs import RAW_WORDING  # noqa: E402


def textured(size=(640, 480), seed=3, mode="RGB") -> Image.Image:
    """A picture with detail everywhere (gradients, shapes and grain), so its HEVC data is photo-like."""
    rng = np.random.default_rng(seed)
    height, width = size[1], size[0]
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.stack([x * 255 // width, y * 255 // height, (x + y) % 256], axis=2).astype(np.int16)
    for _ in range(40):
        left, top = rng.integers(0, max(1, width - 40)), rng.integers(0, max(1, height - 40))
        pixels[top:top + rng.integers(8, 40), left:left + rng.integers(8, 40)] = rng.integers(0, 256, 3)
    pixels += rng.integers(-12, 13, pixels.shape, dtype=np.int16)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert(mode)


def heic_bytes(image: Image.Image, tile: int = 0, **options) -> bytes:
    """`image` as HEIC, written by pillow-heif's encoder (a test tool: the app reads with pi-heif, which has none),
    without registering pillow-heif with Pillow, so loading still goes through the app's own reader."""
    previous = pillow_heif.options.GRID_TILE_SIZE
    pillow_heif.options.GRID_TILE_SIZE = tile
    try:
        buffer = io.BytesIO()
        pillow_heif.from_pillow(image).save(buffer, **options)
        return buffer.getvalue()
    finally:
        pillow_heif.options.GRID_TILE_SIZE = previous


def picture_data(data: bytes) -> tuple[int, int]:
    """Where the primary picture's HEVC data lies in the file (from its first image or tile)."""
    container = heif_damage._read_container(data)
    item = (container.tiles_of.get(container.primary) or [container.primary])[0]
    _method, extents = container.locations[item]
    offset, length = extents[0]
    return offset, length


def flipped(data: bytes, seed: int) -> bytes:
    """1 to 24 bits flipped in the picture data after its first few hundred bytes (slice headers left whole)."""
    rng, damaged = random.Random(seed), bytearray(data)
    offset, _length = picture_data(data)
    for _ in range(rng.randint(1, 24)):
        damaged[rng.randrange(offset + 400, len(data) - 200)] ^= 1 << rng.randrange(8)
    return bytes(damaged)


def libheif_decodes(data: bytes) -> bool:
    try:
        Image.open(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 - whatever libheif refuses is refused already
        return False
    return True


def assert_refused_as_damaged(data: bytes) -> None:
    with pytest.raises(PhotoLoadError) as caught:
        load_photo_bytes(data)
    reason = str(caught.value)
    assert "damaged or cut short" in reason
    assert not any(word in reason for word in RAW_WORDING), reason


@pytest.mark.parametrize("tile", [0, 256], ids=["one image", "grid of 256 px tiles"])
def test_bit_flipped_heics_that_libheif_decodes_are_refused_as_damaged(tile):
    """Twelve copies of a HEIC with bits flipped in its picture data, each of which libheif decodes to a
    whole picture without a word, are all refused with the plain 'damaged' reason."""
    intact = heic_bytes(textured(), tile=tile, quality=70)
    decodable = [copy for copy in (flipped(intact, seed) for seed in range(40)) if libheif_decodes(copy)][:12]
    assert len(decodable) == 12  # the damage this test is about: libheif itself raises nothing
    for copy in decodable:
        assert_refused_as_damaged(copy)


def test_a_slice_with_bytes_its_decoder_never_reads_is_refused():
    """Junk after the picture's last coded bits (the NAL unit made longer, as a decoder that lost step
    finishes early) is found: the picture decodes the same with its last bytes scrambled."""
    intact = heic_bytes(textured(), quality=70)
    offset, length = picture_data(intact)
    # the picture data's last NAL unit (its slice), lengthened by 200 bytes of junk
    container = heif_damage._read_container(intact)
    units = heif_damage._nal_units(intact[offset:offset + length], 4)
    padded = heif_damage._joined(units, len(units) - 1, units[-1] + bytes(range(4, 204)))
    data = _with_item_data(intact, container, container.primary, padded)
    assert libheif_decodes(data)
    assert "scrambled" in heif_damage.heif_damage(data)
    assert_refused_as_damaged(data)


def test_a_slice_cut_short_inside_an_intact_file_is_refused():
    """The picture's slice without its last 64 bytes (lengths fixed so the file is well formed, so libheif
    decodes it): the decoder runs past the slice's end, which bytes put after it show, and it is refused."""
    intact = heic_bytes(textured(), quality=70)
    offset, length = picture_data(intact)
    container = heif_damage._read_container(intact)
    units = heif_damage._nal_units(intact[offset:offset + length], 4)
    shortened = heif_damage._joined(units, len(units) - 1, units[-1][:-64])
    data = _with_item_data(intact, container, container.primary, shortened)
    assert libheif_decodes(data)
    assert "reads past its end" in heif_damage.heif_damage(data)
    assert_refused_as_damaged(data)


def _iloc_entry(data: bytes, offset: int, length: int) -> int:
    """Where an item's location sits in iloc as pillow-heif writes it: a 4-byte base offset holding the file
    position, one extent, a 4-byte extent offset of 0 and a 4-byte length."""
    entry = data.find(struct.pack(">IHII", offset, 1, 0, length))
    assert entry > 0
    return entry


def _with_item_data(data: bytes, container, item: int, replacement: bytes) -> bytes:
    """The file with one item's data replaced, and the lengths and later offsets that depend on it fixed."""
    _method, extents = container.locations[item]
    offset, length = extents[0]
    grow = len(replacement) - length
    rebuilt = bytearray(data[:offset] + replacement + data[offset + length:])
    mdat = data.rfind(b"mdat", 0, offset)  # the box holding the data grows by as much
    rebuilt[mdat - 4:mdat] = struct.pack(">I", struct.unpack(">I", data[mdat - 4:mdat])[0] + grow)
    entry = _iloc_entry(data, offset, length)
    rebuilt[entry + 10:entry + 14] = struct.pack(">I", length + grow)
    for _other, (_method, others) in container.locations.items():
        for other_offset, other_length in others:
            if other_offset > offset:
                moved = _iloc_entry(data, other_offset, other_length)
                rebuilt[moved:moved + 4] = struct.pack(">I", other_offset + grow)
    return bytes(rebuilt)


@pytest.mark.parametrize("shape", ["one image", "512 px grid", "256 px grid 4:4:4", "lossless", "grey",
                                   "odd size", "flat page", "tiny"])
def test_intact_heics_of_every_common_shape_load(shape):
    """Intact HEICs load and are not called damaged: a single image and iPhone-like grids, 4:4:4, lossless,
    grey, odd sizes, a page that is nearly all one colour, and a 16 px picture."""
    page = Image.new("RGB", (1024, 768), "white")
    page.paste(textured((96, 96)), (600, 400))
    made = {
        "one image": lambda: heic_bytes(textured(), quality=90),
        "512 px grid": lambda: heic_bytes(textured((1200, 900)), tile=512, quality=70),
        "256 px grid 4:4:4": lambda: heic_bytes(textured(), tile=256, quality=95, chroma="444"),
        "lossless": lambda: heic_bytes(textured(), quality=-1, chroma="444"),
        "grey": lambda: heic_bytes(textured(mode="L"), quality=50),
        "odd size": lambda: heic_bytes(textured((333, 517)), quality=30),
        "flat page": lambda: heic_bytes(page, tile=512, quality=100),
        "tiny": lambda: heic_bytes(textured((16, 16)), quality=10),
    }[shape]()
    assert heif_damage.heif_damage(made) is None
    photo = load_photo_bytes(made)
    assert photo.size[0] > 0


def test_ten_bit_heic_loads():
    """A 10-bit HEIC (as HDR phones write) is read and not called damaged."""
    pixels = np.asarray(textured()).astype(np.uint16) * 257
    heif = pillow_heif.from_bytes(mode="RGB;16", size=(pixels.shape[1], pixels.shape[0]), data=pixels.tobytes())
    buffer = io.BytesIO()
    heif.save(buffer, quality=80)
    assert heif_damage.heif_damage(buffer.getvalue()) is None
    assert load_photo_bytes(buffer.getvalue()).size == (640, 480)


def test_a_block_never_decoded_is_told_from_a_black_one():
    """An 8x8 block whose brightness and colour samples are all zero (what a decoder leaves where it stopped)
    counts as undecoded; true black (zero brightness, neutral colour) does not."""
    luma, chroma = np.full((64, 64), 90, np.uint8), np.full((32, 32), 128, np.uint8)
    black = luma.copy()
    black[8:16, 8:16] = 0
    assert not heif_damage._has_blank_blocks([black, chroma, chroma])
    blank_chroma = chroma.copy()
    blank_chroma[4:8, 4:8] = 0
    assert heif_damage._has_blank_blocks([black, blank_chroma, blank_chroma])


def test_a_heic_whose_picture_cannot_be_found_is_refused_in_plain_words():
    """A HEIC whose primary item points nowhere (its item table damaged) is refused, not vetted on trust."""
    intact = heic_bytes(textured(), quality=70)
    container = heif_damage._read_container(intact)
    _method, extents = container.locations[container.primary]
    offset, length = extents[0]
    entry = _iloc_entry(intact, offset, length)
    broken = bytearray(intact)
    broken[entry + 10:entry + 14] = struct.pack(">I", length + 10_000_000)  # runs far past the end
    assert heif_damage.heif_damage(bytes(broken)) is not None
    try:
        load_photo_bytes(bytes(broken))
    except PhotoLoadError as exc:
        assert not any(word in str(exc) for word in RAW_WORDING), str(exc)
    else:
        pytest.fail("a HEIC whose picture data runs past the end of the file was vetted")
