"""The text emotion model on GoEmotions dev.tsv beside a TF-IDF + logistic-regression baseline.

    python benchmarks/text.py --json [--data DIR] [--model DIR]

Prints one JSON object. `ours` and `baseline` hold dev.tsv's accuracy (top-1 is one of a
text's labels), macro_f1 (over the seven labelled classes), ece (15 bins) and per_class_f1;
the baseline is scikit-learn's TfidfVectorizer (word uni- and bi-grams, sublinear tf) with
LogisticRegression, trained here on train.tsv (a text with several labels counts once per
label, weighted 1/labels) with no class bias: the usual reference for this data set.
Latency is one text per call on one core (the process is pinned to CPU 0, BLAS and
LiteRT/TF threads set to 1): read_ms_p50/p95 is ml.text's TextReader.read (validation,
tokenising, the ensemble, calibration), baseline_ms_p50/p95 the baseline's
transform + predict_proba on the same texts, timed in alternation so both see the same
machine load; read_ratio = ours / baseline at the median. model_bytes: the shipped model files (all but train.log).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data" / "text" / "goemotions-ekman"


def baseline(train_rows, dev_texts):
    """TF-IDF + logistic regression: (fitted vectorizer, model, dev probabilities in TEXT_EMOTIONS order)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, classes, weights = [], [], []
    for row in train_rows:
        for label in row.labels:
            texts.append(row.text)
            classes.append(label)
            weights.append(1 / len(row.labels))
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    model = LogisticRegression(C=2.0, max_iter=1000)
    model.fit(vectorizer.fit_transform(texts), classes, sample_weight=np.array(weights))
    probs = np.zeros((len(dev_texts), 7))
    probs[:, model.classes_] = model.predict_proba(vectorizer.transform(dev_texts))
    return vectorizer, model, probs


def latency(reader, vectorizer, model, texts, repeats: int) -> dict:
    import numpy as np

    ours, theirs = [], []
    for text in texts[:20]:  # warm-up
        reader.read(text)
        model.predict_proba(vectorizer.transform([text]))
    for i in range(repeats):
        text = texts[i % len(texts)]
        start = time.perf_counter()
        reader.read(text)
        middle = time.perf_counter()
        model.predict_proba(vectorizer.transform([text]))
        ours.append((middle - start) * 1000)
        theirs.append((time.perf_counter() - middle) * 1000)

    def pct(samples, q):
        return round(float(np.percentile(samples, q)), 3)

    return {
        "read_ms_p50": pct(ours, 50),
        "read_ms_p95": pct(ours, 95),
        "baseline_ms_p50": pct(theirs, 50),
        "baseline_ms_p95": pct(theirs, 95),
        "read_ratio": round(float(np.median(ours) / np.median(theirs)), 3),
        "latency_texts": repeats,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default prints it too)")
    parser.add_argument("--data", default=str(DATA), help="folder with train.tsv and dev.tsv")
    parser.add_argument("--model", help="the text model folder (default: the shipped ml/models/text)")
    parser.add_argument("--repeats", type=int, default=2000)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"  # before NumPy (imported below, not at the top) starts its thread pool
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})

    from ml.text import get_text_reader
    from ml.text_data import label_matrix, parse_tsv
    from ml.text_evaluate import confusion, scores

    data = Path(args.data)
    train_rows, dev_rows = parse_tsv(data / "train.tsv"), parse_tsv(data / "dev.tsv")
    dev_texts, labels = [r.text for r in dev_rows], label_matrix(dev_rows)
    reader = get_text_reader(args.model)
    probs, _ = reader.probabilities(dev_texts)
    started = time.perf_counter()
    vectorizer, model, baseline_probs = baseline(train_rows, dev_texts)
    result = {
        "data": "GoEmotions (Ekman) dev.tsv",
        "version": reader.version,
        "ours": scores(probs, labels),
        "baseline": scores(baseline_probs, labels),
        "baseline_train_s": round(time.perf_counter() - started, 1),
        "confusion": confusion(probs, labels).tolist(),
        **latency(reader, vectorizer, model, [t for t in dev_texts if t.strip()], args.repeats),
        "model_bytes": sum(p.stat().st_size for p in reader.model_dir.iterdir() if p.name != "train.log"),
        "threads": 1,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
