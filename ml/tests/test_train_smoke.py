"""A real (tiny) training run on a FER+-shaped dataset the test builds itself."""

import csv
import json

import cv2
import numpy as np
import pytest

from ml import evaluate, train
from ml.labels import EMOTIONS


def make_split(folder, n, rng):
    folder.mkdir(parents=True)
    with open(folder / "label.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        for i in range(n):
            label = i % len(EMOTIONS)
            # A class-dependent pattern, so the tiny net has something to learn.
            image = rng.integers(0, 60, (48, 48)).astype(np.uint8)
            image[label * 6 : label * 6 + 6, :] = 230
            name = f"fer{i:07d}.png"
            cv2.imwrite(str(folder / name), image)
            votes = [0] * 10
            votes[label] = 8
            votes[(label + 1) % len(EMOTIONS)] = 2
            writer.writerow([name, "(0, 0, 48, 48)", *votes])


def tiny_run(tmp_path, monkeypatch, rng, n_train, n_valid):
    """Build a tiny FER+-shaped dataset and train one epoch on it; returns (data folder, run folder)."""
    monkeypatch.setenv("ML_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "ferplus"
    make_split(data / "FER2013Train", n_train, rng)
    make_split(data / "FER2013Valid", n_valid, rng)
    out = tmp_path / "run"
    assert (
        train.main(["--data", str(data), "--out", str(out), "--epochs", "1", "--batch-size", "16", "--width", "8"]) == 0
    )
    return data, out


@pytest.mark.slow
def test_training_smoke_run_writes_a_usable_model(tmp_path, monkeypatch, capsys):
    data, out = tiny_run(tmp_path, monkeypatch, np.random.default_rng(0), 64, 16)

    log = (out / "train.log").read_text()
    assert "epoch 1/1" in log and "val_acc=" in log
    assert (out / "emotion.tflite").stat().st_size > 0
    capsys.readouterr()
    assert evaluate.main(["--data", str(data / "FER2013Valid"), "--model", str(out / "emotion.tflite"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 16 and set(result["per_class"]) == set(EMOTIONS)
    assert np.array(result["confusion_matrix"]).sum() == 16


@pytest.mark.slow
def test_an_ensemble_of_a_tflite_model_and_saved_weights_averages_their_logits(tmp_path, monkeypatch):
    from ml import ensemble
    from ml.inference import EmotionRecognizer

    rng = np.random.default_rng(1)
    data, out = tiny_run(tmp_path, monkeypatch, rng, 32, 8)

    # The exported file read back into Keras, next to the weights it came from: the same network twice.
    assert (
        ensemble.main(
            [
                "--member",
                str(out / "emotion.tflite"),
                "--member",
                f"{out / 'best.weights.h5'}:8",
                "--out",
                str(tmp_path / "ensemble.tflite"),
            ]
        )  # fmt: skip
        == 0
    )
    crops = rng.integers(0, 255, (5, 48, 48), dtype=np.uint8)
    single = EmotionRecognizer(out / "emotion.tflite").logits(crops)
    both = EmotionRecognizer(tmp_path / "ensemble.tflite").logits(crops)
    assert np.allclose(single, both, atol=1e-3)

    # An ensemble file gives back each of its networks, so a member can join a shipped model.
    networks = ensemble.networks_from_tflite(tmp_path / "ensemble.tflite")
    assert len(networks) == 2
    x = rng.normal(size=(3, 48, 48, 1)).astype(np.float32)
    assert np.allclose(networks[0].predict(x, verbose=0), networks[1].predict(x, verbose=0), atol=1e-3)

    # Two members from ml.train weights: two networks built by build_model, under one name each.
    twice = [f"{out / 'best.weights.h5'}:8", f"{out / 'best.weights.h5'}:8"]
    weights_pair = ["--member", twice[0], "--member", twice[1], "--out", str(tmp_path / "pair.tflite")]
    assert ensemble.main(weights_pair) == 0
    assert np.allclose(EmotionRecognizer(tmp_path / "pair.tflite").logits(crops), single, atol=1e-3)

    # Quantised to int8: the same answers, within quantisation error.
    args = ["--member", str(tmp_path / "ensemble.tflite"), "--member", str(out / "emotion.tflite"), "--int8"]
    assert ensemble.main([*args, "--data", str(data), "--out", str(tmp_path / "int8.tflite")]) == 0
    quantised = EmotionRecognizer(tmp_path / "int8.tflite").logits(crops)
    assert np.abs(quantised - single).max() < 0.1 * np.abs(single).max() + 0.05
    assert (tmp_path / "int8.tflite").stat().st_size < 0.6 * (tmp_path / "ensemble.tflite").stat().st_size


def test_a_tflite_model_outside_the_family_is_refused():
    from ml import ensemble
    from ml.detector import model_dir

    with pytest.raises(ValueError, match="not part of the ml.model family"):
        ensemble.keras_from_tflite(model_dir() / "face_detection_short_range.tflite")
