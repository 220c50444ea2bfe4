"""Loading photos safely and writing safe copies.

Every photo is turned upright (EXIF orientation) before anything else looks at it,
so detection, redaction and every reported box share one coordinate system.
Output is written from pixels only: no EXIF, GPS, XMP or comments survive.
"""
from __future__ import annotations

import hashlib
import io
import logging
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF from iPhones (pi-heif: pillow-heif's decoder-only build); optional so a broken wheel never stops JPEGs.
    from pi_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the platform's wheels
    HEIF_SUPPORTED = False

from .photo_checks import PhotoCheckError, check_dimensions, check_intact, read_photo_file, usable_icc_profile

log = logging.getLogger(__name__)

# What the file dialog offers; the content decides what a file is, never its suffix.
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".heic", ".heif", ".avif",
                            ".gif", ".tif", ".tiff"})
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF", "AVIF", "GIF", "TIFF"})
# Formats that can hold several pictures: only a single still one is vetted, since a face in another frame
# would be published unchecked. (An MPO's second picture is a camera's depth or 3-D view, never written out.)
_SINGLE_FRAME_ONLY = frozenset({"GIF", "WEBP", "TIFF", "PNG", "HEIF", "AVIF"})
OUTPUT_JPEG_QUALITY = 92

# Modes we can show faithfully; anything else is refused rather than guessed at.
_CONVERTIBLE_MODES = {"RGB", "RGBA", "L", "LA", "P", "PA", "RGBX", "1"}


PHOTO_DAMAGED = ("The photo is damaged or cut short and cannot be read. Use the original from the camera or "
                 "phone, or save it again and vet that copy.")


PHOTO_DECODER_FAILED = ("The photo could not be read: the program that decodes it stopped with an error, so it was not "
                        "checked. Save it again as a JPEG and vet that copy; the details are in the app's log file.")


class PhotoLoadError(Exception):
    """A photo that cannot be vetted, with a reason a member of staff can act on."""


@dataclass(frozen=True)
class LoadedPhoto:
    """An upright 8-bit RGB photo and what is needed to write it back out."""

    image: Image.Image
    sha256: str
    icc_profile: bytes | None
    notes: tuple[str, ...] = ()  # what was changed on the way in (a colour profile left out), for the result

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_photo(path: Path) -> LoadedPhoto:
    """Read, check and orient a photo; raise PhotoLoadError with a plain reason on any problem."""
    try:
        data = read_photo_file(Path(path))
    except PhotoCheckError as exc:
        raise PhotoLoadError(str(exc)) from exc
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
            check_dimensions(*image.size)  # from the header, before a pixel is decoded
            image.load()
            check_intact(data, image.format)
    except PhotoCheckError as exc:
        raise PhotoLoadError(str(exc)) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoLoadError(
            "The image is too large to open safely (over "
            f"{Image.MAX_IMAGE_PIXELS:,} pixels); resize it before vetting."
        ) from exc
    except UnidentifiedImageError as exc:
        raise PhotoLoadError("This is not a photo the app can read (JPEG, PNG, WebP, HEIC, AVIF, GIF or TIFF).") from exc
    except PhotoLoadError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, MemoryError) as exc:
        log.info("photo refused: the decoder said %s: %s", type(exc).__name__, exc)
        raise PhotoLoadError(_decoder_reason(exc)) from exc
    except Exception as exc:  # a decoder failing in a way nobody foresaw: this photo is not vetted, the batch goes on
        log.warning("photo refused: its decoder failed unexpectedly", exc_info=exc)
        raise PhotoLoadError(PHOTO_DECODER_FAILED) from exc

    icc_profile, icc_note = usable_icc_profile(image.info.get("icc_profile") or None)
    try:
        ImageOps.exif_transpose(image, in_place=True)  # in place: otherwise an upright photo is copied whole
    except Exception as exc:  # noqa: BLE001 - garbage EXIF: the orientation cannot be trusted
        log.info("EXIF orientation unreadable: %s: %s", type(exc).__name__, exc)
        raise PhotoLoadError("The photo's orientation information (EXIF) is damaged, so it cannot be turned "
                             "upright for checking; save it again without EXIF and vet that copy.") from exc
    return LoadedPhoto(image=_to_rgb(image), sha256=file_sha256(data), icc_profile=icc_profile,
                       notes=(icc_note,) if icc_note else ())


def _decoder_reason(exc: BaseException) -> str:
    """A decoder's failure in plain words; the decoder's own wording goes to the log only."""
    text = str(exc).lower()
    if isinstance(exc, MemoryError):
        return "The photo needs more memory to open than this computer can spare; make a smaller copy and vet that."
    if any(word in text for word in ("text", "decompressed", "too much memory", "icc", "exceeds")):
        return ("The file carries an oversized hidden block of text or colour data (a way of making programs run "
                "out of memory), so it was not opened. Save the picture again and vet that copy.")
    return PHOTO_DAMAGED


def _check_format_and_mode(image: Image.Image) -> None:
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoLoadError(
            f"{image.format or 'This'} files are not accepted; use JPEG, PNG, WebP, HEIC, AVIF, GIF or TIFF."
        )
    if image.format in _SINGLE_FRAME_ONLY and getattr(image, "n_frames", 1) > 1:
        raise PhotoLoadError(
            "The file holds several pictures (an animation or several pages), and only a single still photo can "
            "be checked; save the picture you want as a JPEG and vet that."
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
    # A new image holds the pixels and nothing else (no EXIF, comment or other text from the original):
    # one copy, where going through bytes took three (430 MB more at the peak of a 48 MP photo).
    pixels_only = Image.new("RGB", image.size)  # filled, though the paste covers it: never uninitialised memory here
    pixels_only.paste(image if image.mode == "RGB" else image.convert("RGB"))
    buffer = io.BytesIO()
    # No "optimize": with it Pillow sizes its buffer at one byte a pixel, which a grainy photo overflows.
    options = {"quality": OUTPUT_JPEG_QUALITY, "subsampling": 0}
    if icc_profile:
        options["icc_profile"] = icc_profile
    pixels_only.save(buffer, "JPEG", **options)
    return buffer.getvalue()
