"""Test images made on the fly: real faces, and every kind of bad upload."""

import io
import struct
import zlib
from functools import cache

import numpy as np
from PIL import Image, ImageOps


@cache
def astronaut() -> np.ndarray:
    """Eileen Collins, smiling (scikit-image's sample data): a real face photo."""
    from skimage import data

    return data.astronaut()


def encode(array_or_image, fmt: str = "JPEG", **params) -> bytes:
    image = array_or_image if isinstance(array_or_image, Image.Image) else Image.fromarray(array_or_image)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def face_jpeg(**params) -> bytes:
    return encode(astronaut(), "JPEG", quality=92, **params)


def face_png() -> bytes:
    return encode(astronaut(), "PNG")


def no_face_jpeg() -> bytes:
    # A smooth gradient: nothing a face detector could mistake for a face.
    ramp = np.linspace(40, 220, 480, dtype=np.uint8)
    return encode(np.dstack([np.tile(ramp, (360, 1))] * 3), "JPEG")


def dark_jpeg() -> bytes:
    rng = np.random.default_rng(0)
    return encode(rng.integers(0, 12, size=(480, 640, 3), dtype=np.uint8), "JPEG")


def five_faces_jpeg() -> bytes:
    # The astronaut's head five times on one canvas, decreasing in size so the
    # largest one is unambiguous.
    head = Image.fromarray(astronaut()).crop((150, 20, 330, 240))
    canvas = Image.new("RGB", (1100, 520), (235, 235, 235))
    x = 10
    for scale in (1.0, 0.95, 0.9, 0.85, 0.8):
        size = (int(head.width * scale * 1.1), int(head.height * scale * 1.1))
        canvas.paste(head.resize(size), (x, 20))
        x += size[0] + 16
    return encode(canvas, "JPEG", quality=92)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 3]


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A PNG whose header claims width x height pixels; the body is a few bytes.

    Only the header is real: a decoder that trusts it would allocate gigabytes.
    """

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def animated_gif() -> bytes:
    frames = [Image.fromarray(astronaut()).convert("P"), Image.new("P", (512, 512), 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def cmyk_jpeg() -> bytes:
    return encode(Image.fromarray(astronaut()).convert("CMYK"), "JPEG", quality=92)


def png_16bit() -> bytes:
    # 48-bit RGB, as raw photo tools export it; Pillow cannot write that, OpenCV can.
    import cv2

    rgb16 = astronaut().astype(np.uint16) * 257
    ok, buffer = cv2.imencode(".png", rgb16[:, :, ::-1])
    assert ok
    return buffer.tobytes()


def rgba_png() -> bytes:
    rgba = np.dstack([astronaut(), np.full(astronaut().shape[:2], 200, dtype=np.uint8)])
    return encode(Image.fromarray(rgba), "PNG")


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
TEXT = b"this is not an image, only named like one\n" * 20

# The transform each EXIF orientation tag asks a viewer to apply (PIL names).
_ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
UPRIGHT_SIZE = (400, 512)
UPRIGHT_FACE_CENTRE = (185, 127)  # the astronaut's face in the upright 400x512 crop
_INVERSE = {
    Image.Transpose.ROTATE_270: Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_90: Image.Transpose.ROTATE_270,
}


def oriented_face_jpeg(orientation: int, gps: bool = True) -> bytes:
    """The face photo stored sideways/flipped with the EXIF tag that makes it upright again
    (what phone cameras do), plus GPS coordinates that must never be stored."""
    # Not square, so a wrongly rotated result would show in its size.
    image = Image.fromarray(astronaut()[:, 40:440])
    if orientation != 1:
        transform = _ORIENTATION_TRANSPOSE[orientation]
        image = image.transpose(_INVERSE.get(transform, transform))
    exif = Image.Exif()
    exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    stored = encode(image, "JPEG", quality=92, exif=exif.tobytes())
    # Self-check of the helper: a viewer applying the tag gets the upright photo back.
    assert ImageOps.exif_transpose(Image.open(io.BytesIO(stored))).size == UPRIGHT_SIZE
    return stored


def stored_files() -> list:
    """Every file under the private media root (each test has its own)."""
    from django.conf import settings

    root = settings.PRIVATE_MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
