"""The web process's checks of an uploaded image, from its header alone: size, type, pixel count."""

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from .models import CheckIn


def images_check(files: Sequence[UploadedFile], kind: str) -> list[bytes]:
    """The bytes of a photo upload or a webcam burst, once the count and every file's header pass.
    Raises ValidationError (code "too_large" for size limits) naming the bad file."""
    if kind not in (CheckIn.Kind.UPLOAD, CheckIn.Kind.WEBCAM):
        raise ValidationError(f"Unknown check-in kind {kind!r}.", code="invalid")
    files = list(files)
    if not files:
        raise ValidationError("Choose a photo first.", code="required")
    if kind == CheckIn.Kind.UPLOAD and len(files) > 1:
        raise ValidationError("Upload one photo at a time.", code="invalid")
    if len(files) > settings.MAX_BURST_FRAMES:
        raise ValidationError(
            f"Too many frames: {len(files)} sent, at most {settings.MAX_BURST_FRAMES} allowed.", code="invalid"
        )
    images = [
        image_check(upload, "The file" if len(files) == 1 else f"Frame {index + 1}", max_pixels=max_pixels(kind))
        for index, upload in enumerate(files)
    ]
    return images


def image_check(upload: UploadedFile, label: str, *, max_pixels: int) -> bytes:
    """The upload's bytes, once its header passed every cap: the web process decodes no pixel.
    The worker decodes it once, for the analysis, and fails the check-in with a message if the
    pixel data turns out to be damaged."""
    # ml.imageio, not ml.inference: the web process needs Pillow only, never OpenCV or the model.
    from ml import imageio

    if upload.size == 0:
        raise ValidationError(f"{label} is empty.", code="invalid")
    if upload.size > settings.MAX_UPLOAD_BYTES:
        limit_mb = settings.MAX_UPLOAD_BYTES / (1024 * 1024)
        raise ValidationError(f"{label} is larger than the {limit_mb:g} MB limit.", code="too_large")
    data = upload.read()
    prefix = "" if label == "The file" else f"{label}: "
    # The browser's content type and the file name are ignored: the bytes decide.
    try:
        imageio.inspect_image(data, max_bytes=settings.MAX_UPLOAD_BYTES, max_pixels=max_pixels)
    except imageio.ImageTooLargeError as exc:
        raise ValidationError(f"{prefix}{exc}", code="too_large") from exc
    except imageio.ImageError as exc:
        raise ValidationError(f"{prefix}{exc}", code="invalid") from exc
    return data


def max_pixels(kind: str) -> int:
    # A photo may be a camera's full resolution; a webcam frame is video-sized.
    return settings.MAX_PHOTO_PIXELS if kind == CheckIn.Kind.UPLOAD else settings.MAX_FRAME_PIXELS
