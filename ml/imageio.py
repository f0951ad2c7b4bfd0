"""Safe decoding of untrusted image bytes.

Pillow reads only the header first, so a decompression bomb is refused on its
declared size before a single pixel is decoded. OpenCV only ever sees the
decoded array.
"""

from __future__ import annotations

import io
import math
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000  # about 8000 x 5000: more than any phone camera
ALLOWED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP"}


class ImageError(ValueError):
    """Base for every rejection of an uploaded image; str() is fit to show a user."""


class NotAnImageError(ImageError):
    pass


class ImageTooLargeError(ImageError):
    pass


class UnsupportedImageError(ImageError):
    pass


def _open(data: bytes, max_bytes: int, max_pixels: int) -> Image.Image:
    if not data:
        raise NotAnImageError("The file is empty.")
    if len(data) > max_bytes:
        raise ImageTooLargeError(f"The image is larger than {max_bytes // (1024 * 1024)} MB.")
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
        raise ImageTooLargeError(f"The image is {width}x{height} pixels; at most {max_pixels // 1_000_000} megapixels.")
    if getattr(image, "n_frames", 1) > 1 and image.format != "MPO":
        raise UnsupportedImageError("Animated images are not supported: send a single photo.")
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit (or 32-bit int) grayscale: scale to 8 bits by the actual range.
        array = np.asarray(image, dtype=np.float64)
        top = array.max() if array.size and array.max() > 255 else 255.0
        image = Image.fromarray(np.clip(array * (255.0 / top), 0, 255).astype(np.uint8), "L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent parts become white, like they look in a browser.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("RGB")


def decode_image(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    min_side: int | None = None,
) -> np.ndarray:
    """Untrusted bytes -> RGB uint8 array, upright (EXIF orientation applied).

    With `min_side`, a JPEG may be decoded at 1/2, 1/4 or 1/8 scale as long as
    its shorter side stays at least `min_side` (libjpeg's DCT scaling: far
    faster than decoding everything and resizing).
    Raises NotAnImageError, ImageTooLargeError or UnsupportedImageError.
    """
    image = _open(data, max_bytes, max_pixels)
    try:
        if min_side and image.format in ("JPEG", "MPO"):
            width, height = image.size
            shorter = min(width, height)
            if shorter > min_side:
                factor = min_side / shorter
                image.draft("RGB", (math.ceil(width * factor), math.ceil(height * factor)))
        image.load()
        image = ImageOps.exif_transpose(image)
        return np.asarray(_to_rgb(image), dtype=np.uint8).copy()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAnImageError("The image file is damaged or incomplete.") from exc


def upright_size(data: bytes) -> tuple[int, int]:
    """(width, height) after EXIF orientation, read from the header alone."""
    image = _open(data, DEFAULT_MAX_BYTES * 10, DEFAULT_MAX_PIXELS * 10)
    width, height = image.size
    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:  # malformed EXIF: the decoder ignores it too
        orientation = 1
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def sanitize_image(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side: int = 1600,
    quality: int = 90,
) -> bytes:
    """Re-encode an upload as a plain JPEG: upright, at most `max_side` pixels, no EXIF/GPS metadata."""
    return encode_jpeg(
        decode_image(data, max_bytes=max_bytes, max_pixels=max_pixels), max_side=max_side, quality=quality
    )


def encode_jpeg(rgb: np.ndarray, *, max_side: int = 1600, quality: int = 90) -> bytes:
    image = Image.fromarray(rgb, "RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= argument: metadata is dropped. No optimize=True: it costs more time than the bytes it saves.
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()
