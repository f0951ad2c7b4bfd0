"""The inference library on real photos, with the shipped model."""

import cv2
import numpy as np
import pytest
from skimage import data

from ml.inference import DEFAULT_MODEL_PATH, EmotionRecognizer, encode_jpeg, get_recognizer
from ml.labels import EMOTIONS

# Where the astronaut's face is in skimage's 512x512 photo (x, y, w, h), by eye.
ASTRONAUT_FACE = (175, 60, 100, 100)


@pytest.fixture(scope="module")
def recognizer() -> EmotionRecognizer:
    return get_recognizer(DEFAULT_MODEL_PATH)


def overlap(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / (aw * ah + bw * bh - inter)


def test_it_finds_and_classifies_the_astronauts_smile(recognizer):
    analysis = recognizer.analyze(encode_jpeg(data.astronaut()))
    assert (analysis.width, analysis.height) == (512, 512)
    (face,) = analysis.faces
    assert overlap(face.box, ASTRONAUT_FACE) > 0.5
    assert face.top_emotion == "happiness"
    assert set(face.probabilities) == set(EMOTIONS)
    assert sum(face.probabilities.values()) == pytest.approx(1.0, abs=1e-4)
    assert face.confidence == max(face.probabilities.values())
    assert 0 < face.quality <= 1


def test_boxes_are_in_full_size_pixels_when_a_big_jpeg_is_decoded_at_reduced_scale(recognizer):
    big = cv2.resize(data.astronaut(), (2048, 2048), interpolation=cv2.INTER_CUBIC)
    analysis = recognizer.analyze(encode_jpeg(big, max_side=4096))
    assert (analysis.width, analysis.height) == (2048, 2048)
    scaled = tuple(v * 4 for v in ASTRONAUT_FACE)
    assert overlap(analysis.faces[0].box, scaled) > 0.5


def test_a_photo_without_a_face_is_an_empty_result_not_an_error(recognizer):
    sky = np.full((480, 640, 3), (120, 170, 230), np.uint8)
    assert recognizer.analyze(encode_jpeg(sky)).faces == []
    assert recognizer.analyze(encode_jpeg(data.coffee())).faces == []


def test_it_finds_several_faces_largest_first(recognizer):
    face = data.astronaut()[30:230, 130:330]
    canvas = np.full((420, 1100, 3), 200, np.uint8)
    for i, size in enumerate((200, 190, 180, 170, 160)):
        canvas[10 : 10 + size, 10 + i * 215 : 10 + i * 215 + size] = cv2.resize(face, (size, size))
    analysis = recognizer.analyze(canvas)
    assert len(analysis.faces) == 5
    areas = [f.area for f in analysis.faces]
    assert areas == sorted(areas, reverse=True)
    assert analysis.main_face == analysis.faces[0]


def test_a_dim_selfie_still_shows_its_face(recognizer):
    dim = (255 * (data.astronaut() / 255.0) ** 2.2 * 0.35).astype(np.uint8)
    assert dim.mean() < 40
    assert len(recognizer.analyze(dim).faces) == 1


def test_a_burst_mixes_usable_frames_and_drops_blurry_ones(recognizer):
    sharp = data.astronaut()
    blurred = cv2.GaussianBlur(sharp, (0, 0), 9)
    empty = np.zeros((512, 512, 3), np.uint8)
    burst = recognizer.analyze_burst([empty, blurred, sharp, encode_jpeg(sharp)], max_frames=8)
    assert len(burst.frames) == 4
    assert burst.used_frames == 2
    # "You" is the main face of a sharp frame, never of the blurry or empty one.
    assert burst.best_frame in (2, 3)
    assert burst.main_face == burst.frames[burst.best_frame].main_face and burst.main_face.quality > 0
    assert burst.top_emotion == "happiness"
    assert sum(burst.distribution.values()) == pytest.approx(1.0)


def test_a_burst_without_any_face_says_so(recognizer):
    burst = recognizer.analyze_burst([np.zeros((200, 200, 3), np.uint8)] * 3, max_frames=8)
    assert burst.distribution is None and burst.top_emotion is None and burst.used_frames == 0


def test_crops_are_classified_in_one_batch(recognizer):
    crops = np.random.default_rng(0).integers(0, 255, (5, 48, 48)).astype(np.uint8)
    probs = recognizer.classify_crops(crops)
    assert probs.shape == (5, len(EMOTIONS))
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert np.allclose(recognizer.classify_crops(crops[:1])[0], probs[0], atol=1e-5)


def test_the_model_is_loaded_once_per_process():
    assert get_recognizer(DEFAULT_MODEL_PATH) is get_recognizer(DEFAULT_MODEL_PATH)


def test_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="emotion model not found"):
        EmotionRecognizer(tmp_path / "nope.tflite")


def test_shipped_model_is_small():
    assert DEFAULT_MODEL_PATH.stat().st_size <= 10 * 1024 * 1024


def test_a_burst_has_a_frame_limit(recognizer):
    from ml.inference import ImageTooLargeError, NotAnImageError

    frame = np.zeros((64, 64, 3), np.uint8)
    with pytest.raises(ImageTooLargeError, match="at most 3 frames"):
        recognizer.analyze_burst([frame] * 4, max_frames=3)
    with pytest.raises(NotAnImageError):
        recognizer.analyze_burst([], max_frames=3)
