"""Safe, bounded decoding of untrusted image bytes.

Pillow reads only the header first, so bytes and pixels are checked against
their caps (passed in by the caller, who keeps them in settings) before a
single pixel is decoded. What is decoded then stays proportional to what is
needed: a JPEG is decoded at 1/2, 1/4 or 1/8 scale where that is enough
(libjpeg's DCT scaling, `draft`), other formats are shrunk by a whole factor
right after decoding (`reduce`), and 16-bit pixels become 8-bit through a
lookup table, never a float copy. OpenCV only ever sees the decoded array.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 12_000_000  # a phone camera's full resolution (4000 x 3000)
ALLOWED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
ORIENTATION_TAG = 0x0112
# What a viewer does for each EXIF orientation to show the picture upright.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I")
# Modes Image.reduce() handles directly; others are converted to RGB(A) first.
_REDUCIBLE_MODES = ("L", "LA", "RGB", "RGBA", "CMYK", "I", "F")


class ImageError(ValueError):
    """Base for every rejection of an uploaded image; str() is fit to show a user."""


class NotAnImageError(ImageError):
    pass


class ImageTooLargeError(ImageError):
    pass


class UnsupportedImageError(ImageError):
    pass


@dataclass(frozen=True)
class Decoded:
    """An image decoded, maybe smaller than it is: RGB pixels, upright, and the upright full size
    (in whose pixels ml reports its faces' boxes)."""

    rgb: np.ndarray
    width: int
    height: int


def _open(data: bytes, max_bytes: int, max_pixels: int) -> Image.Image:
    """The image with only its header read, after the byte and pixel caps."""
    if not data:
        raise NotAnImageError("The file is empty.")
    if len(data) > max_bytes:
        raise ImageTooLargeError(f"The image is larger than {max_bytes / (1024 * 1024):g} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError) as exc:
        if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
            raise ImageTooLargeError("The image has too many pixels.") from exc
        raise NotAnImageError("This file is not an image we can read (use a JPEG, PNG or WebP photo).") from exc
    if image.format not in ALLOWED_FORMATS:
        raise UnsupportedImageError(
            f"{image.format or 'This'} images are not supported: use a JPEG, PNG or WebP photo."
        )
    width, height = image.size
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"The image is {width}x{height} pixels; at most {max_pixels / 1_000_000:g} megapixels."
        )
    if getattr(image, "n_frames", 1) > 1 and image.format != "MPO":
        raise UnsupportedImageError("Animated images are not supported: send a single photo.")
    return image


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ORIENTATION_TAG, 1))
    except Exception:  # malformed EXIF: viewers ignore it, and so do we
        return 1


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit (or 32-bit int) grayscale -> 8-bit "L", scaled by the image's own range.

    A 65,536-entry lookup table maps each value straight to a byte: the only copies
    are the integer pixels and the 1-byte result, never a float array.
    """
    pixels = np.asarray(image)
    if pixels.dtype != np.uint16:
        pixels = np.clip(pixels, 0, 65535).astype(np.uint16)
    top = max(255, int(pixels.max()) if pixels.size else 0)
    lut = ((np.arange(65536, dtype=np.uint32) * 255 + top // 2) // top).clip(0, 255).astype(np.uint8)
    return Image.fromarray(lut[pixels], "L")


def _flatten(image: Image.Image) -> Image.Image:
    """Any mode -> RGB; transparent parts become white, like they look in a browser."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("RGB")


def _target(size: tuple[int, int], *, min_side=None, max_side=None) -> tuple[int, int]:
    """The smallest size to decode at for the shorter side to stay >= min_side or the longer side
    >= max_side (whichever is given); the full size with neither."""
    width, height = size
    side, of = (min_side, min(width, height)) if min_side else (max_side, max(width, height))
    if not side:
        return width, height
    return math.ceil(width * side / of), math.ceil(height * side / of)


def _upright_size(image: Image.Image, orientation: int) -> tuple[int, int]:
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _decode(data: bytes, max_bytes: int, max_pixels: int, *, min_side=None, max_side=None) -> Image.Image:
    """Upright RGB image, decoded no larger than needed for the shorter side to stay
    >= min_side or the longer side >= max_side (whichever is given)."""
    image = _open(data, max_bytes, max_pixels)
    target = _target(image.size, min_side=min_side, max_side=max_side)
    return _upright(image, [target])[0]


def _upright(image: Image.Image, targets: list[tuple[int, int]]) -> list[Image.Image]:
    """The image opened by _open, its pixels decoded once, as an upright RGB image per target size
    (each shrunk by a whole factor toward its target). A JPEG decodes at a DCT scale: one target."""
    try:
        orientation = _orientation(image)
        if targets[0][0] < image.width and image.format in ("JPEG", "MPO"):
            image.draft(None, targets[0])  # decodes at the smallest DCT scale still >= target
        image.load()
        if image.mode in _SIXTEEN_BIT_MODES:
            image = _to_8bit(image)
        return [_shrunk(image, target, orientation) for target in targets]
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAnImageError("The image file is damaged or incomplete.") from exc


