"""A check-in's reading: the faces, and the mood of "you" (ml chose it), whoever ran the models.

The worker runs ml on the images (faces_read); the browser runs the same models and sends the results
(detection.ondevice). Both hand ml's dataclasses to faces_of, so one reading stores either."""

from dataclasses import dataclass

from django.conf import settings

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


def faces_read(check_in: CheckIn, images: list[bytes]) -> tuple[FacesRead | None, str]:
    """The faces in a photo or burst and the mood of "you" (ml chose it), or why there is none."""
    from ml import inference

    recognizer = inference.get_recognizer(str(settings.EMOTION_MODEL_PATH))
    try:
        if check_in.kind == CheckIn.Kind.WEBCAM:
            found = recognizer.analyze_burst(images, max_frames=settings.MAX_BURST_FRAMES)
        else:
            found = recognizer.analyze(images[0])
    except inference.ImageError as exc:
        # What the upload's header could not show (damaged pixel data), told to its owner.
        return None, str(exc)
    return faces_of(found)


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
