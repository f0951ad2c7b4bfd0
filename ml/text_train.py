"""Train the text emotion model (Keras) on GoEmotions (Ekman grouping) and export it for ml.text.

    python -m ml.text_train --data ../shared/data/text/goemotions-ekman --out ml/models/text

Recipe (ml/MODEL_CARD.md, "Text model (words)"): a held-out slice of train.tsv (--holdout,
seeded) is set aside; on the rest it trains (1) a linear softmax over a TF-IDF bag of word
uni-/bi-grams and character n-grams (negation-marked tokens, ml.text_data) and (2) --cnns
small word CNNs, all on soft targets (a text's label mass split over its labels), each
stopped early on the held-out loss. On the held-out slice only it then chooses the bag's
weight in the ensemble and the class bias -beta x log(prior) (best macro-F1 above an accuracy floor),
and fits the temperature (ml.calibration). dev.tsv is never looked at.
A smoke run for CI: --max-rows 300 --epochs 1.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import math
import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from ml.calibration import expected_calibration_error, fit_temperature, multilabel_truth, softmax
from ml.text import TextModel, TextReader, combine
from ml.text_data import (
    NUM_TEXT_CLASSES,
    FeatureSettings,
    TextFeatures,
    label_matrix,
    parse_tsv,
    soft_targets,
    tokenize,
)
from ml.text_evaluate import scores

log = logging.getLogger("text_train")
MAX_TOKENS = 48  # 99.9% of the training texts have fewer tokens
KERNELS = (1, 2, 3)
ACCURACY_FLOOR = 0.685  # held-out; the maintainers' test bar is 0.66


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="folder with train.tsv")
    p.add_argument("--out", required=True, help="folder for text.npz, vocab.json, text.json, train.log")
    p.add_argument("--max-rows", type=int, default=0, help="use only the first N training rows (smoke runs)")
    p.add_argument("--epochs", type=int, default=12, help="most epochs per member (early stopping ends sooner)")
    p.add_argument("--holdout", type=float, default=0.1, help="share of train.tsv held out for selection")
    p.add_argument("--cnns", type=int, default=3, help="word CNNs in the ensemble (seeds)")
    p.add_argument("--embedding", type=int, default=64)
    p.add_argument("--filters", type=int, default=128)
    p.add_argument("--l2", type=float, default=1e-5, help="L2 on the bag's weights")
    p.add_argument("--max-features", type=int, default=150_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--version", default="text-" + datetime.date.today().isoformat())
    return p.parse_args(argv)


def padded_bag(features: TextFeatures, texts: list[str]):
    """(ids, weights) padded to the longest text (id 0 with weight 0 adds nothing)."""
    indptr, ids, weights, _, _ = features.transform(texts)
    width = max(1, int(np.diff(indptr).max(initial=1)))
    out_ids = np.zeros((len(texts), width), np.int32)
    out_w = np.zeros((len(texts), width), np.float32)
    for row in range(len(texts)):
        a, b = indptr[row], indptr[row + 1]
        out_ids[row, : b - a], out_w[row, : b - a] = ids[a:b], weights[a:b]
    return {"ids": out_ids, "weights": out_w}


def build_bag(num_features: int, l2: float):
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="text")
    class WeightedBag(keras.layers.Layer):
        """sum_i weight_i x table[id_i] + bias: a linear layer over a sparse TF-IDF vector."""

        def build(self, input_shape):
            reg = keras.regularizers.l2(l2) if l2 else None
            self.table = self.add_weight(shape=(num_features, NUM_TEXT_CLASSES), initializer="zeros", regularizer=reg)
            self.bias = self.add_weight(shape=(NUM_TEXT_CLASSES,), initializer="zeros")

        def call(self, inputs):
            ids, weights = inputs
            return ops.einsum("bld,bl->bd", ops.take(self.table, ids, axis=0), weights) + self.bias

    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    weights = keras.Input(shape=(None,), name="weights")
    model = keras.Model([ids, weights], WeightedBag(name="bag")([ids, weights]))
    model.compile(keras.optimizers.Adam(1e-2), keras.losses.CategoricalCrossentropy(from_logits=True))
    return model


def build_cnn(vocab_size: int, embedding: int, filters: int):
    import keras

    ids = keras.Input(shape=(MAX_TOKENS,), dtype="int32")
    x = keras.layers.Embedding(vocab_size, embedding, name="embedding")(ids)
    x = keras.layers.SpatialDropout1D(0.2)(x)
    pooled = [
        keras.layers.GlobalMaxPooling1D()(
            keras.layers.Conv1D(filters, k, padding="same", activation="relu", name=f"conv{k}")(x)
        )
        for k in KERNELS
    ]
    x = keras.layers.Dropout(0.4)(keras.layers.Concatenate()(pooled))
    model = keras.Model(ids, keras.layers.Dense(NUM_TEXT_CLASSES, name="dense")(x))
    model.compile(keras.optimizers.Adam(1e-3), keras.losses.CategoricalCrossentropy(from_logits=True))
    return model


def fit_member(model, x, y, hold_x, hold_y, epochs: int, batch_size: int, name: str, patience: int = 1):
    import keras

    class Progress(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            log.info("%s epoch %d/%d loss=%.4f val_loss=%.4f", name, epoch + 1, epochs, logs["loss"], logs["val_loss"])

    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    history = model.fit(x, y, validation_data=(hold_x, hold_y), epochs=epochs, batch_size=batch_size,
                        shuffle=True, verbose=0, callbacks=[stop, Progress()])  # fmt: skip
    best = int(np.argmin(history.history["val_loss"])) + 1
    log.info("%s: best epoch %d (val_loss %.4f)", name, best, min(history.history["val_loss"]))
    return best


def token_vocabulary(texts: list[str], min_count: int = 2) -> list[str]:
    counts = Counter(t for text in texts for t in tokenize(text))
    return [t for t, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if c >= min_count]


def choose_ensemble(members: list[np.ndarray], labels: np.ndarray, prior: np.ndarray) -> dict:
    """The bag weight and beta (bias = -beta log prior) for the best held-out macro-F1 at accuracy >= ACCURACY_FLOOR.

    Macro-F1 is the bar with the least room (rare fear and disgust); accuracy falls as
    beta favours rare classes, hence the floor (macro-F1 + accuracy where none reaches it).
    """
    best = None
    for bag_weight in np.linspace(0.0, 1.0, 11) if len(members) > 1 else [1.0]:
        for beta in np.linspace(0.0, 1.0, 11):
            ensemble = {"bag_weight": float(bag_weight), "beta": float(beta), "bias": (-beta * np.log(prior)).tolist()}
            s = scores(softmax(combine(members, ensemble)), labels)
            key = (
                s["accuracy"] >= ACCURACY_FLOOR,
                s["macro_f1"] if s["accuracy"] >= ACCURACY_FLOOR else s["macro_f1"] + s["accuracy"],
            )
            if best is None or key > best[0]:
                best = (key, ensemble, s)
    log.info("ensemble: bag_weight=%.1f beta=%.1f held-out %s", best[1]["bag_weight"], best[1]["beta"], best[2])
    return best[1]


def export(out: Path, features: TextFeatures, tokens: list[str], bag, cnns, meta: dict) -> None:
    arrays = {"idf": features.idf}
    table, bias = bag.get_layer("bag").get_weights()
    arrays["bag_table"], arrays["bag_bias"] = table.astype(np.float16), bias
    for i, cnn in enumerate(cnns):
        arrays[f"cnn{i}/embedding"] = cnn.get_layer("embedding").get_weights()[0].astype(np.float16)
        for k in KERNELS:
            kernel, b = cnn.get_layer(f"conv{k}").get_weights()
            arrays[f"cnn{i}/conv{k}_kernel"], arrays[f"cnn{i}/conv{k}_bias"] = kernel.astype(np.float16), b
        kernel, b = cnn.get_layer("dense").get_weights()
        arrays[f"cnn{i}/dense_kernel"], arrays[f"cnn{i}/dense_bias"] = kernel, b
    np.savez_compressed(out / "text.npz", **arrays)
    ngrams = sorted(features.vocabulary, key=features.vocabulary.get)
    vocab = {"ngrams": ngrams, "words": sorted(features.words), "tokens": tokens}
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, separators=(",", ":")))
    (out / "text.json").write_text(json.dumps(meta, indent=2) + "\n")


def setup(out: Path, threads: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    # Handlers on our own logger (not the root's, which pytest and other callers configure).
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter("%(asctime)s %(message)s")
    for handler in (logging.FileHandler(out / "train.log", mode="w"), logging.StreamHandler()):
        handler.setFormatter(formatter)
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def split(rows, holdout: float, seed: int):
    order = np.random.default_rng(seed).permutation(len(rows))
    n_hold = max(1, int(round(len(rows) * holdout)))
    return [rows[i] for i in order[n_hold:]], [rows[i] for i in order[:n_hold]]


def train_members(args, fit, hold):
    """Train the bag and the CNNs; returns (features, tokens, bag, cnns, best epochs)."""
    import keras

    fit_texts, hold_texts = [r.text for r in fit], [r.text for r in hold]
    y_fit, y_hold = soft_targets(fit), soft_targets(hold)
    settings = FeatureSettings()
    features = TextFeatures.fit(fit_texts, settings, max_features=args.max_features)
    log.info("features: %d n-grams, %d known words", len(features.vocabulary), len(features.words))
    keras.utils.set_random_seed(args.seed)
    bag = build_bag(max(1, len(features.vocabulary)), args.l2)
    epochs = {"bag": fit_member(bag, padded_bag(features, fit_texts), y_fit, padded_bag(features, hold_texts),
                                y_hold, args.epochs, 128, "bag", patience=2)}  # fmt: skip
    tokens = token_vocabulary(fit_texts)
    probe = TokenIds(tokens)
    x_fit, x_hold = probe(fit_texts), probe(hold_texts)
    cnns = []
    for i in range(args.cnns):
        keras.utils.set_random_seed(args.seed + 1 + i)
        cnn = build_cnn(len(tokens) + 2, args.embedding, args.filters)
        epochs[f"cnn{i}"] = fit_member(cnn, x_fit, y_fit, x_hold, y_hold, args.epochs, 64, f"cnn{i}")
        cnns.append(cnn)
    return features, tokens, bag, cnns, epochs


class TokenIds:
    """Token ids for the CNNs exactly as ml.text.TextModel.token_ids makes them."""

    def __init__(self, tokens: list[str]):
        self.tokens = {t: i + 2 for i, t in enumerate(tokens)}
        self.max_tokens = MAX_TOKENS

    def __call__(self, texts):
        return TextModel.token_ids(self, texts)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    setup(out, args.threads)
    rows = parse_tsv(Path(args.data) / "train.tsv")
    if args.max_rows:
        rows = rows[: args.max_rows]
    fit, hold = split(rows, args.holdout, args.seed)
    log.info("train.tsv: %d rows, %d to fit, %d held out (seed %d)", len(rows), len(fit), len(hold), args.seed)
    features, tokens, bag, cnns, epochs = train_members(args, fit, hold)
    hold_texts, y_hold = [r.text for r in hold], label_matrix(hold)
    prior = np.maximum(soft_targets(fit).mean(axis=0), 1e-6)
    members = [bag.predict(padded_bag(features, hold_texts), verbose=0)]
    members += [c.predict(TokenIds(tokens)(hold_texts), verbose=0) for c in cnns]
    for name, m in zip(["bag", *(f"cnn{i}" for i in range(len(cnns)))], members, strict=True):
        log.info("held-out %s alone: %s", name, scores(softmax(m), y_hold))
    ensemble = choose_ensemble(members, y_hold, prior)
    logits = combine(members, ensemble)
    temperature = fit_temperature(logits, multilabel_truth(logits, y_hold))
    meta = {
        "version": args.version,
        "temperature": round(temperature, 4),
        "ensemble": ensemble,
        "prior": prior.round(5).tolist(),
        "tokenizer": {
            "features": FeatureSettings().as_dict(),
            "max_tokens": MAX_TOKENS,
            "negation": "NOT_ to punctuation",
        },
        "cnn": {"kernels": list(KERNELS), "embedding": args.embedding, "filters": args.filters},
        "training": {
            "rows": len(rows),
            "fit": len(fit),
            "held_out": len(hold),
            "seed": args.seed,
            "best_epochs": epochs,
            "l2": args.l2,
        },  # fmt: skip
    }
    export(out, features, tokens, bag, cnns, meta)
    check(out, meta, hold_texts, logits, y_hold, temperature)
    return 0


def check(out: Path, meta: dict, texts: list[str], keras_logits: np.ndarray, labels: np.ndarray, temperature: float):
    """The exported NumPy model must give Keras' logits; records held-out figures in the metadata."""
    reader = TextReader(out)
    numpy_logits, _, _ = reader.model.logits(texts)
    diff = float(np.abs(numpy_logits - keras_logits).max()) if len(texts) else 0.0
    agree = float((numpy_logits.argmax(1) == keras_logits.argmax(1)).mean()) if len(texts) else 1.0
    log.info("export check: max |numpy - keras| logit %.5f, top-1 agreement %.4f", diff, agree)
    if not (agree >= 0.995 and math.isfinite(diff)):
        raise RuntimeError(f"exported model disagrees with Keras: top-1 agreement {agree:.4f}")
    probs, _ = reader.probabilities(texts)
    raw = softmax(keras_logits)
    meta["held_out"] = {
        **scores(probs, labels),
        "ece_before_temperature": round(expected_calibration_error(raw, multilabel_truth(raw, labels)), 4),
        "ece_after_temperature_undamped": scores(softmax(keras_logits, temperature), labels)["ece"],
        "export_max_logit_diff": round(diff, 5),
    }
    log.info("held-out (shipped, calibrated and damped): %s", meta["held_out"])
    (out / "text.json").write_text(json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
