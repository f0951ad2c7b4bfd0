"""A check-in's reading: the faces, and the mood of "you" (ml chose it), whoever ran the models.

The worker runs ml on the images (faces_read); the browser runs the same models and sends the results
(detection.ondevice). Both hand ml's dataclasses to faces_of, so one reading stores either."""

from dataclasses import dataclass, replace

from django.conf import settings

from . import uploads
from .messages import NO_FACE_PHOTO, NO_FACE_WEBCAM
from .models import CheckIn


@dataclass(frozen=True)
class FacesRead:
    analyses: list  # one ml.inference.ImageAnalysis per image
    faces: list  # (image index, face) for every face found
    you: tuple  # (image index, face) of "you"
    emotions: dict[str, float]
    top: str
    confidence: float
    kept: tuple[bytes, ...] = ()  # with keep: each image as the clean JPEG its owner keeps


def faces_read(check_in: CheckIn, images: list[bytes], *, keep: bool = False) -> tuple[FacesRead | None, str]:
    """The faces in a photo or burst and the mood of "you" (ml chose it), or why there is none.
    With `keep` (the owner keeps images), each image is also made the clean JPEG that is kept."""
    from ml import inference

    recognizer = inference.get_recognizer(str(settings.EMOTION_MODEL_PATH))
    try:
        inputs, kept = _decoded(check_in, images) if keep else (images, [])
        if check_in.kind == CheckIn.Kind.WEBCAM:
            found = recognizer.analyze_burst(inputs, max_frames=settings.MAX_BURST_FRAMES)
        else:
            found = recognizer.analyze(inputs[0])
    except inference.ImageError as exc:
        # What the upload's header could not show (damaged pixel data), told to its owner.
        return None, str(exc)
    read, problem = faces_of(found)
    return (replace(read, kept=tuple(kept)) if read else None), problem


def _decoded(check_in: CheckIn, images: list[bytes]) -> tuple[list, list[bytes]]:
    """Each image's pixels for the models and its clean JPEG (upright, no EXIF or GPS), from one
    decode: a keeper's image is not decoded a second time to be kept."""
    from ml import imageio, inference

    if check_in.kind == CheckIn.Kind.WEBCAM:
        inference.burst_check(len(images), max_frames=settings.MAX_BURST_FRAMES)
    caps = {"max_bytes": settings.MAX_UPLOAD_BYTES, "max_pixels": uploads.max_pixels(check_in.kind)}
    inputs, kept = [], []
    for data in images:
        decoded, clean = imageio.decode_and_sanitize(data, min_side=inference.DECODE_SIDE, **caps)
        inputs.append(decoded)
        kept.append(clean)
    return inputs, kept


def faces_of(found) -> tuple[FacesRead | None, str]:
    """The reading of ml's analysis of a photo (an ImageAnalysis) or a burst (a BurstAnalysis), or
    why there is none: a burst's mood is the mix of its frames, a photo's that of its main face."""
    from ml import inference

    if isinstance(found, inference.BurstAnalysis):
        analyses, you = found.frames, (found.best_frame, found.main_face)
        if you[1] is None or not found.distribution:
            return None, NO_FACE_WEBCAM
        mood = found.distribution, found.top_emotion, found.confidence
    else:
        analyses, you = [found], (0, found.main_face)
        if you[1] is None:
            return None, NO_FACE_PHOTO
        mood = you[1].probabilities, you[1].top_emotion, you[1].confidence
    faces = [(index, face) for index, analysis in enumerate(analyses) for face in analysis.faces]
    return FacesRead(analyses, faces, you, *mood), ""
