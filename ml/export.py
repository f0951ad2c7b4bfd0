"""Export a trained Keras model to TFLite for the app and the evaluation."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ml.preprocess import normalize
from ml.runtime import load_interpreter

# How many face crops calibrate the int8 activation ranges (the same count for every export).
CALIBRATION_CROPS = 500
_TENSOR_SHAPE, _TENSOR_SHAPE_SIGNATURE = 4, 18  # vtable offsets of Tensor.shape and .shape_signature


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


def fixed_shape_copy(model_path: str | Path, input_shape: list[int]) -> bytes:
    """The model's flatbuffer with every tensor's shape fixed for one input shape (for LiteRT.js).

    The interpreter works the shapes out (resize, allocate); they are then
    written over the stored ones in place (same rank, so same layout), and
    any -1 in a shape signature becomes the fixed size.
    """
    from tensorflow.lite.python import schema_py_generated as schema

    interpreter = load_interpreter(model_path, 1)
    interpreter.resize_tensor_input(interpreter.get_input_details()[0]["index"], input_shape)
    interpreter.allocate_tensors()
    shapes = {d["index"]: [int(v) for v in d["shape"]] for d in interpreter.get_tensor_details()}
    data = bytearray(Path(model_path).read_bytes())
    graph = schema.Model.GetRootAs(data, 0).Subgraphs(0)
    for index in range(graph.TensorsLength()):
        tensor = graph.Tensors(index)
        if index not in shapes:
            continue
        for field in (_TENSOR_SHAPE, _TENSOR_SHAPE_SIGNATURE):
            offset = tensor._tab.Offset(field)
            if not offset:
                continue
            start, length = tensor._tab.Vector(offset), tensor._tab.VectorLen(offset)
            if length != len(shapes[index]):
                raise ValueError(f"tensor {index} changes rank: {length} -> {len(shapes[index])}")
            data[start : start + 4 * length] = np.array(shapes[index], "<i4").tobytes()
    return bytes(data)


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
