"""The worker's reading of a check-in's images: the faces, and the mood of "you" (ml chose it)."""

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
    webcam = check_in.kind == CheckIn.Kind.WEBCAM
    try:
        if webcam:
            burst = recognizer.analyze_burst(images, max_frames=settings.MAX_BURST_FRAMES)
            analyses, you_frame, you_face = burst.frames, burst.best_frame, burst.main_face
        else:
            analyses = [recognizer.analyze(images[0])]
            you_frame, you_face = 0, analyses[0].main_face
    except inference.ImageError as exc:
        # What the upload's header could not show (damaged pixel data), told to its owner.
        return None, str(exc)
    if you_face is None or (webcam and not burst.distribution):
        return None, NO_FACE_WEBCAM if webcam else NO_FACE_PHOTO
    faces = [(index, face) for index, analysis in enumerate(analyses) for face in analysis.faces]
    # A burst's mood is the mix of its frames, a photo's that of its main face.
    if webcam:
        mood = burst.distribution, burst.top_emotion, burst.confidence
    else:
        mood = you_face.probabilities, you_face.top_emotion, you_face.confidence
    return FacesRead(analyses, faces, (you_frame, you_face), *mood), ""
