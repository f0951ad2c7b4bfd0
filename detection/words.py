"""Words with a check-in ("Say it in words", issue 28): read them, and join them to a face.

The text model (ml.text) is small enough to run in the web process (a few milliseconds), so words
are read when the check-in is made; the worker that analyses a selfie with words only fuses the two
readings (detection.fusion). The text itself is never logged, never given to a task, and stored
only when the user keeps it; the reading keeps its emotions and the music it asked for (vocabulary
genres, decades, an energy: music.recommendation.asked), which the song list needs.
"""

from django.core.exceptions import ValidationError

from ml import text as text_model
from music.recommendation.services import asks_read

from . import fusion


def words_read(text) -> tuple[str, dict]:
    """Check and read a text: (the text, stripped; its reading with the music it asks for).
    Raises ValidationError with a message for the user (empty, blank, too long)."""
    try:
        clean = text_model.text_validate(text)
    except text_model.TextInvalid as exc:
        raise ValidationError(str(exc), code="invalid") from None
    result = text_model.get_text_reader().read(clean)
    reading = fusion.reading(result.probabilities, result.confidence)
    reading["asks"] = asks_read(clean)
    return clean, reading


def words_fields(text: str | None, keep_text: bool) -> dict:
    """A check-in's `text` and `readings` for the words given with a face (none: None): the text
    only with `keep_text`, its reading always. Raises ValidationError as words_read does."""
    if text is None:
        return {"text": "", "readings": {}}
    clean, reading = words_read(text)
    return {"text": clean if keep_text else "", "readings": {"words": reading}}


def with_face(readings: dict, emotions: dict[str, float], top: str, confidence: float) -> dict:
    """The check-in's result fields for a face's reading: as read, or fused with the words' when
    there are any (the face's reading then joins `readings`)."""
    if "words" not in readings:
        return {"emotions": emotions, "top_emotion": top, "confidence": confidence, "readings": readings}
    face = fusion.reading(emotions, confidence)
    mood = fusion.fuse(face, readings["words"])
    return {
        "emotions": mood["emotions"],
        "top_emotion": mood["top"],
        "confidence": mood["confidence"],
        "readings": {**readings, "face": face},
    }
