"""Calibration: the expected calibration error, temperature fitting, and the shipped model's temperature."""

import json

import numpy as np
import pytest

from ml import calibration
from ml.inference import DEFAULT_MODEL_PATH, EmotionRecognizer


def synthetic(n=20000, temperature=0.5, seed=0):
    """Logits whose calibrated probabilities are softmax(logits / temperature), with labels drawn from them."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 1.2, (n, 8))
    probs = calibration.softmax(logits, temperature)
    truth = np.array([rng.choice(8, p=p) for p in probs])
    return logits, truth


def test_ece_is_zero_for_honest_confidence_and_large_for_overconfidence():
    logits, truth = synthetic(temperature=1.0)
    honest = calibration.softmax(logits)
    assert calibration.expected_calibration_error(honest, truth) < 0.02
    overconfident = calibration.softmax(logits, 0.3)
    assert calibration.expected_calibration_error(overconfident, truth) > 0.1


def test_ece_by_hand():
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    truth = np.array([0, 1, 0, 0])
    # Bin of 0.9: accuracy 0.5 (gap 0.4); bin of 0.6: accuracy 1.0 (gap 0.4); each half the faces.
    assert calibration.expected_calibration_error(probs, truth) == pytest.approx(0.4)


def test_the_fitted_temperature_recovers_the_true_one():
    logits, truth = synthetic(temperature=0.5)
    assert calibration.fit_temperature(logits, truth) == pytest.approx(0.5, rel=0.08)


def test_a_model_without_a_temperature_file_is_uncalibrated(tmp_path):
    assert calibration.load_temperature(tmp_path / "model.tflite") == 1.0
    (tmp_path / "model.json").write_text(json.dumps({"temperature": 0.0}))
    with pytest.raises(ValueError, match="implausible"):
        calibration.load_temperature(tmp_path / "model.tflite")


def test_the_shipped_model_applies_its_temperature():
    recognizer = EmotionRecognizer(DEFAULT_MODEL_PATH)
    stored = json.loads(calibration.sidecar_path(DEFAULT_MODEL_PATH).read_text())
    assert recognizer.temperature == stored["temperature"] < 1  # a soft-label network is under-confident
    crops = np.random.default_rng(0).integers(0, 255, (3, 48, 48), dtype=np.uint8)
    expected = calibration.softmax(recognizer.logits(crops), stored["temperature"])
    assert np.allclose(recognizer.classify_crops(crops), expected, atol=1e-5)
