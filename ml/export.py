"""Export a trained Keras model to TFLite for the app and the evaluation."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ml.preprocess import normalize


def export_tflite(model, path: str | Path, representative: np.ndarray | None = None, quantize: bool = False) -> Path:
    """Write `model` as a TFLite flatbuffer.

    With `quantize`, weights and activations become int8 (calibrated on
    `representative` face crops); the float model is the default because it
    is already fast enough and keeps every last point of accuracy.
    """
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if quantize:
        if representative is None:
            raise ValueError("int8 quantisation needs representative face crops")
        converter.optimizations = [tf.lite.Optimize.DEFAULT]

        def samples():
            for face in normalize(representative):
                yield [face[None]]

        converter.representative_dataset = samples
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(converter.convert())
    tmp.replace(path)
    return path
