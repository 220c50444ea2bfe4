"""Small faces in 12-megapixel photos: how many each detector finds, ours against the plain pipeline's.

    uv run python bench/small_faces.py [--sizes 24 30 40] [--out bench/out/small]

Builds 4000x3000 frames filled with the four hand-boxed group photos (`annotated/`), shrunk so their
faces are a given width, some turned (people far off in a full-size phone photo, some heads tilted),
and for each frame prints the faces there are, how many our detector finds (a detection centred in
the face's box and of about its size), how many the plain face_recognition detector finds
(`face_locations(..., number_of_times_to_upsample=1)`) and how many of those ours also found, and
each one's seconds. One process, one thread each.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests"))

from PIL import Image  # noqa: E402

from photo_variants import _rotate_box, read_imglab_boxes  # noqa: E402
from rws_desktop.core.faces.centerface import limit_threads  # noqa: E402
from rws_desktop.core.faces.detection import DetectedFace, FaceDetector  # noqa: E402
from rws_desktop.core.faces.geometry import Box  # noqa: E402
from rws_desktop.core.faces.imaging import load_photo  # noqa: E402

TESTDATA = Path(os.environ.get("RWS_TESTDATA", REPO_ROOT.parent / "shared" / "testdata"))
FRAME = (4000, 3000)
BACKGROUND = (110, 120, 100)
# (face width in pixels, tilt in degrees)
FRAMES = [(24, 0), (30, 0), (40, 0), (40, 30), (40, -30), (60, 40)]


def build_frame(face_px: int, angle: float, folder: Path) -> tuple[Path, list[Box]]:
    """The annotated photos, scaled so their faces average `face_px` and turned by `angle`, side by side until the frame is full."""
    photos = read_imglab_boxes(TESTDATA / "annotated" / "training.xml")
    frame = Image.new("RGB", FRAME, BACKGROUND)
    faces: list[Box] = []
    x = y = row_height = 0
    for index in range(10_000):
        photo = photos[index % len(photos)]
        scale = face_px / (sum(box.width for box in photo.faces) / len(photo.faces))
        with Image.open(photo.path) as stored:
            image = stored.convert("RGB").resize((round(stored.width * scale), round(stored.height * scale)), Image.Resampling.LANCZOS)
        boxes = [Box(round(b.left * scale), round(b.top * scale), round(b.right * scale), round(b.bottom * scale)) for b in photo.faces]
        if angle:
            turned = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=BACKGROUND)
            boxes = [_rotate_box(box, angle, image.size, turned.size) for box in boxes]
            image = turned
        if x + image.width > FRAME[0]:
            x, y, row_height = 0, y + row_height, 0
        if y + image.height > FRAME[1]:
            break
        frame.paste(image, (x, y))
        faces += [Box(b.left + x, b.top + y, b.right + x, b.bottom + y) for b in boxes]
        x, row_height = x + image.width, max(row_height, image.height)
    path = folder / f"faces_{face_px}px_{angle:+.0f}deg.jpg"
    frame.save(path, quality=90)
    return path, faces


def found_by_ours(face: Box, detections: list[DetectedFace]) -> bool:
    return any(face.left <= d.center[0] <= face.right and face.top <= d.center[1] <= face.bottom
               and 0.4 <= d.size / max(1, face.width) <= 2.5 for d in detections)


def found_by_plain(face: Box, locations: list[tuple[int, int, int, int]]) -> bool:
    return any(face.left <= (left + right) / 2 <= face.right and face.top <= (top + bottom) / 2 <= face.bottom
               for top, right, bottom, left in locations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", help="only frames with faces this wide")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if not (TESTDATA / "annotated").is_dir():
        sys.exit(f"The shared test photos are not at {TESTDATA} (set RWS_TESTDATA).")
    import face_recognition

    folder = args.out or Path(tempfile.mkdtemp(prefix="rws-small-faces-"))
    folder.mkdir(parents=True, exist_ok=True)
    limit_threads(1)
    detector = FaceDetector()
    print(f"frames of {FRAME[0]}x{FRAME[1]} in {folder}")
    print(f"{'face px':>7} {'tilt':>5} {'faces':>6} | {'ours':>5} {'s':>6} | {'plain':>5} {'s':>6} {'plain also ours':>16}")
    for face_px, angle in FRAMES:
        if args.sizes and face_px not in args.sizes:
            continue
        path, faces = build_frame(face_px, angle, folder)
        image = load_photo(path).image
        started = time.perf_counter()
        ours = detector.detect(image)
        ours_seconds = time.perf_counter() - started
        started = time.perf_counter()
        plain = face_recognition.face_locations(face_recognition.load_image_file(path), number_of_times_to_upsample=1)
        plain_seconds = time.perf_counter() - started
        ours_found = [found_by_ours(face, ours) for face in faces]
        plain_found = [found_by_plain(face, plain) for face in faces]
        both = sum(o and p for o, p in zip(ours_found, plain_found))
        print(f"{face_px:>7} {angle:>+5.0f} {len(faces):>6} | {sum(ours_found):>5} {ours_seconds:>6.1f} | "
              f"{sum(plain_found):>5} {plain_seconds:>6.1f} {both:>7} of {sum(plain_found):<6}")


if __name__ == "__main__":
    main()
