"""Train the emotion CNN on FER+.

    python -m ml.train --data ../shared/data/ferplus --out runs/emotion

Soft targets from the crowd-vote distributions (the FER+ paper's best mode),
mild inverse-frequency weighting for the rare classes, seeded augmentation,
AdamW with warm-up and cosine decay, and checkpoint selection on the
validation split's majority-protocol accuracy. The run directory holds:

    train.log         one progress line per epoch (committed with the shipped model)
    backup/           full training state after every epoch; a re-run resumes from it
    best.weights.h5   the weights with the best validation accuracy so far
    emotion.tflite    the exported inference model
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _log(path: Path, line: str) -> None:
    stamped = f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}"
    print(stamped, flush=True)
    with open(path, "a") as handle:
        handle.write(stamped + "\n")


def class_weights(targets: np.ndarray, power: float = 0.5, cap: float = 5.0) -> np.ndarray:
    """Per-class weights (freq ** -power, mean 1 over samples, capped).

    A square-root inverse frequency lifts contempt and disgust without
    trading away much overall accuracy.
    """
    counts = np.bincount(targets.argmax(axis=1), minlength=targets.shape[1]).astype(np.float64)
    weights = np.where(counts > 0, (counts.max() / np.maximum(counts, 1)) ** power, 1.0)
    weights = np.minimum(weights, cap)
    per_sample = weights[targets.argmax(axis=1)]
    return (weights / per_sample.mean()).astype(np.float32)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="FER+ folder holding FER2013Train/ and FER2013Valid/")
    parser.add_argument("--out", required=True, help="run directory (created; re-running resumes)")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument(
        "--augment", choices=["robust", "mild"], default="robust", help="ml.augment's full set, or its mild one"
    )
    parser.add_argument("--init", help="start from these weights (a warm restart of a finished run)")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N training images (smoke runs)")
    parser.add_argument("--no-cache", action="store_true", help="do not cache decoded splits as .npz")
    return parser


def _splits(args: argparse.Namespace):
    """The training split (its first --limit images, if given) and the validation split's majority subset."""
    from ml.data import load_split

    data = Path(args.data)
    train = load_split(data / "FER2013Train", use_cache=not args.no_cache)
    valid = load_split(data / "FER2013Valid", use_cache=not args.no_cache).majority_subset()
    if args.limit:
        train.images, train.targets = train.images[: args.limit], train.targets[: args.limit]
    if len(train) == 0 or len(valid) == 0:
        raise SystemExit("no usable training or validation images found")
    return train, valid


def _batches(args: argparse.Namespace, train, weights: np.ndarray):
    """The training split as a Keras dataset: augmented, weighted batches in a fresh order every epoch."""
    import keras

    from ml.augment import augment_batch
    from ml.preprocess import normalize

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.epoch = 0
            self._order()

        def _order(self):
            self.rng = np.random.default_rng(args.seed + self.epoch)
            self.order = self.rng.permutation(len(train))

        def __len__(self):
            return math.ceil(len(train) / args.batch_size)

        def __getitem__(self, index):
            idx = self.order[index * args.batch_size : (index + 1) * args.batch_size]
            # One generator per (epoch, batch): the run is reproducible whatever the worker order.
            rng = np.random.default_rng((args.seed, self.epoch, index))
            x = normalize(augment_batch(train.images[idx], rng, mild=args.augment == "mild"))
            y = train.targets[idx]
            return x, y, weights[y.argmax(axis=1)]

        def on_epoch_end(self):
            self.epoch += 1
            self._order()

    return Batches()


def _compiled_model(args: argparse.Namespace, steps_per_epoch: int):
    """The network (from --init's weights, if given) compiled with AdamW on a warm-up + cosine schedule."""
    import keras

    from ml.model import build_model

    steps = steps_per_epoch * args.epochs
    # One warm-up epoch (at most a tenth of the run) before the cosine decay.
    warmup = min(steps_per_epoch, max(1, steps // 10))
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=max(1, steps - warmup), warmup_target=args.lr, warmup_steps=warmup
    )
    model = build_model(width=args.width)
    if args.init:
        model.load_weights(args.init)
    model.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=args.weight_decay),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
    )
    return model


def _best_keeper(out: Path, log_path: Path, valid, epochs: int):
    """A callback that scores every epoch on the validation split, keeps the best weights and logs progress."""
    import keras

    from ml.preprocess import normalize

    valid_x = normalize(valid.images)
    valid_x_flip = valid_x[:, :, ::-1, :]

    class Select(keras.callbacks.Callback):
        """Majority-protocol validation accuracy (with the app's flip averaging) and best-checkpoint keeping."""

        def __init__(self):
            super().__init__()
            state = out / "best.json"
            self.best = json.loads(state.read_text())["accuracy"] if state.exists() else -1.0
            self.started = time.time()

        def on_epoch_end(self, epoch, logs=None):
            logits = self.model.predict(valid_x, batch_size=256, verbose=0)
            logits += self.model.predict(valid_x_flip, batch_size=256, verbose=0)
            accuracy = float((logits.argmax(axis=1) == valid.majority).mean())
            improved = accuracy > self.best
            if improved:
                self.best = accuracy
                self.model.save_weights(out / "best.weights.h5")
                (out / "best.json").write_text(json.dumps({"epoch": epoch + 1, "accuracy": accuracy}))
            lr = float(self.model.optimizer.learning_rate)
            _log(
                log_path,
                f"epoch {epoch + 1}/{epochs} loss={logs['loss']:.4f} val_acc={accuracy:.4f} "
                f"best={self.best:.4f}{' *' if improved else ''} lr={lr:.2e} "
                f"elapsed={(time.time() - self.started) / 60:.1f}min",
            )

    return Select()


def _export(model, out: Path, log_path: Path) -> None:
    """The best weights exported as TFLite, where TensorFlow is installed."""
    from ml.export import export_tflite

    model.load_weights(out / "best.weights.h5")
    best = json.loads((out / "best.json").read_text())
    try:
        import tensorflow  # noqa: F401  (the TFLite converter)
    except ImportError:
        # Another Keras backend (JAX or PyTorch, e.g. on a GPU machine): the weights are
        # backend-neutral, so export them where TensorFlow is installed.
        _log(log_path, f"done: best val_acc={best}; no TensorFlow here: run ml.export on {out / 'best.weights.h5'}")
        return
    export_tflite(model, out / "emotion.tflite")
    _log(log_path, f"done: best val_acc={best} exported {out / 'emotion.tflite'}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    import keras

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log_path = out / "train.log"
    random.seed(args.seed)
    np.random.seed(args.seed)
    keras.utils.set_random_seed(args.seed)

    train, valid = _splits(args)
    weights = class_weights(train.targets)
    _log(
        log_path,
        f"start {json.dumps(vars(args))} train={len(train)} valid_majority={len(valid)} "
        f"backend={keras.backend.backend()} cpus={os.cpu_count()}",
    )
    _log(log_path, "class weights " + " ".join(f"{w:.2f}" for w in weights))

    batches = _batches(args, train, weights)
    model = _compiled_model(args, len(batches))
    model.fit(
        batches,
        epochs=args.epochs,
        verbose=2 if sys.stdout.isatty() else 0,
        callbacks=[
            keras.callbacks.BackupAndRestore(str(out / "backup")),
            _best_keeper(out, log_path, valid, args.epochs),
        ],
    )
    _export(model, out, log_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
