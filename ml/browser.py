"""The on-device pipeline: what a browser needs to analyse a face exactly as ml.inference does.

    python -m ml.browser --out static/vendor      # bin/setup runs this

writes into static/vendor/ondevice-<model version>/, from the shipped models,
- `pipeline.json`: every number and name the browser's pipeline uses (label
  order, temperature, thresholds, anchor grids, the alignment template, the
  decode rule, quality, the model version), read from ml's own constants so
  there is one source; the committed copy (ml/models/pipeline.json) is what
  the server checks results against, and a test fails when it is stale;
- fixed-shape copies of the three models, because LiteRT.js compiles a model
  for one input shape: the emotion model with a batch of two (a face and its
  mirror image), BlazeFace once for every input size FaceDetector can choose,
  and the face-mesh presence model as shipped.

A copy differs from its source only in the stored tensor shapes (patched in
place in the flatbuffer), so its weights, quantisation and results are the
same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np

from ml import align, detector, imageio, inference, preprocess
from ml.calibration import NOT_SURE_BELOW, load_temperature
from ml.export import fixed_shape_copy
from ml.labels import EMOTIONS

PIPELINE_PATH = Path(__file__).resolve().parent / "models" / "pipeline.json"
# Aspect ratios (width / height) a photo or camera frame may have: from a tall 1:4 strip to a wide 4:1.
ASPECT_RANGE = (0.25, 4.0)
EMOTION_BATCH = 2  # a face and its mirror image in one call (ml.inference's test-time augmentation)


def model_version(model_path: str | Path = inference.DEFAULT_MODEL_PATH) -> str:
    """The emotion model's version: its name and the start of its SHA-256, which a result must quote."""
    digest = hashlib.sha256(Path(model_path).read_bytes()).hexdigest()
    return f"emotion-{digest[:12]}"


def input_sizes() -> list[tuple[int, int]]:
    """Every (height, width) BlazeFace input that ml.detector.input_size gives within ASPECT_RANGE."""
    ratios = np.exp(np.linspace(np.log(ASPECT_RANGE[0]), np.log(ASPECT_RANGE[1]), 4001))
    return sorted({detector.input_size(1000, max(1, round(1000 * ratio))) for ratio in ratios})


def detector_file(height: int, width: int) -> str:
    return f"blazeface-{height}x{width}.tflite"


def _detector() -> dict:
    """ml.detector's numbers: input sizes, anchors, thresholds, suppression and brightening."""
    defaults = detector.FaceDetector.__init__.__kwdefaults__
    return {
        "input_pixels": detector.INPUT_PIXELS,
        "input_align": detector.INPUT_ALIGN,
        "input_sizes": [list(size) for size in input_sizes()],
        "anchor_grids": [list(grid) for grid in detector.ANCHOR_GRIDS],
        "anchor_offset": 0.5,
        "candidate_score": defaults["candidate_score"],
        "sure_score": defaults["sure_score"],
        "presence_score": defaults["presence_score"],
        "min_face": defaults["min_face"],
        "max_checks": detector.FaceDetector.MAX_CHECKS,
        "raw_score_clip": detector.RAW_SCORE_CLIP,
        "nms_iou": detector.NMS_IOU,
        "duplicate_overlap": detector.DUPLICATE_OVERLAP,
        "duplicate_distance": detector.DUPLICATE_DISTANCE,
        "max_weak_roll": detector.MAX_WEAK_ROLL,
        "eye_distance_range": list(detector.EYE_DISTANCE_RANGE),
        "mouth_drop_range": list(detector.MOUTH_DROP_RANGE),
        "brighten": {
            "min_gain": detector.MIN_GAIN,
            "max_gain": detector.MAX_GAIN,
            "grid": detector.BRIGHTEN_GRID,
            "percentile": detector.BRIGHTEN_PERCENTILE,
        },
        "keypoints": ["right_eye", "left_eye", "nose", "mouth", "right_ear", "left_ear"],
    }


