"""Image bytes -> faces with emotion probabilities.

    recognizer = get_recognizer("ml/models/emotion.tflite")
    analysis = recognizer.analyze(jpeg_bytes)          # ImageAnalysis
    burst = recognizer.analyze_burst([frame1, ...], max_frames=8)    # BurstAnalysis

Limits (bytes, pixels, frames) are the caller's: the app passes its settings in.

Faces are found with OpenCV's Haar cascade (the strongest detector that ships
inside opencv-python 4.x without a run-time download) on a CLAHE-equalised
grayscale copy, so dim selfies still show their faces. Each face is aligned on
its eyes when both are found, cropped like the FER+ training crops, and all
faces are classified in one batch, averaged with their mirror images. The
TFLite model is loaded once per process, lazily, so nothing heavy starts
before a Celery worker forks.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ml.imageio import (  # noqa: F401  (re-exported: callers catch these from ml.inference)
    ImageError,
    ImageTooLargeError,
    NotAnImageError,
    UnsupportedImageError,
    decode_image,
    encode_jpeg,
    sanitize_image,
    upright_size,
)
from ml.labels import EMOTIONS
from ml.preprocess import INPUT_SIZE, normalize, to_gray_crop

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "models" / "emotion.tflite"
# Faces are searched on a copy whose shorter side is at most DETECTION_SIDE, from
# DETECTION_MIN_FRACTION of that side up, in steps of DETECTION_SCALE_STEP: the
# settings that keep the search near 15 ms on one core (a selfie's face is large).
DETECTION_SIDE = 288
DETECTION_MIN_FRACTION = 0.15
DETECTION_SCALE_STEP = 1.2
MIN_FACE_FRACTION = 0.08  # of the shorter side: smaller faces are too small to use in a burst
EYE_SEARCH_WIDTH = 96  # face crops are shrunk to this width before looking for eyes
BLUR_THRESHOLD = 25.0  # variance of the Laplacian on the 48x48 crop; below = too blurry for a burst
# Haar boxes on upscaled FER+ crops measure 0.96 of the crop (median of 466,
# centred), so a 2% margin per side frames a selfie face like the training data.
CROP_MARGIN = 0.02


@dataclass(frozen=True)
class FaceEmotion:
    box: tuple[int, int, int, int]  # x, y, w, h in the upright image's pixels
    probabilities: dict[str, float]
    top_emotion: str
    confidence: float
    quality: float  # 0..1, from size and sharpness

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]


@dataclass(frozen=True)
class ImageAnalysis:
    width: int
    height: int
    faces: list[FaceEmotion] = field(default_factory=list)

    @property
    def main_face(self) -> FaceEmotion | None:
        """The largest face: in a selfie, the person holding the camera."""
        return max(self.faces, key=lambda f: f.area, default=None)


@dataclass(frozen=True)
class BurstAnalysis:
    frames: list[ImageAnalysis]
    distribution: dict[str, float] | None  # None when no frame had a usable face
    top_emotion: str | None
    confidence: float
    used_frames: int
    best_frame: int = 0  # the frame where "you" (its main face) was seen best

    @property
    def main_face(self) -> FaceEmotion | None:
        """ "You": the main face of the best frame."""
        return self.frames[self.best_frame].main_face if self.frames else None


def _cascade(name: str) -> cv2.CascadeClassifier:
    classifier = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / name))
    if classifier.empty():
        raise RuntimeError(f"OpenCV's {name} is missing: install opencv-python-headless 4.x")
    return classifier


def _load_interpreter(model_path: Path, num_threads: int | None):
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:  # full TensorFlow carries the same interpreter
        from tensorflow.lite import Interpreter
    return Interpreter(model_path=str(model_path), num_threads=num_threads)


class EmotionRecognizer:
    def __init__(self, model_path: str | Path = DEFAULT_MODEL_PATH, *, num_threads: int | None = 1, tta: bool = True):
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise FileNotFoundError(f"emotion model not found at {self.model_path}")
        self.tta = tta
        if num_threads:
            # OpenCV's own pool would otherwise take every core in each worker process.
            cv2.setNumThreads(num_threads)
        self._interpreter = _load_interpreter(self.model_path, num_threads)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._batch = 0
        self._lock = threading.Lock()  # a TFLite interpreter is not thread-safe
        # alt2: as accurate as the default cascade on frontal faces, and faster.
        self._faces = _cascade("haarcascade_frontalface_alt2.xml")
        self._eyes = _cascade("haarcascade_eye.xml")
        self._clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))

    # -- classification ---------------------------------------------------
    def classify_crops(self, crops: np.ndarray) -> np.ndarray:
        """uint8 (N, 48, 48) face crops -> (N, 8) probabilities, one batched call."""
        if len(crops) == 0:
            return np.zeros((0, len(EMOTIONS)), np.float32)
        x = normalize(crops)
        if self.tta:
            x = np.concatenate([x, x[:, :, ::-1, :]])
        with self._lock:
            if self._batch != len(x):
                self._interpreter.resize_tensor_input(self._input, [len(x), INPUT_SIZE, INPUT_SIZE, 1])
                self._interpreter.allocate_tensors()
                self._batch = len(x)
            self._interpreter.set_tensor(self._input, np.ascontiguousarray(x))
            self._interpreter.invoke()
            logits = self._interpreter.get_tensor(self._output).copy()
        if self.tta:
            logits = (logits[: len(crops)] + logits[len(crops) :]) / 2
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return probs / probs.sum(axis=1, keepdims=True)

    # -- detection and alignment -----------------------------------------
    def detect_faces(self, gray: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Face boxes (x, y, w, h) in `gray`'s pixels, largest first."""
        height, width = gray.shape
        scale = min(1.0, DETECTION_SIDE / min(height, width))
        small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
        small = self._clahe.apply(small)
        min_side = max(24, int(min(small.shape) * DETECTION_MIN_FRACTION))
        boxes = self._faces.detectMultiScale(
            small, scaleFactor=DETECTION_SCALE_STEP, minNeighbors=5, minSize=(min_side, min_side)
        )
        result = [tuple(int(round(v / scale)) for v in box) for box in (boxes if len(boxes) else [])]
        return sorted(result, key=lambda b: b[2] * b[3], reverse=True)

    def _eye_angle(self, face: np.ndarray) -> float:
        """Roll angle in degrees from the two eyes, or 0 when they are not both found."""
        if face.shape[1] > EYE_SEARCH_WIDTH:  # eyes need no more pixels than this; the search cost grows with area
            face = cv2.resize(face, (EYE_SEARCH_WIDTH, EYE_SEARCH_WIDTH * face.shape[0] // face.shape[1]),
                              interpolation=cv2.INTER_AREA)  # fmt: skip
        h, w = face.shape
        upper = face[: h // 2]
        eyes = self._eyes.detectMultiScale(upper, scaleFactor=1.1, minNeighbors=6, minSize=(w // 8, w // 8))
        if len(eyes) < 2:
            return 0.0
        eyes = sorted(eyes, key=lambda e: e[2] * e[3], reverse=True)[:2]
        (x1, y1, w1, h1), (x2, y2, w2, h2) = sorted(eyes, key=lambda e: e[0])
        c1 = (x1 + w1 / 2, y1 + h1 / 2)
        c2 = (x2 + w2 / 2, y2 + h2 / 2)
        if c2[0] - c1[0] < w * 0.2:  # both boxes on one eye
            return 0.0
        angle = math.degrees(math.atan2(c2[1] - c1[1], c2[0] - c1[0]))
        return angle if abs(angle) <= 30 else 0.0

    def crop_face(self, gray: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
        """An aligned 48x48 crop framed like the FER+ training images."""
        x, y, w, h = box
        margin = int(round(w * CROP_MARGIN))
        side = w + 2 * margin
        cx, cy = x + w / 2, y + h / 2
        # Cut a generous patch first so rotation has pixels to pull in at the corners.
        pad = side
        patch = cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_REFLECT_101)
        px, py = cx + pad, cy + pad
        angle = self._eye_angle(gray[max(0, y) : y + h, max(0, x) : x + w])
        matrix = cv2.getRotationMatrix2D((px, py), angle, INPUT_SIZE / side)
        matrix[0, 2] += INPUT_SIZE / 2 - px
        matrix[1, 2] += INPUT_SIZE / 2 - py
        return cv2.warpAffine(patch, matrix, (INPUT_SIZE, INPUT_SIZE), flags=cv2.INTER_AREA)

    # -- whole images -------------------------------------------------------
    def analyze(self, image: bytes | np.ndarray) -> ImageAnalysis:
        """Every face in one image (bytes are decoded safely; arrays are RGB or gray uint8)."""
        if isinstance(image, bytes | bytearray | memoryview):
            width, height = upright_size(bytes(image))
            rgb = decode_image(bytes(image), min_side=DETECTION_SIDE)
        else:
            rgb = image
            height, width = rgb.shape[:2]
        gray = to_gray_crop(rgb, size=0) if rgb.ndim == 3 else rgb
        boxes = self.detect_faces(gray)
        if not boxes:
            return ImageAnalysis(width, height, [])
        crops = np.stack([self.crop_face(gray, box) for box in boxes])
        probs = self.classify_crops(crops)
        # Boxes are reported in the full-size upright image's pixels, even when
        # the JPEG was decoded at a reduced scale.
        scale = width / gray.shape[1]
        short_side = min(gray.shape)
        faces = []
        for box, crop, p in zip(boxes, crops, probs, strict=True):
            full_box = tuple(int(round(v * scale)) for v in box)
            faces.append(_face(full_box, p, _quality(crop, box[2] / short_side)))
        return ImageAnalysis(width, height, faces)

    def analyze_burst(self, frames: list[bytes | np.ndarray], *, max_frames: int) -> BurstAnalysis:
        """One mood from a webcam burst: the main face of each usable frame, weighted by quality x confidence.

        Frames whose main face is tiny or blurry are dropped; when none is
        left, the result says so (distribution None) instead of guessing.
        """
        if not frames:
            raise NotAnImageError("The burst holds no frames.")
        if len(frames) > max_frames:
            raise ImageTooLargeError(f"A burst may hold at most {max_frames} frames, not {len(frames)}.")
        analyses = [self.analyze(frame) for frame in frames]
        mains = [analysis.main_face for analysis in analyses]
        best = max(range(len(mains)), key=lambda i: mains[i].quality if mains[i] else -1.0)
        distribution, used = aggregate_faces(mains)
        if distribution is None:
            return BurstAnalysis(analyses, None, None, 0.0, 0, best)
        top = max(distribution, key=distribution.get)
        return BurstAnalysis(analyses, distribution, top, distribution[top], used, best)


def aggregate_faces(faces: list[FaceEmotion | None]) -> tuple[dict[str, float] | None, int]:
    """Mix per-frame faces into one distribution, weighted by quality x confidence.

    Missing faces and faces of zero quality (tiny or blurry) are dropped.
    Returns (distribution or None, number of faces used).
    """
    usable = [face for face in faces if face is not None and face.quality > 0]
    if not usable:
        return None, 0
    weights = np.array([face.quality * face.confidence for face in usable])
    stacked = np.array([[face.probabilities[name] for name in EMOTIONS] for face in usable])
    mix = np.average(stacked, axis=0, weights=weights)
    mix = mix / mix.sum()
    return {name: float(v) for name, v in zip(EMOTIONS, mix, strict=True)}, len(usable)


def _quality(crop: np.ndarray, relative_size: float) -> float:
    """0 for faces too small or blurry to trust, up to 1 for large sharp ones."""
    sharpness = float(cv2.Laplacian(crop, cv2.CV_64F).var())
    if relative_size < MIN_FACE_FRACTION or sharpness < BLUR_THRESHOLD:
        return 0.0
    size_score = min(1.0, relative_size / 0.3)
    sharp_score = min(1.0, sharpness / (4 * BLUR_THRESHOLD))
    return round(0.5 * size_score + 0.5 * sharp_score, 4)


def _face(box, probs: np.ndarray, quality: float) -> FaceEmotion:
    top = int(probs.argmax())
    return FaceEmotion(
        box=tuple(int(v) for v in box),
        probabilities={name: float(v) for name, v in zip(EMOTIONS, probs, strict=True)},
        top_emotion=EMOTIONS[top],
        confidence=float(probs[top]),
        quality=quality,
    )


_recognizers: dict[tuple[str, int | None], EmotionRecognizer] = {}
_recognizers_lock = threading.Lock()


def get_recognizer(model_path: str | Path = DEFAULT_MODEL_PATH, num_threads: int | None = 1) -> EmotionRecognizer:
    """The process-wide recognizer for `model_path`, created on first use."""
    key = (str(Path(model_path).resolve()), num_threads)
    with _recognizers_lock:
        if key not in _recognizers:
            _recognizers[key] = EmotionRecognizer(model_path, num_threads=num_threads)
        return _recognizers[key]
