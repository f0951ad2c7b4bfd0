"""Export a trained Keras model to TFLite for the app and the evaluation."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ml.preprocess import normalize

# How many face crops calibrate the int8 activation ranges (the same count for every export).
CALIBRATION_CROPS = 500


def export_tflite(model, path: str | Path, representative: np.ndarray | None = None, quantize: bool = False) -> Path:
    """Write `model` as a TFLite flatbuffer.

    With `quantize`, weights and activations become int8 (calibrated on the
    first CALIBRATION_CROPS of `representative` face crops); the float model
    is the default for one network (ml.ensemble quantises several).
    """
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if quantize:
        if representative is None:
            raise ValueError("int8 quantisation needs representative face crops")
        converter.optimizations = [tf.lite.Optimize.DEFAULT]

        def samples():
            for face in normalize(representative[:CALIBRATION_CROPS]):
                yield [face[None]]

        converter.representative_dataset = samples
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(converter.convert())
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """Export saved weights:  python -m ml.export --weights RUN/best.weights.h5 --out ml/models/emotion.tflite"""
    import argparse

    from ml.model import build_model

    parser = argparse.ArgumentParser(description="Export trained weights to TFLite.")
    parser.add_argument("--weights", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--width", type=int, default=32, help="the --width the weights were trained with")
    args = parser.parse_args(argv)
    model = build_model(width=args.width)
    model.load_weights(args.weights)
    print(export_tflite(model, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
