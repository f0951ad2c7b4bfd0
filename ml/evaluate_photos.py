"""The whole app path (image bytes -> faces -> emotions) over labelled real photos.

    python -m ml.evaluate_photos --labels ml/photos.labels.json --json [--brightness 0.25]

The labels file is a JSON object mapping image paths (relative to the labels
file) to {"faces": N, "emotion": "<FER+ name>"}; "emotion", optional, is the
expression of the largest face ("you"). Other keys are ignored here (the
shared photos' file also marks face centres, "centres", for the tests and the
detector comparison in benchmarks/detectors.py). Each photo is read as bytes and given
to `EmotionRecognizer.analyze`, exactly as an upload reaches the app.

With --json, stdout carries one JSON object:

    images          photos evaluated
    faces_expected  sum of the labelled face counts
    faces_found     sum over photos of min(found, expected)
    images_exact    photos where found == expected
    extra_faces     sum over photos of max(0, found - expected)
    main_right      photos with an "emotion" label whose largest face shows it
    main_total      photos with an "emotion" label
    ms_p50          median time of analyze() per photo (one thread)
    rows            one object per photo

--brightness scales every pixel (0.25 = a quarter of the light) and
re-encodes the photo as a JPEG before the app sees it, to check dim photos.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

import numpy as np

from ml.labels import EMOTIONS


class LabelsError(ValueError):
    pass


def load_labels(path: str | Path) -> list[tuple[Path, int, str | None]]:
    """[(image path, expected faces, expected main emotion or None)], validated."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise LabelsError(f"{path}: cannot read the labels ({exc})") from exc
    if not isinstance(raw, dict) or not raw:
        raise LabelsError(f"{path}: expected a non-empty JSON object of image path -> label")
    items = []
    for name, label in raw.items():
        if not isinstance(label, dict) or not isinstance(label.get("faces"), int) or label["faces"] < 0:
            raise LabelsError(f"{path}: {name}: expected {{'faces': N}} with N >= 0")
        emotion = label.get("emotion")
        if emotion is not None and emotion not in EMOTIONS:
            raise LabelsError(f"{path}: {name}: emotion must be one of {', '.join(EMOTIONS)}")
        image = (path.parent / name).resolve()
        if not image.is_file():
            raise LabelsError(f"{path}: {name}: no such image ({image})")
        items.append((image, label["faces"], emotion))
    return items


def dim(data: bytes, brightness: float) -> bytes:
    """The photo with every pixel scaled by `brightness`, as a JPEG."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        rgb = np.asarray(ImageOps.exif_transpose(image).convert("RGB"), dtype=np.float32)
    out = io.BytesIO()
    Image.fromarray(np.clip(rgb * brightness, 0, 255).round().astype(np.uint8)).save(out, "JPEG", quality=95)
    return out.getvalue()


def evaluate_photos(labels_path: str | Path, model_path: str | Path | None = None, brightness: float = 1.0) -> dict:
    from ml.inference import DEFAULT_MODEL_PATH, EmotionRecognizer

    items = load_labels(labels_path)
    recognizer = EmotionRecognizer(model_path or DEFAULT_MODEL_PATH, num_threads=1)
    rows, times = [], []
    for image, expected, emotion in items:
        data = image.read_bytes()
        if brightness != 1.0:
            data = dim(data, brightness)
        recognizer.analyze(data)  # warm-up: interpreter tensors are sized on first use
        start = time.perf_counter()
        analysis = recognizer.analyze(data)
        times.append((time.perf_counter() - start) * 1000)
        main = analysis.main_face
        rows.append(
            {
                "image": str(image),
                "faces_expected": expected,
                "faces_found": len(analysis.faces),
                "emotion_expected": emotion,
                "main_emotion": main.top_emotion if main else None,
                "main_confidence": round(main.confidence, 4) if main else None,
                "boxes": [list(face.box) for face in analysis.faces],
                "ms": round(times[-1], 2),
            }
        )
    labelled = [row for row in rows if row["emotion_expected"]]
    return {
        "images": len(rows),
        "faces_expected": sum(row["faces_expected"] for row in rows),
        "faces_found": sum(min(row["faces_found"], row["faces_expected"]) for row in rows),
        "images_exact": sum(row["faces_found"] == row["faces_expected"] for row in rows),
        "extra_faces": sum(max(0, row["faces_found"] - row["faces_expected"]) for row in rows),
        "main_right": sum(row["main_emotion"] == row["emotion_expected"] for row in labelled),
        "main_total": len(labelled),
        "ms_p50": round(float(np.median(times)), 2) if times else None,
        "brightness": brightness,
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", required=True, help="JSON: image path (relative to this file) -> label")
    parser.add_argument("--model", default=None, help="TFLite model (default: the shipped one)")
    parser.add_argument("--brightness", type=float, default=1.0, help="scale every pixel first (0.25: dim)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not 0 < args.brightness <= 4:
        parser.error("--brightness must be in (0, 4]")
    try:
        result = evaluate_photos(args.labels, args.model, args.brightness)
    except LabelsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        for row in result["rows"]:
            print(
                f"{Path(row['image']).name}: {row['faces_found']}/{row['faces_expected']} faces, "
                f"main {row['main_emotion']} (expected {row['emotion_expected']}), {row['ms']} ms"
            )
        print(
            f"faces {result['faces_found']}/{result['faces_expected']}, exact {result['images_exact']}/"
            f"{result['images']}, extra {result['extra_faces']}, main emotion {result['main_right']}/"
            f"{result['main_total']}, {result['ms_p50']} ms median"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
