"""The site's URLs plus generated previews, for browser tests: `/test-previews/<seconds>.wav` is a
short tone served by the test server itself, so the player has a real preview and nothing leaves
the machine."""

import io
import math
import wave

from django.http import HttpResponse
from django.urls import include, path

RATE = 8000


def tone_wav(seconds: float) -> bytes:
    frames = int(RATE * seconds)
    samples = bytes(128 + int(40 * math.sin(2 * math.pi * 440 * i / RATE)) for i in range(frames))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(RATE)
        out.writeframes(samples)
    return buffer.getvalue()


def preview(request, seconds: int):
    body = tone_wav(min(seconds, 60))
    start, end = 0, len(body) - 1
    header = request.headers.get("Range", "")
    if header.startswith("bytes="):
        first, _, last = header[6:].partition("-")
        start = int(first or 0)
        end = min(int(last), end) if last else end
    response = HttpResponse(body[start : end + 1], content_type="audio/wav", status=206 if header else 200)
    response["Accept-Ranges"] = "bytes"
    if header:
        response["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
    return response


urlpatterns = [
    path("test-previews/<int:seconds>.wav", preview),
    path("", include("symphony.urls")),
]
