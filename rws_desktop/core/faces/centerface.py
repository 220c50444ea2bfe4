"""CenterFace, a small convolutional face detector, run with ONNX Runtime.

It sees faces from about 12 pixels wide and is sure of them from about 16, quickly, so it can
look at a big photo scaled down far enough to be cheap. Its weights (`centerface.onnx`, MIT licence)
ship inside the app in rws_desktop/models; nothing is downloaded. ONNX Runtime computes the same
numbers as OpenCV's DNN module did (to 2e-5) about 1.3 times faster, and is half OpenCV's size.

The network outputs, on a grid four times coarser than its input, a face-centre heatmap, the
log of each face's height and width (in grid cells), and the centre's offset within its cell.
A face is a local peak of the heatmap.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable
from importlib import resources

import numpy as np
from PIL import Image

STRIDE = 4  # input pixels per output cell
SIZE_MULTIPLE = 32  # the input's sides must be multiples of this
# Two boxes overlapping more than this (intersection over union) are one face.
NMS_OVERLAP = 0.3
# Big images are looked at in tiles of at most this many pixels, overlapping by this much: faces
# wider than the overlap are left to a smaller copy of the photo (see detection.py). A run's working
# memory grows with its tile (about 200 MB a megapixel), and a worker makes two runs at once on a batch's
# first photo (vetting/batch.py), so tiles of half a megapixel (twelve of 672x672 for a 12 MP photo's
# 2400x1800 copy) keep a worker's peak where one run at a time on megapixel tiles had it: 530 MB a worker
# on 12 MP photos, where 0.75 MP tiles took 680 MB. In CPU seconds for that copy's pass (median of eight interleaved rounds at
# load 2.2): 1.72 against 1.65 for 0.75 MP and 1.70 for a megapixel; a few per cent at most.
MAX_TILE_PIXELS = 500_000
TILE_OVERLAP = 96
# The model's output layers: heatmap, log sizes, offsets, landmarks.
OUTPUTS = ("537", "538", "539", "540")


@dataclass(frozen=True)
class NetworkFace:
    """A face box in the input image's pixels, with the network's confidence (0 to 1)."""

    left: float
    top: float
    right: float
    bottom: float
    score: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def center(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    def moved(self, dx: float, dy: float) -> "NetworkFace":
        return NetworkFace(self.left + dx, self.top + dy, self.right + dx, self.bottom + dy, self.score)


@dataclass(frozen=True)
class Tile:
    """Part of an image given to the network, and the part of it (`owned`) whose faces it reports."""

    left: int
    top: int
    right: int
    bottom: int
    owned: tuple[float, float, float, float]

    def owns(self, face: NetworkFace) -> bool:
        x, y = face.center
        left, top, right, bottom = self.owned
        return left <= x < right and top <= y < bottom


def tiles(size: tuple[int, int], max_pixels: int = MAX_TILE_PIXELS, overlap: int = TILE_OVERLAP) -> list[Tile]:
    """As few overlapping tiles of about `max_pixels` as cover the image. Neighbours share at least
    `overlap` pixels and split them down the middle, so a face up to `overlap` wide lies whole in
    the tile that reports it."""
    width, height = size
    side = max(SIZE_MULTIPLE, math.isqrt(max_pixels))
    columns, rows = _spans(width, side, overlap), _spans(height, side, overlap)
    return [Tile(left, top, right, bottom, (owned_x[0], owned_y[0], owned_x[1], owned_y[1]))
            for top, bottom, owned_y in rows for left, right, owned_x in columns]


def _spans(length: int, side: int, overlap: int) -> list[tuple[int, int, tuple[float, float]]]:
    """Along one side: each tile's start and end, and the stretch whose faces it reports."""
    count = max(1, math.ceil((length - overlap) / (side - overlap)))
    # A whole number of the network's steps, so no tile is padded but the last.
    span = min(length, math.ceil((length + (count - 1) * overlap) / count / SIZE_MULTIPLE) * SIZE_MULTIPLE)
    spans = []
    for i in range(count):
        start = min(i * (span - overlap), max(0, length - span))
        end = min(length, start + span)
        spans.append((start, end))
    owned = []
    for i, (start, end) in enumerate(spans):
        owned_start = -math.inf if i == 0 else (spans[i - 1][1] + start) / 2
        owned_end = math.inf if i == count - 1 else (end + spans[i + 1][0]) / 2
        owned.append((start, end, (owned_start, owned_end)))
    return owned


def model_path():
    """The CenterFace weights, shipped inside the package (rws_desktop/models, see its NOTICE)."""
    path = resources.files("rws_desktop") / "models" / "centerface.onnx"
    if not path.is_file():
        raise FileNotFoundError(f"The face detector's weights (centerface.onnx) are missing from this copy of "
                                f"the app: expected at {path}. Reinstall it.")
    return path


# Threads each network may use; None lets the runtime use every core.
_threads: int | None = None


def limit_threads(count: int) -> None:
    """Networks made after this use `count` threads: a worker process sharing the machine with
    others uses one, where the runtime would otherwise take every core."""
    global _threads
    _threads = count


