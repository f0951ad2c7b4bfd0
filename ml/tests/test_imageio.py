"""Hostile and odd uploads: each gets a distinct, readable error, never a crash."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from ml.imageio import (
    ImageError,
    ImageTooLargeError,
    NotAnImageError,
    UnsupportedImageError,
    decode_and_sanitize,
    decode_image,
    decode_upright,
    sanitize_image,
    upright_size,
)


def encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels but holds almost no data (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


RGB = Image.new("RGB", (64, 48), (200, 30, 30))


@pytest.mark.parametrize(
    "data, error",
    [
        (b"", NotAnImageError),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", NotAnImageError),
        (b"<!doctype html><html><body>hi</body></html>", NotAnImageError),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", NotAnImageError),
        (b"MZ\x90\x00" + b"\x00" * 200, NotAnImageError),
        (encode(RGB, "JPEG")[:200], NotAnImageError),
        (encode(RGB, "PNG")[:60], NotAnImageError),
        (png_header_only(30000, 30000), ImageTooLargeError),
        (encode(RGB, "BMP"), UnsupportedImageError),
        (encode(RGB, "TIFF"), UnsupportedImageError),
    ],
    ids=["empty", "svg", "html", "pdf", "exe", "truncated-jpeg", "truncated-png", "bomb", "bmp", "tiff"],
)
def test_hostile_input_raises_a_distinct_readable_error(data, error):
    with pytest.raises(error) as info:
        decode_image(data)
    assert isinstance(info.value, ImageError)
    assert str(info.value) and "Traceback" not in str(info.value)


def test_animated_gif_is_unsupported():
    frames = [Image.new("P", (32, 32), i) for i in range(3)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(UnsupportedImageError):
        decode_image(data)


def test_size_limit_is_checked_before_decoding():
    with pytest.raises(ImageTooLargeError):
        decode_image(encode(RGB, "PNG"), max_bytes=10)
    with pytest.raises(ImageTooLargeError):
        decode_image(encode(RGB, "PNG"), max_pixels=100)


@pytest.mark.parametrize(
    "image, fmt",
    [
        (Image.new("CMYK", (40, 30), (0, 255, 255, 0)), "JPEG"),
        (Image.new("RGBA", (40, 30), (255, 0, 0, 0)), "PNG"),
        (Image.new("LA", (40, 30), (10, 128)), "PNG"),
        (Image.new("I;16", (40, 30), 40000), "PNG"),
        (Image.new("L", (40, 30), 90), "WEBP"),
        (Image.new("P", (40, 30), 3), "PNG"),
    ],
    ids=["cmyk", "rgba", "gray-alpha", "16-bit", "webp", "palette"],
)
def test_unusual_modes_decode_to_rgb(image, fmt):
    array = decode_image(encode(image, fmt))
    assert array.shape == (30, 40, 3) and array.dtype == np.uint8


def test_transparent_pixels_become_white():
    assert decode_image(encode(Image.new("RGBA", (4, 4), (0, 0, 0, 0)), "PNG"))[0, 0].tolist() == [255, 255, 255]


def oriented_jpeg(orientation: int) -> bytes:
    # A 60x40 image whose top-left quarter is white: after the EXIF rotation
    # the white corner tells which way it was turned.
    image = Image.new("RGB", (60, 40))
    image.paste((255, 255, 255), (0, 0, 30, 20))
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(image, "JPEG", exif=exif.tobytes())


@pytest.mark.parametrize("orientation", range(1, 9))
def test_all_exif_orientations_are_applied(orientation):
    array = decode_image(oriented_jpeg(orientation))
    expected = (40, 60) if orientation <= 4 else (60, 40)
    assert array.shape[:2] == expected
    assert upright_size(oriented_jpeg(orientation)) == (expected[1], expected[0])
    # Orientation 1 keeps the white corner top-left; every other one moves it.
    corners = [array[2, 2], array[2, -3], array[-3, 2], array[-3, -3]]
    white = [i for i, c in enumerate(corners) if c.mean() > 200]
    assert len(white) == 1
    assert (white[0] == 0) == (orientation in (1, 5))


def test_sanitized_image_has_no_exif_or_gps():
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (52.0, 31.0, 0.0)  # GPS latitude
    data = encode(Image.new("RGB", (80, 60), (10, 200, 10)), "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif()  # the upload did carry metadata
    clean = Image.open(io.BytesIO(sanitize_image(data)))
    assert clean.format == "JPEG"
    assert clean.size == (60, 80)  # rotated upright, then stripped
    assert not clean.getexif()
    assert "exif" not in clean.info


def test_sanitize_shrinks_huge_photos():
    data = encode(Image.new("RGB", (4000, 3000)), "JPEG")
    assert Image.open(io.BytesIO(sanitize_image(data, max_side=1600))).size == (1600, 1200)


def _noisy(mode: str, size=(1200, 900)) -> Image.Image:
    # Noise, so that decoding at another scale or shrinking another way would change the pixels.
    rgba = np.random.default_rng(7).integers(0, 256, (size[1], size[0], 4), dtype=np.uint8)
    image = Image.fromarray(rgba, "RGBA")
    return image if mode == "RGBA" else image.convert(mode)


def _sideways(image: Image.Image, fmt: str, **kwargs) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(image, fmt, exif=exif.tobytes(), **kwargs)


@pytest.mark.parametrize(
    "data",
    [
        encode(_noisy("RGB"), "JPEG", quality=90),
        _sideways(_noisy("RGB"), "JPEG"),
        encode(_noisy("RGBA"), "PNG"),
        encode(_noisy("L").convert("I;16"), "PNG"),
        encode(_noisy("RGB").convert("P", palette=Image.Palette.ADAPTIVE), "PNG", transparency=0),
        encode(_noisy("RGB"), "WEBP", quality=80),
        _sideways(_noisy("RGBA"), "WEBP", lossless=True),
    ],
    ids=["jpeg", "jpeg-sideways", "png-rgba", "png-16-bit", "png-palette", "webp", "webp-lossless-sideways"],
)
def test_decoding_once_for_analysis_and_keeping_gives_what_the_two_decodes_give(data):
    decoded, clean = decode_and_sanitize(data, min_side=360, max_side=800)
    assert np.array_equal(decoded.rgb, decode_image(data, min_side=360))
    assert (decoded.width, decoded.height) == upright_size(data)
    assert clean == sanitize_image(data, max_side=800)


def test_an_image_analysed_and_kept_is_decoded_once_unless_it_is_a_jpeg(monkeypatch):
    loads = []
    load = ImageFile.ImageFile.load

    def counted(image):
        if image.tile:  # pixels still to decode: later calls (by convert, reduce) return the decoded ones
            loads.append(image.format)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    for fmt in ("PNG", "WEBP", "JPEG"):
        decode_and_sanitize(encode(_noisy("RGB", (800, 600)), fmt), min_side=360, max_side=400)
    # A JPEG decodes twice, each at its own DCT scale (a quarter and a half here), cheaper than one.
    assert loads == ["PNG", "WEBP", "JPEG", "JPEG"]
    # Only analysed: a PNG's size and orientation come from the decode (its EXIF may follow the pixels).
    loads.clear()
    decode_upright(encode(_noisy("RGB", (800, 600)), "PNG"), min_side=360)
    assert loads == ["PNG"]


def test_decoding_once_refuses_what_decoding_refuses():
    with pytest.raises(ImageTooLargeError):
        decode_and_sanitize(encode(RGB, "PNG"), max_pixels=100, min_side=360)
    with pytest.raises(NotAnImageError):
        decode_and_sanitize(encode(_noisy("RGB", (200, 150)), "PNG")[:-40], min_side=360)
