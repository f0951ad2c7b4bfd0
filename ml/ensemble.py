"""Several trained networks shipped as one TFLite model that averages their logits.

    python -m ml.ensemble --member runs/a/best.weights.h5 --member previous.tflite --out ml/models/emotion.tflite

A member is a Keras weights file written by ml.train (built with --width) or
an exported TFLite model of the same residual family, read back into Keras
(its batch normalisation is already folded into the convolutions, so it is
rebuilt as plain biased convolutions; the rebuilt network is checked against
the TFLite file's own outputs). A TFLite file that is itself an ensemble gives
back each of its networks, so members can be added to a shipped model. One
file keeps the app unchanged: one interpreter call per batch, mirror averaging
and calibration as for a single network. The cost per face grows with the
number of members; --int8 (weights and activations quantised, calibrated on
FER2013Train crops) divides it by about three for a few tenths of a point.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def _rebuild(path: str | Path):
    """Rebuild a TFLite model of the ml.model family as Keras: (inputs, the whole model, [each network's logits]).

    Convolutions, residual adds, mean and dense layers make one network; an ensemble file adds
    the average of the networks' logits (adds over logits, then a multiplication by 1/n). The
    activations are not stored where the interpreter exposes them, so they follow the family's
    structure: a convolution whose only consumer is a residual add has none, every other
    convolution and every residual add is followed by ReLU.
    """
    import keras

    from ml.runtime import load_interpreter

    interpreter = load_interpreter(path, 1)
    interpreter.allocate_tensors()
    source = interpreter.get_input_details()[0]
    inputs = keras.Input(tuple(source["shape"][1:]), name="face")
    graph = _KerasGraph(interpreter, path, {source["index"]: inputs})
    for op in graph.ops:
        graph.add(op)
    model = keras.Model(inputs, graph.values[interpreter.get_output_details()[0]["index"]])
    for layer, values in graph.weights:
        layer.set_weights(values)
    _check_reproduces(interpreter, source, model, path)
    return inputs, model, graph.networks


class _KerasGraph:
    """The Keras tensors of a TFLite model's operators, built one operator at a time in file order."""

    def __init__(self, interpreter, path: str | Path, values: dict):
        self.interpreter, self.path, self.values = interpreter, path, values
        self.details = {t["index"]: t for t in interpreter.get_tensor_details()}
        self.ops = [op for op in interpreter._get_ops_details() if op["op_name"] != "DELEGATE"]
        consumers: dict[int, set[str]] = {}
        for op in self.ops:
            for i in op["inputs"]:
                consumers.setdefault(int(i), set()).add(op["op_name"])
        # The residual branch and the projection shortcut end in an add and nothing else.
        self.add_only = {i for i, names in consumers.items() if names == {"ADD"}}
        self.weights, self.networks, self.combined = [], [], set()

    def add(self, op: dict) -> None:
        from keras import layers

        name, (out,) = op["op_name"], op["outputs"]
        values, combined = self.values, self.combined
        if name == "CONV_2D":
            self._convolution(op, out)
        elif name == "ADD" and all(i in combined for i in op["inputs"]):
            values[out] = layers.Add()([values[i] for i in op["inputs"]])  # summing networks' logits
            combined.add(out)
        elif name == "ADD":
            values[out] = layers.ReLU()(layers.Add()([values[i] for i in op["inputs"]]))
        elif name == "MUL" and any(i in combined for i in op["inputs"]):
            x_index, scale_index = sorted(op["inputs"], key=lambda i: i not in combined)
            scale = float(self.interpreter.get_tensor(scale_index).reshape(-1)[0])
            values[out] = layers.Rescaling(scale)(values[x_index])
            combined.add(out)
        elif name == "MEAN":
            values[out] = layers.GlobalAveragePooling2D()(values[op["inputs"][0]])
        elif name == "FULLY_CONNECTED":
            self._dense(op, out)
        else:
            raise ValueError(f"{self.path}: operator {name} is not part of the ml.model family")

    def _convolution(self, op: dict, out: int) -> None:
        from keras import layers

        x_index, kernel_index, bias_index = op["inputs"]
        kernel = self.interpreter.get_tensor(kernel_index)  # (out, kh, kw, in)
        stride = int(self.details[x_index]["shape"][1] // self.details[out]["shape"][1])
        layer = layers.Conv2D(
            kernel.shape[0],
            kernel.shape[1:3],
            strides=stride,
            padding="same",
            activation=None if out in self.add_only else "relu",
        )
        self.values[out] = layer(self.values[x_index])
        self.weights.append((layer, [kernel.transpose(1, 2, 3, 0), self.interpreter.get_tensor(bias_index)]))

    def _dense(self, op: dict, out: int) -> None:
        """A network's last layer: its output is that network's logits."""
        from keras import layers

        x_index, kernel_index, bias_index = op["inputs"]
        kernel = self.interpreter.get_tensor(kernel_index)  # (out, in)
        layer = layers.Dense(kernel.shape[0])
        self.values[out] = layer(self.values[x_index])
        self.weights.append((layer, [kernel.T, self.interpreter.get_tensor(bias_index)]))
        self.networks.append(self.values[out])
        self.combined.add(out)


def _check_reproduces(interpreter, source: dict, model, path: str | Path) -> None:
    """Raise ValueError unless the Keras model gives the TFLite model's outputs on a random batch."""
    probe = np.random.default_rng(0).normal(size=(4, *source["shape"][1:])).astype(np.float32)
    interpreter.resize_tensor_input(source["index"], list(probe.shape))
    interpreter.allocate_tensors()
    interpreter.set_tensor(source["index"], probe)
    interpreter.invoke()
    expected = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    if not np.allclose(model.predict(probe, verbose=0), expected, atol=1e-3):
        raise ValueError(f"{path}: the rebuilt Keras network does not reproduce the TFLite model")


def keras_from_tflite(path: str | Path):
    """The TFLite model (one network or an ensemble) rebuilt as one Keras model with the same output.

    Raises ValueError when the file is not of the ml.model family or is not reproduced.
    """
    return _rebuild(path)[1]


def networks_from_tflite(path: str | Path) -> list:
    """Each network of a TFLite model of the family as its own Keras model (one for a single network)."""
    import keras

    inputs, _, networks = _rebuild(path)
    return [keras.Model(inputs, logits) for logits in networks]


def load_members(spec: str, width: int = 32) -> list:
    """The networks of a member: each of a .tflite file's, or ml.train weights (`FILE` or `FILE:WIDTH`)."""
    from ml.model import build_model

    if spec.endswith(".tflite"):
        return networks_from_tflite(spec)
    path, _, member_width = spec.partition(":")
    model = build_model(width=int(member_width or width))
    model.load_weights(path)
    return [model]


def build_ensemble(members: list):
    """One Keras model whose logits are the mean of the members' logits."""
    import keras
    from keras import layers

    inputs = keras.Input(members[0].input_shape[1:] if hasattr(members[0], "input_shape") else (48, 48, 1))
    # Each under its own name: two networks built by ml.model.build_model share one.
    outputs = [keras.Model(m.inputs, m.outputs[0], name=f"network_{i + 1}")(inputs) for i, m in enumerate(members)]
    mean = outputs[0] if len(outputs) == 1 else layers.Average(name="logits")(outputs)
    return keras.Model(inputs, mean, name="emotion_ensemble")


def main(argv: list[str] | None = None) -> int:
    from ml.export import export_tflite

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--member", action="append", required=True, help="weights.h5[:WIDTH] or model.tflite")
    parser.add_argument("--out", required=True)
    parser.add_argument("--int8", action="store_true", help="quantise weights and activations to int8")
    parser.add_argument("--data", help="FER+ folder (FER2013Train/ gives --int8 its calibration crops)")
    args = parser.parse_args(argv)
    if args.int8 and not args.data:
        parser.error("--int8 needs --data for its calibration crops")
    model = build_ensemble([network for spec in args.member for network in load_members(spec)])
    representative = None
    if args.int8:
        from ml.data import load_split

        representative = load_split(Path(args.data) / "FER2013Train").images
    print(export_tflite(model, args.out, representative=representative, quantize=args.int8))
    return 0


if __name__ == "__main__":
    sys.exit(main())