class CenterFace:
    """The network. `threads`: how many threads one run may use (default: `limit_threads`'s, else every
    core). Runs may be made from several threads at once."""

    def __init__(self, threads: int | None = None):
        import onnxruntime  # deferred: only detection needs it

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only: warnings would go to the console of a windowed app
        threads = threads if threads is not None else _threads
        if threads is not None:
            options.intra_op_num_threads = options.inter_op_num_threads = threads
        # From memory, not a path: a path with non-ASCII letters is not opened everywhere on Windows.
        self._session = onnxruntime.InferenceSession(model_path().read_bytes(), options,
                                                     providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name

    def detect(self, image: Image.Image, threshold: float) -> list[NetworkFace]:
        """Faces in an RGB image scoring at least `threshold`, overlapping duplicates removed.

        A big image is looked at in overlapping tiles: the network's working memory grows with its
        input (see MAX_TILE_PIXELS), and a face is kept from the tile where its centre lies
        in the part no other tile covers better."""
        return self.detect_each([image], threshold)[0]

    def detect_each(self, images: list[Image.Image], threshold: float, run_all: Callable = map) -> list[list[NetworkFace]]:
        """`detect` for each image, the tiles of all of them run by `run_all` (`map`, or a thread pool's, so
        a photo's passes share the cores: the runtime lets go of the GIL while it computes)."""
        pixels = [np.asarray(image if image.mode == "RGB" else image.convert("RGB")) for image in images]
        jobs = [(number, tile) for number, image in enumerate(images) for tile in tiles(image.size)]

        def run(job: tuple[int, Tile]) -> list[NetworkFace]:
            number, tile = job
            return self._run(pixels[number][tile.top:tile.bottom, tile.left:tile.right], threshold)
        runs = run_all(run, jobs)
        faces: list[list[NetworkFace]] = [[] for _ in images]
        for (number, tile), found in zip(jobs, runs):
            faces[number] += [moved for face in found if tile.owns(moved := face.moved(tile.left, tile.top))]
        return [self._without_duplicates(each) for each in faces]

    def _run(self, pixels: np.ndarray, threshold: float) -> list[NetworkFace]:
        height, width = pixels.shape[:2]
        # Channels first, padded with black to whole network steps.
        padded = np.zeros((1, 3, math.ceil(height / SIZE_MULTIPLE) * SIZE_MULTIPLE,
                           math.ceil(width / SIZE_MULTIPLE) * SIZE_MULTIPLE), np.float32)
        padded[0, :, :height, :width] = pixels.transpose(2, 0, 1)
        heatmap, log_sizes, offsets, _landmarks = self._session.run(list(OUTPUTS), {self._input: padded})
        return _decode(heatmap[0, 0], log_sizes[0], offsets[0], threshold)

    @staticmethod
    def _without_duplicates(faces: list[NetworkFace]) -> list[NetworkFace]:
        """The surest of each group of boxes overlapping more than NMS_OVERLAP (greedy, surest first)."""
        if len(faces) < 2:
            return faces
        faces = sorted(faces, key=lambda f: f.score, reverse=True)
        boxes = np.array([[f.left, f.top, f.right, f.bottom] for f in faces])
        areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        suppressed = np.zeros(len(faces), dtype=bool)
        kept = []
        for i in range(len(faces)):
            if suppressed[i]:
                continue
            kept.append(faces[i])
            width = np.clip(np.minimum(boxes[i, 2], boxes[:, 2]) - np.maximum(boxes[i, 0], boxes[:, 0]), 0, None)
            height = np.clip(np.minimum(boxes[i, 3], boxes[:, 3]) - np.maximum(boxes[i, 1], boxes[:, 1]), 0, None)
            shared = width * height
            suppressed |= shared > NMS_OVERLAP * (areas[i] + areas - shared)
        return kept


def _decode(heatmap: np.ndarray, log_sizes: np.ndarray, offsets: np.ndarray, threshold: float) -> list[NetworkFace]:
    rows, cols = np.nonzero((heatmap >= threshold) & _local_peaks(heatmap))
    faces = []
    for row, col in zip(rows, cols):
        height = math.exp(log_sizes[0, row, col]) * STRIDE
        width = math.exp(log_sizes[1, row, col]) * STRIDE
        centre_y = (row + offsets[0, row, col] + 0.5) * STRIDE
        centre_x = (col + offsets[1, row, col] + 0.5) * STRIDE
        faces.append(NetworkFace(centre_x - width / 2, centre_y - height / 2, centre_x + width / 2, centre_y + height / 2,
                                 float(heatmap[row, col])))
    return faces


def _local_peaks(heatmap: np.ndarray) -> np.ndarray:
    """Cells at least as high as their eight neighbours: one candidate per face, not a blob of them."""
    rows, cols = heatmap.shape
    padded = np.pad(heatmap, 1, constant_values=-np.inf)
    peaks = np.ones(heatmap.shape, dtype=bool)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            if (dy, dx) != (1, 1):
                peaks &= heatmap >= padded[dy:dy + rows, dx:dx + cols]
    return peaks
