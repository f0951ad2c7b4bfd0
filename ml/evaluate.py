"""Evaluate the emotion model on a FER+ split under the majority protocol.

    python -m ml.evaluate --data ../shared/data/ferplus/FER2013Valid --json [--plot confusion.png]

The split's crops are already faces, so there is no detection step; every
other step (grayscale 48x48 crop, per-image standardisation, the shipped
TFLite model, mirror averaging, the calibration temperature) is the app's own:
`EmotionRecognizer.logits` and the model's `.json` temperature (ml.calibration).
`ece` is the expected calibration error of the app's (calibrated) confidence,
15 equal-width bins over the top-1 probability; `ece_uncalibrated` the same
for the plain softmax. With --json, stdout carries exactly one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from ml.labels import EMOTIONS


def metrics(truth: np.ndarray, predicted: np.ndarray) -> dict:
    """Accuracy, per-class precision/recall/F1/support and the confusion matrix (rows = truth)."""
    k = len(EMOTIONS)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (truth, predicted), 1)
    per_class = {}
    for i, name in enumerate(EMOTIONS):
        tp = confusion[i, i]
        precision = tp / confusion[:, i].sum() if confusion[:, i].sum() else 0.0
        recall = tp / confusion[i].sum() if confusion[i].sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = {
            "precision": round(float(precision), 4),
            "recall": round(float(recall), 4),
            "f1": round(float(f1), 4),
            "support": int(confusion[i].sum()),
        }
    n = int(confusion.sum())
    return {
        "accuracy": round(float(np.trace(confusion) / n), 4) if n else 0.0,
        "n": n,
        "macro_f1": round(float(np.mean([c["f1"] for c in per_class.values()])), 4),
        "per_class": per_class,
        "labels": list(EMOTIONS),
        "confusion_matrix": confusion.tolist(),
    }


def plot_confusion(result: dict, path: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    confusion = np.array(result["confusion_matrix"], dtype=np.float64)
    rates = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(EMOTIONS)), EMOTIONS, rotation=45, ha="right")
    ax.set_yticks(range(len(EMOTIONS)), EMOTIONS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true (FER+ majority)")
    ax.set_title(f"accuracy {result['accuracy']:.1%} on {result['n']} faces")
    for i in range(len(EMOTIONS)):
        for j in range(len(EMOTIONS)):
            ax.text(
                j, i, int(confusion[i, j]), ha="center", va="center", color="white" if rates[i, j] > 0.5 else "black"
            )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def split_logits(split, model_path: str | Path | None = None, batch_size: int = 256) -> np.ndarray:
    """The model's mirror-averaged logits for every crop of a split (the app's own classification path)."""
    from ml.inference import DEFAULT_MODEL_PATH, EmotionRecognizer

    recognizer = EmotionRecognizer(model_path or DEFAULT_MODEL_PATH, num_threads=None)
    return np.concatenate(
        [recognizer.logits(split.images[i : i + batch_size]) for i in range(0, len(split), batch_size)]
    )


def evaluate(split_folder: str | Path, model_path: str | Path | None = None) -> dict:
    from ml.calibration import expected_calibration_error, load_temperature, reliability, softmax
    from ml.data import load_split
    from ml.inference import DEFAULT_MODEL_PATH

    model_path = Path(model_path or DEFAULT_MODEL_PATH)
    split = load_split(split_folder).majority_subset()
    if len(split) == 0:
        raise SystemExit(f"{split_folder}: no images with a majority label")
    logits = split_logits(split, model_path)
    temperature = load_temperature(model_path)
    probs = softmax(logits, temperature)
    result = metrics(split.majority, probs.argmax(axis=1))
    # The app's confidence is the calibrated one; the raw softmax's error is shown beside it.
    result["ece"] = round(expected_calibration_error(probs, split.majority), 4)
    result["ece_uncalibrated"] = round(expected_calibration_error(softmax(logits), split.majority), 4)
    result["temperature"] = temperature
    result["reliability"] = reliability(probs, split.majority)
    result["model"] = model_path.name
    result["split"] = Path(split_folder).name
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="a FER+ split folder (PNG crops + label.csv)")
    parser.add_argument("--model", default=None, help="TFLite model (default: the shipped ml/models/emotion.tflite)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--plot", help="also write a confusion-matrix PNG here")
    args = parser.parse_args(argv)
    result = evaluate(args.data, args.model)
    if args.plot:
        plot_confusion(result, args.plot)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"accuracy {result['accuracy']:.4f} on {result['n']} faces ({result['split']}), ECE {result['ece']:.4f}")
        for name, c in result["per_class"].items():
            print(f"  {name:<10} P {c['precision']:.3f}  R {c['recall']:.3f}  F1 {c['f1']:.3f}  n={c['support']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