def pipeline(model_path: str | Path = inference.DEFAULT_MODEL_PATH) -> dict:
    """The pipeline's definition, from ml's constants (see the module docstring)."""
    return {
        "generated_by": "python -m ml.browser (do not edit: a test compares it with ml/)",
        "model_version": model_version(model_path),
        "labels": list(EMOTIONS),
        "temperature": load_temperature(model_path),
        "not_sure_below": NOT_SURE_BELOW,
        "emotion": {"batch": EMOTION_BATCH, "mirror": True, "min_std": preprocess.MIN_STD},
        "decode": {"min_side": inference.DECODE_SIDE, "jpeg_scales": [1, 2, 4, 8]},
        "detector": _detector(),
        "presence": {"size": detector.FacePresence.SIZE, "roi_scale": detector.FacePresence.ROI_SCALE},
        "crop": {
            "size": preprocess.INPUT_SIZE,
            "fer_box_width": align.FER_BOX_WIDTH,
            "fer_eye_distance": align.FER_EYE_DISTANCE,
            "fer_eye_to_mouth": align.FER_EYE_TO_MOUTH,
            "fer_eye_midpoint": list(align.FER_EYE_MIDPOINT),
            "max_roll": align.MAX_ROLL,
            "shrink_below": align.SHRINK_BELOW,
            "shrink_reach": align.SHRINK_REACH,
        },
        "quality": {
            "min_face_fraction": inference.MIN_FACE_FRACTION,
            "blur_threshold": inference.BLUR_THRESHOLD,
            "full_size": inference.QUALITY_FULL_SIZE,
            "full_sharpness": inference.QUALITY_FULL_SHARPNESS,
        },
        "limits": {"max_bytes": imageio.DEFAULT_MAX_BYTES, "max_pixels": imageio.DEFAULT_MAX_PIXELS},
        "models": {
            "emotion": "emotion-browser.tflite",
            "presence": "face_landmark.tflite",
            "detector": "blazeface-{height}x{width}.tflite",
        },
    }


def pipeline_text(spec: dict) -> str:
    return json.dumps(spec, indent=1) + "\n"


def load_pipeline(path: str | Path = PIPELINE_PATH) -> dict:
    """The committed pipeline definition (what the server checks on-device results against)."""
    return json.loads(Path(path).read_text())


def folder_name(spec: dict) -> str:
    """The on-device files' folder under static/vendor/: versioned, so browsers may cache it for good."""
    return f"ondevice-{spec['model_version']}"


def write(vendor: Path, model_path: Path = inference.DEFAULT_MODEL_PATH) -> list[Path]:
    """Write pipeline.json and the fixed-shape models into vendor/ondevice-<version>/ (left alone when
    already written from these models), and remove other versions' folders."""
    spec = pipeline(model_path)
    out = vendor / folder_name(spec)
    for old in vendor.glob("ondevice-*"):
        if old != out:
            shutil.rmtree(old)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "pipeline.json"
    stamp = pipeline_text(spec)
    if target.exists() and target.read_text() == stamp:
        return []  # already written from these models
    written = [out / spec["models"]["emotion"]]
    written[0].write_bytes(
        fixed_shape_copy(model_path, [EMOTION_BATCH, preprocess.INPUT_SIZE, preprocess.INPUT_SIZE, 1])
    )
    presence = detector.model_dir() / "face_landmark.tflite"
    shutil.copyfile(presence, out / spec["models"]["presence"])
    written.append(out / spec["models"]["presence"])
    blazeface = detector.model_dir() / detector.MODEL_FILE
    for height, width in spec["detector"]["input_sizes"]:
        path = out / detector_file(height, width)
        path.write_bytes(fixed_shape_copy(blazeface, [1, height, width, 3]))
        written.append(path)
    target.write_text(stamp)  # last: a half-finished run is redone next time
    return [*written, target]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the on-device pipeline (JSON and fixed-shape models).")
    parser.add_argument(
        "--out", type=Path, help="the vendor folder to write ondevice-<version>/ into (bin/setup: static/vendor)"
    )
    parser.add_argument("--json", action="store_true", help=f"only rewrite {PIPELINE_PATH.name} in ml/models/")
    args = parser.parse_args(argv)
    if args.json or not args.out:
        PIPELINE_PATH.write_text(pipeline_text(pipeline()))
        print(PIPELINE_PATH)
    if args.out:
        for path in write(args.out):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
