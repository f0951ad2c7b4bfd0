"""The TFLite (LiteRT) interpreter, from ai-edge-litert or, failing that, full TensorFlow."""

from __future__ import annotations

from pathlib import Path


def load_interpreter(model_path: str | Path, num_threads: int | None):
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:  # full TensorFlow carries the same interpreter
        from tensorflow.lite import Interpreter
    return Interpreter(model_path=str(model_path), num_threads=num_threads)
