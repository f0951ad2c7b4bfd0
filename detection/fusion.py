"""A selfie with words: one mood from the face's reading and the words', and what to say when
they disagree. Plain Python.

The fusion is a confidence-weighted linear pool: each reading's distribution weighs its calibrated
confidence (its top probability), so a sure reading outweighs an unsure one, and words the text
model could not read (emoji, another language: low confidence, see ml.text) change little. The
fused confidence is the pool's top probability, which two agreeing readings raise and two
disagreeing ones lower. The words give contempt nothing (ml.text): the face's contempt stays,
weighted like the rest of the face's reading.
"""

from ml.labels import EMOTIONS
from music.emotions import EMOTION_ADJECTIVE

# Below this confidence a reading is too unsure to "disagree" with the other.
DISAGREE_FROM = 0.4


def distribution_clean(probabilities: dict[str, float]) -> dict[str, float]:
    """A distribution as stored: every emotion, in order, to 6 places."""
    return {name: round(float(probabilities.get(name, 0.0)), 6) for name in EMOTIONS}


def reading(emotions: dict[str, float], confidence: float) -> dict:
    """One reading as stored in CheckIn.readings: the distribution, its top emotion and confidence."""
    clean = distribution_clean(emotions)
    return {"emotions": clean, "top": max(EMOTIONS, key=clean.__getitem__), "confidence": round(float(confidence), 6)}


def fuse(face: dict, words: dict) -> dict:
    """The combined reading of a face and words (see the module docstring)."""
    weights = max(face["confidence"], 1e-6), max(words["confidence"], 1e-6)
    total = sum(weights)
    pooled = {
        name: (weights[0] * face["emotions"].get(name, 0.0) + weights[1] * words["emotions"].get(name, 0.0)) / total
        for name in EMOTIONS
    }
    norm = sum(pooled.values()) or 1.0
    pooled = {name: value / norm for name, value in pooled.items()}
    top = max(EMOTIONS, key=pooled.__getitem__)
    return reading(pooled, pooled[top])


def disagreement(face: dict, words: dict) -> str:
    """ "Your face looks calm; your words sound anxious." when both are sure enough and differ, else ""."""
    if face["top"] == words["top"] or min(face["confidence"], words["confidence"]) < DISAGREE_FROM:
        return ""
    return f"Your face looks {EMOTION_ADJECTIVE[face['top']]}; your words sound {EMOTION_ADJECTIVE[words['top']]}."
