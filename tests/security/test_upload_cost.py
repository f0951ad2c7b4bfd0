"""A costly upload is refused from its header, and the worst accepted one stays cheap.

The figures (peak memory, time) are measured by benchmarks/upload_cost.py; these tests
pin the rules: pixel caps from settings checked before decoding, and no float64 copy.

Audit finding H2.
"""

import struct
import tracemalloc
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ImageFile

from detection.tests import images
from ml import imageio
from tests.errors import message

pytestmark = pytest.mark.django_db


def png_16bit_gray(width: int, height: int, value: int = 0) -> bytes:
    """A real 16-bit grayscale PNG, compressed row by row (a flat one is tiny on disk)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    row = b"\x00" + value.to_bytes(2, "big") * width
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture
def no_decoding(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_the_91_kb_16_bit_photo_is_refused_from_its_header(api, no_decoding):
    data = png_16bit_gray(6300, 6300)
    assert len(data) < 200_000

    response = api.post("/api/v1/checkins/", {"image": SimpleUploadedFile("a.png", data)}, format="multipart")

    assert response.status_code == 413
    assert "megapixels" in message(response)


def test_a_burst_frame_has_a_smaller_pixel_cap_than_a_photo(api, settings):
    side = int((settings.MAX_FRAME_PIXELS * 1.2) ** 0.5)
    frame = images.encode(images.astronaut(), "JPEG")
    big = images.encode(images.Image.fromarray(images.astronaut()).resize((side, side)), "JPEG")

    burst = api.post(
        "/api/v1/checkins/",
        {"frames": [SimpleUploadedFile("0.jpg", frame), SimpleUploadedFile("1.jpg", big)]},
        format="multipart",
    )
    photo = api.post("/api/v1/checkins/", {"image": SimpleUploadedFile("1.jpg", big)}, format="multipart")

    assert burst.status_code == 413
    assert "Frame 2" in message(burst)
    assert photo.status_code == 202, photo.content


def test_pixel_caps_come_from_settings(api, settings):
    settings.MAX_PHOTO_PIXELS = 100_000
    response = api.post(
        "/api/v1/checkins/", {"image": SimpleUploadedFile("a.jpg", images.face_jpeg())}, format="multipart"
    )
    assert response.status_code == 413


def test_a_16_bit_photo_is_converted_without_a_float64_copy():
    data = png_16bit_gray(2000, 2000, value=40_000)
    tracemalloc.start()
    try:
        rgb = imageio.decode_image(data, max_pixels=12_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rgb.shape == (2000, 2000, 3) and rgb.dtype.name == "uint8"
    assert rgb.max() == 255  # scaled by its own range, not truncated
    # A float64 copy of the pixels alone would be 8 bytes each (32 MB here); the whole
    # decode, 8-bit RGB result included, stays under that.
    assert peak < 2000 * 2000 * 8, f"peak {peak / 1e6:.0f} MB"
