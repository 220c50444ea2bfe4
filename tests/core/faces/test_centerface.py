"""CenterFace: big images are looked at in tiles without losing a face at a seam, and the network finds real faces."""
import pytest
from PIL import Image

from rws_desktop.core.faces.centerface import MAX_TILE_PIXELS, TILE_OVERLAP, CenterFace, NetworkFace, tiles


@pytest.mark.parametrize("size", [(1826, 1369), (1369, 1826), (4000, 3000), (1100, 90), (500, 375)])
def test_every_point_belongs_to_one_tile_which_holds_a_face_up_to_the_overlap_wide_around_it(size):
    """Each point of the image is reported by exactly one tile, and a face up to TILE_OVERLAP wide centred
    there lies whole inside that tile (as far as the image reaches), so no face is cut at a seam."""
    width, height = size
    found = tiles(size)
    assert all((t.right - t.left) * (t.bottom - t.top) <= 1.1 * MAX_TILE_PIXELS for t in found)
    half = TILE_OVERLAP / 2
    for x in range(0, width, 13):
        for y in range(0, height, 13):
            owners = [t for t in found if t.owns(NetworkFace(x - 1, y - 1, x + 1, y + 1, 1.0))]
            assert len(owners) == 1, (x, y)
            tile = owners[0]
            assert tile.left <= max(0, x - half) and min(width, x + half) <= tile.right
            assert tile.top <= max(0, y - half) and min(height, y + half) <= tile.bottom


def test_a_photo_small_enough_is_one_tile():
    """Below the tile size the network sees the image whole; above it, in tiles."""
    assert len(tiles((640, 480))) == 1
    assert len(tiles((900, 700))) > 1


@pytest.fixture(scope="module")
def network():
    return CenterFace()


def test_the_network_finds_a_face_and_no_face_among_dogs(testdata, network):
    """On a portrait the network is sure of one face, over the face; on a photo of dogs it is sure of none."""
    portrait = Image.open(testdata / "photos" / "obama.jpg").convert("RGB")
    sure = network.detect(portrait, 0.5)
    assert len(sure) == 1
    x, y = sure[0].center
    assert 0.2 * portrait.width < x < 0.8 * portrait.width and y < 0.6 * portrait.height
    dogs = Image.open(testdata / "photos" / "no_faces_dogs.jpg").convert("RGB")
    assert network.detect(dogs, 0.5) == []
