"""Loading photos safely and writing safe copies.

Every photo is turned upright (EXIF orientation) before anything else looks at it,
so detection, redaction and every reported box share one coordinate system.
Output is written from pixels only: no EXIF, GPS, XMP or comments survive.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF from iPhones; optional so a broken wheel never stops JPEG work.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the platform's wheels
    HEIF_SUPPORTED = False

PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"})
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF"})
OUTPUT_JPEG_QUALITY = 92

# Modes we can show faithfully; anything else is refused rather than guessed at.
_CONVERTIBLE_MODES = {"RGB", "RGBA", "L", "LA", "P", "PA", "RGBX"}


class PhotoLoadError(Exception):
    """A photo that cannot be vetted, with a reason a member of staff can act on."""


@dataclass(frozen=True)
class LoadedPhoto:
    """An upright 8-bit RGB photo and what is needed to write it back out."""

    image: Image.Image
    sha256: str
    icc_profile: bytes | None

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_photo(path: Path) -> LoadedPhoto:
    """Read, check and orient a photo; raise PhotoLoadError with a plain reason on any problem."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PhotoLoadError(f"The file could not be read ({exc.strerror or exc}).") from exc
    return load_photo_bytes(data)


def load_photo_bytes(data: bytes) -> LoadedPhoto:
    if not data:
        raise PhotoLoadError("The file is empty.")
    # face_recognition switches this on when imported, which would pass a cut-off photo with a
    # grey band as if whole; a truncated file must be an error.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x its pixel limit; treat the warning as the error it is.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            _check_format_and_mode(image)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoLoadError(
            "The image is too large to open safely (over "
            f"{Image.MAX_IMAGE_PIXELS:,} pixels); resize it before vetting."
        ) from exc
    except UnidentifiedImageError as exc:
        raise PhotoLoadError("This is not a photo the app can read (JPEG, PNG, WebP or HEIC).") from exc
    except PhotoLoadError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise PhotoLoadError(f"The photo is damaged or cut short and cannot be read ({exc}).") from exc

    icc_profile = image.info.get("icc_profile") or None
    upright = ImageOps.exif_transpose(image)
    return LoadedPhoto(image=_to_rgb(upright), sha256=file_sha256(data), icc_profile=icc_profile)


def _check_format_and_mode(image: Image.Image) -> None:
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoLoadError(
            f"{image.format or 'This'} files are not accepted; use JPEG, PNG, WebP or HEIC."
        )
    if image.mode == "CMYK":
        raise PhotoLoadError(
            "The photo is in CMYK (print) colours; export it as an RGB JPEG and vet that copy."
        )
    if image.mode.startswith("I") or image.mode == "F":
        raise PhotoLoadError(
            "The photo has 16 or 32 bits per channel; save it as an 8-bit JPEG or PNG and vet that copy."
        )
    if image.mode not in _CONVERTIBLE_MODES:
        raise PhotoLoadError(f"The photo's colour format ({image.mode}) is not supported; save it as RGB.")


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def encode_jpeg(image: Image.Image, icc_profile: bytes | None) -> bytes:
    """The safe copy's bytes: pixels and colour profile only."""
    pixels_only = Image.frombytes("RGB", image.size, image.convert("RGB").tobytes())
    buffer = io.BytesIO()
    # No "optimize": with it Pillow sizes its buffer at one byte a pixel, which a grainy photo overflows.
    options = {"quality": OUTPUT_JPEG_QUALITY, "subsampling": 0}
    if icc_profile:
        options["icc_profile"] = icc_profile
    pixels_only.save(buffer, "JPEG", **options)
    return buffer.getvalue()
