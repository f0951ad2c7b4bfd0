"""Fit and store the confidence temperature of a model (the command line of ml.calibration):

    python -m ml.calibrate --data ../shared/data/ferplus/FER2013Valid [--model PATH]

Kept apart from ml.calibration, which ml.inference imports: the fit needs the model and the data,
and ml.calibration must not import them back."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ml.calibration import NOT_SURE_BELOW, expected_calibration_error, fit_temperature, nll, sidecar_path, softmax
from ml.data import load_split
from ml.evaluate import split_logits
from ml.inference import DEFAULT_MODEL_PATH


def calibrate(split_folder: str | Path, model_path: str | Path | None = None) -> dict:
    """Fit and store the temperature for a model; returns what was written."""
    model_path = Path(model_path or DEFAULT_MODEL_PATH)
    split = load_split(split_folder).majority_subset()
    logits = split_logits(split, model_path)
    temperature = fit_temperature(logits, split.majority)
    before, after = softmax(logits), softmax(logits, temperature)
    confident = after.max(axis=1) >= NOT_SURE_BELOW
    correct = after.argmax(axis=1) == split.majority
    result = {
        "temperature": round(temperature, 4),
        "fitted_on": f"{Path(split_folder).name} majority labels, {len(split)} faces",
        "ece_before": round(expected_calibration_error(before, split.majority), 4),
        "ece_after": round(expected_calibration_error(after, split.majority), 4),
        "nll_before": round(nll(logits, split.majority, 1.0), 4),
        "nll_after": round(nll(logits, split.majority, temperature), 4),
        "not_sure_below": NOT_SURE_BELOW,
        "not_sure_share": round(float(1 - confident.mean()), 4),
        "not_sure_accuracy": round(float(correct[~confident].mean()), 4) if (~confident).any() else None,
        "sure_accuracy": round(float(correct[confident].mean()), 4) if confident.any() else None,
    }
    sidecar_path(model_path).write_text(json.dumps(result, indent=2) + "\n")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="the FER+ split to fit on (FER2013Valid)")
    parser.add_argument("--model", default=None, help="TFLite model (default: the shipped one)")
    args = parser.parse_args(argv)
    print(json.dumps(calibrate(args.data, args.model)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
