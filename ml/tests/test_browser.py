"""The on-device pipeline's definition (ml/models/pipeline.json) and the browser's model copies."""

import numpy as np
import pytest

from ml import align, browser, detector, export, inference, preprocess
from ml.calibration import NOT_SURE_BELOW, load_temperature, softmax
from ml.labels import EMOTIONS
from ml.runtime import load_interpreter


def test_the_committed_pipeline_json_is_what_ml_says_today():
    """Stale JSON fails here: regenerate it with `python -m ml.browser --json`."""
    assert browser.load_pipeline() == browser.pipeline(), (
        "ml/models/pipeline.json is stale: python -m ml.browser --json"
    )


def test_a_change_on_the_python_side_makes_the_json_stale(monkeypatch):
    monkeypatch.setattr(detector, "NMS_IOU", detector.NMS_IOU + 0.1)
    assert browser.pipeline() != browser.load_pipeline()


def test_the_json_holds_the_numbers_ml_uses():
    spec = browser.load_pipeline()
    face_detector = detector.FaceDetector()
    assert spec["labels"] == list(EMOTIONS)
    assert spec["temperature"] == load_temperature(inference.DEFAULT_MODEL_PATH)
    assert spec["not_sure_below"] == NOT_SURE_BELOW
    assert spec["model_version"] == browser.model_version(inference.DEFAULT_MODEL_PATH)
    found = spec["detector"]
    assert found["candidate_score"] == face_detector.blazeface.score_threshold
    assert (found["sure_score"], found["presence_score"]) == (face_detector.sure_score, face_detector.presence_score)
    assert (found["min_face"], found["input_pixels"]) == (face_detector.min_face, face_detector.input_pixels)
    assert found["anchor_grids"] == [list(grid) for grid in detector.ANCHOR_GRIDS]
    assert spec["crop"]["size"] == preprocess.INPUT_SIZE
    assert spec["crop"]["fer_eye_midpoint"] == list(align.FER_EYE_MIDPOINT)
    assert spec["quality"]["blur_threshold"] == inference.BLUR_THRESHOLD


def test_every_photo_shape_has_a_detector_copy():
    sizes = {tuple(size) for size in browser.load_pipeline()["detector"]["input_sizes"]}
    rng = np.random.default_rng(0)
    for _ in range(500):
        ratio = float(np.exp(rng.uniform(np.log(browser.ASPECT_RANGE[0]), np.log(browser.ASPECT_RANGE[1]))))
        height = int(rng.integers(240, 5000))
        assert detector.input_size(height, max(1, round(height * ratio))) in sizes


def _outputs(interpreter, x: np.ndarray) -> list[np.ndarray]:
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    return [interpreter.get_tensor(d["index"]).copy() for d in interpreter.get_output_details()]


def test_a_fixed_shape_copy_stores_fixed_shapes_and_computes_the_same(tmp_path):
    source = detector.model_dir() / detector.MODEL_FILE
    path = tmp_path / "blazeface.tflite"
    path.write_bytes(export.fixed_shape_copy(source, [1, 224, 288, 3]))
    copy = load_interpreter(path, 1)
    copy.allocate_tensors()
    assert list(copy.get_input_details()[0]["shape_signature"]) == [1, 224, 288, 3]
    original = load_interpreter(source, 1)
    original.resize_tensor_input(original.get_input_details()[0]["index"], [1, 224, 288, 3])
    original.allocate_tensors()
    x = np.random.default_rng(1).uniform(-1, 1, (1, 224, 288, 3)).astype(np.float32)
    for mine, theirs in zip(_outputs(copy, x), _outputs(original, x), strict=True):
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.data
def test_the_browser_emotion_model_gives_the_servers_probabilities_on_fer_crops(ferplus_dir, tmp_path):
    from ml.data import load_split

    crops = load_split(ferplus_dir / "FER2013Valid").images[:300]
    spec = browser.load_pipeline()
    path = tmp_path / spec["models"]["emotion"]
    path.write_bytes(
        export.fixed_shape_copy(
            inference.DEFAULT_MODEL_PATH, [spec["emotion"]["batch"], spec["crop"]["size"], spec["crop"]["size"], 1]
        )
    )
    copy = load_interpreter(path, 1)
    copy.allocate_tensors()
    assert list(copy.get_input_details()[0]["shape_signature"]) == [2, 48, 48, 1]
    server = inference.EmotionRecognizer()
    expected = server.classify_crops(crops)
    # The browser's way: each face and its mirror image in one call of batch two.
    x = preprocess.normalize(crops)
    logits = np.stack([_outputs(copy, np.stack([face, face[:, ::-1]]))[0].mean(axis=0) for face in x])
    found = softmax(logits, spec["temperature"])
    # Same int8 weights and kernels: any difference is a rounding of the last bit.
    assert np.abs(found - expected).sum(axis=1).max() < 1e-4
    assert (found.argmax(axis=1) == expected.argmax(axis=1)).all()
