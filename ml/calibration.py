"""Honest confidence: temperature scaling fitted on FER2013Valid, and the expected calibration error.

    python -m ml.calibrate --data ../shared/data/ferplus/FER2013Valid [--model PATH]

(the command lives in ml.calibrate, so this module imports nothing of the rest of ml) fits one temperature T for the model (its mirror-averaged logits are divided
by T before the softmax) by minimising the negative log-likelihood of the
majority labels, and writes it next to the model as `<model>.json`, which
`EmotionRecognizer` reads. A network trained on the crowd's vote
distributions predicts how the crowd splits, which is flatter than how often
its top answer is right: its T comes out below 1.

This module needs only NumPy, so the app can read NOT_SURE_BELOW without
loading a model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ECE_BINS = 15
# The result page says "not sure" below this calibrated confidence: such an
# answer is more likely wrong than right.
NOT_SURE_BELOW = 0.5


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def expected_calibration_error(probs: np.ndarray, truth: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE over top-1 confidence in `bins` equal-width bins: sum over bins of |accuracy - confidence| x share."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == truth
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            total += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(total)


def reliability(probs: np.ndarray, truth: np.ndarray, bins: int = ECE_BINS) -> list[dict]:
    """Per-bin faces, mean confidence and accuracy (the reliability diagram's numbers)."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == truth
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        members = which == b
        if members.any():
            rows.append(
                {
                    "from": round(b / bins, 4),
                    "to": round((b + 1) / bins, 4),
                    "faces": int(members.sum()),
                    "confidence": round(float(confidence[members].mean()), 4),
                    "accuracy": round(float(correct[members].mean()), 4),
                }
            )
    return rows


def nll(logits: np.ndarray, truth: np.ndarray, temperature: float) -> float:
    probs = softmax(logits, temperature)
    return float(-np.mean(np.log(np.maximum(probs[np.arange(len(truth)), truth], 1e-12))))


def fit_temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood (a grid in log space, then a finer one)."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 241))
    best = min(grid, key=lambda t: nll(logits, truth, t))
    fine = best * np.exp(np.linspace(-0.03, 0.03, 61))
    return float(min(fine, key=lambda t: nll(logits, truth, t)))


def sidecar_path(model_path: str | Path) -> Path:
    return Path(model_path).with_suffix(".json")


def load_temperature(model_path: str | Path) -> float:
    """The model's fitted temperature, or 1.0 (uncalibrated) when it has none."""
    path = sidecar_path(model_path)
    if not path.is_file():
        return 1.0
    temperature = float(json.loads(path.read_text())["temperature"])
    if not 0.01 <= temperature <= 100:
        raise ValueError(f"{path}: implausible temperature {temperature}")
    return temperature


def multilabel_truth(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """One truth index per row for rows that may carry several labels ((N, C) 0/1 `labels`).

    The top-1 class where it is among the labels, else the row's first label, so that
    `argmax == truth` means "top-1 is one of the labels" and the functions above
    (ECE, NLL, fit_temperature) apply unchanged.
    """
    top = probs.argmax(axis=1)
    hit = labels[np.arange(len(labels)), top] > 0
    return np.where(hit, top, labels.argmax(axis=1))
