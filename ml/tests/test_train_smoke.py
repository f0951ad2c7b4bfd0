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


@pytest.mark.slow
def test_training_smoke_run_writes_a_usable_model(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ML_CACHE_DIR", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    data = tmp_path / "ferplus"
    make_split(data / "FER2013Train", 64, rng)
    make_split(data / "FER2013Valid", 16, rng)
    out = tmp_path / "run"

    assert (
        train.main(["--data", str(data), "--out", str(out), "--epochs", "1", "--batch-size", "16", "--width", "8"]) == 0
    )

    log = (out / "train.log").read_text()
    assert "epoch 1/1" in log and "val_acc=" in log
    assert (out / "emotion.tflite").stat().st_size > 0
    capsys.readouterr()
    assert evaluate.main(["--data", str(data / "FER2013Valid"), "--model", str(out / "emotion.tflite"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 16 and set(result["per_class"]) == set(EMOTIONS)
    assert np.array(result["confusion_matrix"]).sum() == 16
