"""The text model's figures on a GoEmotions TSV.

    python -m ml.text_evaluate --data ../shared/data/text/goemotions-ekman/dev.tsv --json [--model DIR]

prints one JSON object: n, accuracy (top-1 is one of the text's labels), macro_f1 (mean
over the seven labelled classes of the F1 of "top-1 is this class" against "this class
is among the labels"), ece (15-bin top-1 ECE, "correct" as for accuracy) and
per_class_f1 (by our emotion names). Without --json, a table with the confusion matrix
(rows: true labels, a text with two labels counted in both rows; columns: top-1).
A file that cannot be read exits with code 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from ml.calibration import expected_calibration_error, multilabel_truth
from ml.text_data import NUM_TEXT_CLASSES, TEXT_EMOTIONS, label_matrix, parse_tsv


def scores(probs: np.ndarray, labels: np.ndarray) -> dict:
    """accuracy, macro_f1, per-class F1 and ECE of (N, 7) probabilities against (N, 7) 0/1 labels."""
    top = probs.argmax(axis=1)
    accuracy = float(labels[np.arange(len(labels)), top].mean()) if len(labels) else 0.0
    per_class = {}
    for c, name in enumerate(TEXT_EMOTIONS):
        predicted, actual = top == c, labels[:, c] > 0
        denominator = predicted.sum() + actual.sum()
        per_class[name] = float(2 * (predicted & actual).sum() / denominator) if denominator else 0.0
    ece = expected_calibration_error(probs, multilabel_truth(probs, labels)) if len(labels) else 0.0
    return {
        "n": len(labels),
        "accuracy": round(accuracy, 4),
        "macro_f1": round(float(np.mean(list(per_class.values()))), 4),
        "ece": round(ece, 4),
        "per_class_f1": {k: round(v, 4) for k, v in per_class.items()},
    }


def confusion(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(7, 7) counts: row = a true label (a text with two labels counts in both rows), column = top-1."""
    matrix = np.zeros((NUM_TEXT_CLASSES, NUM_TEXT_CLASSES), np.int64)
    top = probs.argmax(axis=1)
    for row, predicted in zip(labels, top, strict=True):
        matrix[np.flatnonzero(row), predicted] += 1
    return matrix


def table(result: dict, matrix: np.ndarray) -> str:
    lines = [f"n={result['n']}  accuracy={result['accuracy']:.4f}  macro_f1={result['macro_f1']:.4f}"
             f"  ece={result['ece']:.4f}", "", f"{'':<10}{'F1':>7}"]  # fmt: skip
    lines += [f"{name:<10}{f1:>7.4f}" for name, f1 in result["per_class_f1"].items()]
    lines += [
        "",
        "confusion (rows: true label, columns: top-1)",
        " " * 10 + "".join(f"{n[:8]:>9}" for n in TEXT_EMOTIONS),
    ]
    lines += [f"{name:<10}" + "".join(f"{v:>9}" for v in row) for name, row in zip(TEXT_EMOTIONS, matrix, strict=True)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="a GoEmotions Ekman TSV (text, label ids, comment id)")
    parser.add_argument("--model", default=None, help="the model folder (default: the shipped ml/models/text)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        rows = parse_tsv(args.data)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        print(f"text_evaluate: cannot read {args.data}: {exc}", file=sys.stderr)
        return 2
    if not rows:
        print(f"text_evaluate: {args.data} has no rows", file=sys.stderr)
        return 2
    from ml.text import get_text_reader

    reader = get_text_reader(args.model)
    probs, _ = reader.probabilities([r.text for r in rows])
    labels = label_matrix(rows)
    result = scores(probs, labels)
    print(json.dumps(result) if args.json else table(result, confusion(probs, labels)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
