"""Files that look like photos but cannot be vetted, for tests of per-photo errors."""
import io
import struct
import zlib

from PIL import Image


def jpeg_bytes(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def gradient(size=(64, 48)) -> Image.Image:
    image = Image.new("RGB", size)
    image.putdata([(x * 4 % 256, y * 5 % 256, 128) for y in range(size[1]) for x in range(size[0])])
    return image


def png_bomb(width=20000, height=20000) -> bytes:
    """A small file whose header claims 400 million pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    compressor, row, body = zlib.compressobj(9), b"\0" * (width + 1), []
    for _ in range(height):
        body.append(compressor.compress(row))
    body.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(body)) + chunk(b"IEND", b"")


def png_16_bit() -> bytes:
    buffer = io.BytesIO()
    Image.new("I;16", (32, 32), 40000).save(buffer, "PNG")
    return buffer.getvalue()


BAD_INPUTS = {
    "empty file": (b"", "empty"),
    "truncated JPEG": (jpeg_bytes(gradient((400, 300)))[:1500], "damaged or cut short"),
    "text named .jpg": (b"This is a shopping list, not a photo.\n", "not a photo"),
    "decompression bomb": (png_bomb(), "too large to open safely"),
    "16-bit PNG": (png_16_bit(), "16 or 32 bits"),
    "CMYK JPEG": (jpeg_bytes(Image.new("CMYK", (32, 32), (0, 50, 100, 0))), "CMYK"),
    "GIF": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", None),
}


