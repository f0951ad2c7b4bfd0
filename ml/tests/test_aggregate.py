import pytest

from ml.inference import FaceEmotion, aggregate_faces
from ml.labels import EMOTIONS


def face(top: str, confidence: float, quality: float = 1.0) -> FaceEmotion:
    rest = (1 - confidence) / (len(EMOTIONS) - 1)
    probs = {name: (confidence if name == top else rest) for name in EMOTIONS}
    return FaceEmotion((0, 0, 100, 100), probs, top, confidence, quality)


def test_sharp_confident_frames_outweigh_a_doubtful_one():
    mix, used = aggregate_faces([face("happiness", 0.9), face("happiness", 0.8), face("sadness", 0.4, quality=0.3)])
    assert used == 3
    assert max(mix, key=mix.get) == "happiness"
    assert sum(mix.values()) == pytest.approx(1.0)


def test_blurry_tiny_and_missing_faces_are_dropped():
    mix, used = aggregate_faces([None, face("anger", 0.99, quality=0.0), face("surprise", 0.6)])
    assert used == 1
    assert max(mix, key=mix.get) == "surprise"


def test_no_usable_face_is_an_explicit_none():
    assert aggregate_faces([None, face("fear", 0.9, quality=0.0)]) == (None, 0)
    assert aggregate_faces([]) == (None, 0)