def _shrunk(image: Image.Image, target: tuple[int, int], orientation: int) -> Image.Image:
    factor = max(1, min(image.width // max(1, target[0]), image.height // max(1, target[1])))
    if factor > 1:
        if image.mode not in _REDUCIBLE_MODES:
            transparent = "transparency" in image.info or image.mode.endswith("A")
            image = image.convert("RGBA" if transparent else "RGB")
        image = image.reduce(factor)
    image = _flatten(image)
    return image.transpose(_UPRIGHT[orientation]) if orientation in _UPRIGHT else image


def decode_image(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    min_side: int | None = None,
) -> np.ndarray:
    """Untrusted bytes -> RGB uint8 array, upright (EXIF orientation applied).

    With `min_side`, the image may be decoded smaller (by whole factors) as long
    as its shorter side stays at least `min_side`.
    Raises NotAnImageError, ImageTooLargeError or UnsupportedImageError.
    """
    image = _decode(data, max_bytes, max_pixels, min_side=min_side)
    return np.asarray(image, dtype=np.uint8).copy()


def decode_upright(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS, min_side: int
) -> Decoded:
    """decode_image's array with the upright full size, from one read of the file: a PNG's EXIF may
    follow its pixels, so asking for the orientation first and then decoding would decode it twice."""
    image = _open(data, max_bytes, max_pixels)
    width, height = _upright_size(image, _orientation(image))
    [upright] = _upright(image, [_target(image.size, min_side=min_side)])
    return Decoded(np.asarray(upright, dtype=np.uint8).copy(), width, height)


def _complete(image: Image.Image, data: bytes) -> bool:
    """Whether the file reaches its end marker after the pixel data starts: a cheap byte search that
    catches a cut-off upload without decoding it (a JPEG's EOI cannot occur inside entropy-coded
    data; a PNG ends with IEND; a WebP's RIFF header states its length)."""
    start = image.tile[0][2] if image.tile else 0
    if image.format in ("JPEG", "MPO"):
        return data.find(b"\xff\xd9", start) != -1
    if image.format == "PNG":
        return data.find(b"IEND", start) != -1
    if image.format == "WEBP":
        return int.from_bytes(data[4:8], "little") + 8 <= len(data)
    return True


def inspect_image(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[int, int]:
    """Check untrusted bytes from the header alone, decoding no pixel: the byte and pixel caps, the
    decompression-bomb bound, the format, a single frame, and a complete file. Returns the upright
    (width, height). What only decoding can show (damaged pixel data) is found by decode_image.
    Raises NotAnImageError, ImageTooLargeError or UnsupportedImageError."""
    image = _open(data, max_bytes, max_pixels)
    if not _complete(image, data):
        raise NotAnImageError("The image file is damaged or incomplete.")
    # Pillow finds a PNG's EXIF after the pixel data only by decoding them: without one in the
    # header, the size is reported as stored (the worker's decode still turns the picture upright).
    if image.format == "PNG" and "exif" not in image.info:
        return image.size
    return _upright_size(image, _orientation(image))


def upright_size(data: bytes) -> tuple[int, int]:
    """(width, height) after EXIF orientation, read from the header alone."""
    image = _open(data, DEFAULT_MAX_BYTES * 10, DEFAULT_MAX_PIXELS * 10)
    return _upright_size(image, _orientation(image))


def sanitize_image(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side: int = 1600,
    quality: int = 90,
) -> bytes:
    """Re-encode an upload as a plain JPEG: upright, at most `max_side` pixels, no EXIF/GPS metadata.

    Only as many pixels are decoded as the result needs (see the module docstring),
    so the cost of the worst accepted upload is bounded by the caps.
    """
    image = _decode(data, max_bytes, max_pixels, max_side=max_side)
    return _encode(image, max_side=max_side, quality=quality)


def decode_and_sanitize(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    min_side: int,
    max_side: int = 1600,
    quality: int = 90,
) -> tuple[Decoded, bytes]:
    """decode_upright's image and sanitize_image's JPEG of one upload, the same as the two give, for
    an image that is both analysed and kept. Its pixels are decoded once for both, except a JPEG's:
    libjpeg decodes each at its own DCT scale, cheaper than one decode at the larger."""
    image = _open(data, max_bytes, max_pixels)
    caps = {"max_bytes": max_bytes, "max_pixels": max_pixels}
    if image.format in ("JPEG", "MPO"):
        clean = sanitize_image(data, max_side=max_side, quality=quality, **caps)
        return decode_upright(data, min_side=min_side, **caps), clean
    width, height = _upright_size(image, _orientation(image))
    targets = [_target(image.size, min_side=min_side), _target(image.size, max_side=max_side)]
    analysed, kept = _upright(image, targets)
    rgb = np.asarray(analysed, dtype=np.uint8).copy()
    return Decoded(rgb, width, height), _encode(kept, max_side=max_side, quality=quality)


def encode_jpeg(rgb: np.ndarray, *, max_side: int = 1600, quality: int = 90) -> bytes:
    return _encode(Image.fromarray(rgb, "RGB"), max_side=max_side, quality=quality)


def _encode(image: Image.Image, *, max_side: int, quality: int) -> bytes:
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= argument: metadata is dropped. No optimize=True: it costs more time than the bytes it saves.
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()
