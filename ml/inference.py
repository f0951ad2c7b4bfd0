"""Image bytes -> faces with emotion probabilities.

    recognizer = get_recognizer("ml/models/emotion.tflite")
    analysis = recognizer.analyze(jpeg_bytes)          # ImageAnalysis
    burst = recognizer.analyze_burst([frame1, ...], max_frames=8)    # BurstAnalysis

Limits (bytes, pixels, frames) are the caller's: the app passes its settings in.

Faces are found by MediaPipe's BlazeFace (ml.detector: its model files ship
inside a pip package) with a face-mesh presence check on uncertain candidates,
so small, dim, tilted and half-hidden faces are found without inventing
faces in textures. Each face is levelled on its eyes and framed like the FER+
training crops from its keypoints (ml.align); all faces are classified in one
batch, averaged with their mirror images, and the probabilities are
calibrated by a temperature fitted on FER2013Valid (ml.calibration). The
models are loaded once per process, lazily, so nothing heavy starts before a
Celery worker forks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ml.align import crop_face
from ml.calibration import load_temperature, softmax
from ml.detector import Detection, FaceDetector
from ml.imageio import (  # noqa: F401  (re-exported: callers catch these from ml.inference)
    Decoded,
    ImageError,
    ImageTooLargeError,
    NotAnImageError,
    UnsupportedImageError,
    decode_image,
    decode_upright,
    encode_jpeg,
    sanitize_image,
    upright_size,
)
from ml.labels import EMOTIONS
from ml.preprocess import INPUT_SIZE, normalize, to_gray_crop
from ml.runtime import load_interpreter

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "models" / "emotion.tflite"
# JPEGs are decoded at a reduced scale (libjpeg's 1/2, 1/4, 1/8) as long as the shorter side
# stays at least DECODE_SIDE: the detector searches at 224 pixels on that side, and a face
# of 7% of it still has 25 pixels for its 48x48 crop.
DECODE_SIDE = 360
MIN_FACE_FRACTION = 0.08  # of the shorter side: smaller faces are too small to use in a burst
BLUR_THRESHOLD = 25.0  # variance of the Laplacian on the 48x48 crop; below = too blurry for a burst
# Quality reaches 1 at a face of QUALITY_FULL_SIZE of the shorter side and a sharpness of
# QUALITY_FULL_SHARPNESS x BLUR_THRESHOLD; size and sharpness count half each.
QUALITY_FULL_SIZE = 0.3
QUALITY_FULL_SHARPNESS = 4


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


def burst_check(count: int, *, max_frames: int) -> None:
    """A burst's frame count, checked before any frame is decoded."""
    if not count:
        raise NotAnImageError("The burst holds no frames.")
    if count > max_frames:
        raise ImageTooLargeError(f"A burst may hold at most {max_frames} frames, not {count}.")


class EmotionRecognizer:
    def __init__(self, model_path: str | Path = DEFAULT_MODEL_PATH, *, num_threads: int | None = 1, tta: bool = True):
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise FileNotFoundError(f"emotion model not found at {self.model_path}")
        self.tta = tta
        self.temperature = load_temperature(self.model_path)
        if num_threads:
            # OpenCV's own pool would otherwise take every core in each worker process.
            cv2.setNumThreads(num_threads)
        self._interpreter = load_interpreter(self.model_path, num_threads)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._batch = 0
        self._lock = threading.Lock()  # a TFLite interpreter is not thread-safe
        self.detector = FaceDetector(num_threads=num_threads)

    # -- classification ---------------------------------------------------
    def logits(self, crops: np.ndarray) -> np.ndarray:
        """uint8 (N, 48, 48) face crops -> (N, 8) raw logits (mirror-averaged), one batched call."""
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
        return logits

    def classify_crops(self, crops: np.ndarray) -> np.ndarray:
        """uint8 (N, 48, 48) face crops -> (N, 8) calibrated probabilities."""
        return softmax(self.logits(crops), self.temperature).astype(np.float32)

    # -- detection and alignment -----------------------------------------
    def detect_faces(self, rgb: np.ndarray) -> list[Detection]:
        """Faces (boxes and keypoints in `rgb`'s pixels), largest first."""
        return self.detector.detect(rgb)

    def crop_face(self, gray: np.ndarray, face: Detection) -> np.ndarray:
        """An aligned 48x48 crop framed like the FER+ training images."""
        return crop_face(gray, face)

    # -- whole images -------------------------------------------------------
    def analyze(self, image: bytes | np.ndarray | Decoded) -> ImageAnalysis:
        """Every face in one image (bytes are decoded safely; arrays are RGB or gray uint8; a Decoded
        image may be smaller than its full size, which the boxes are given in)."""
        if isinstance(image, bytes | bytearray | memoryview):
            image = decode_upright(bytes(image), min_side=DECODE_SIDE)
        if isinstance(image, Decoded):
            rgb, width, height = image.rgb, image.width, image.height
        else:
            rgb = image
            height, width = rgb.shape[:2]
        gray = to_gray_crop(rgb, size=0) if rgb.ndim == 3 else rgb
        detections = self.detect_faces(rgb)
        if not detections:
            return ImageAnalysis(width, height, [])
        crops = np.stack([self.crop_face(gray, face) for face in detections])
        probs = self.classify_crops(crops)
        # Boxes are reported in the full-size upright image's pixels, even when
        # the JPEG was decoded at a reduced scale, and cut to the image when a
        # face runs over its edge.
        scale = width / gray.shape[1]
        short_side = min(gray.shape)
        faces = []
        for face, crop, p in zip(detections, crops, probs, strict=True):
            x, y, w, h = face.box
            x0, y0 = max(0.0, x * scale), max(0.0, y * scale)
            x1, y1 = min(float(width), (x + w) * scale), min(float(height), (y + h) * scale)
            full_box = (round(x0), round(y0), max(1, round(x1 - x0)), max(1, round(y1 - y0)))
            faces.append(_face(full_box, p, _quality(crop, max(w, h) / short_side)))
        return ImageAnalysis(width, height, faces)

    def analyze_burst(self, frames: list[bytes | np.ndarray | Decoded], *, max_frames: int) -> BurstAnalysis:
        """One mood from a webcam burst: the main face of each usable frame, weighted by quality x confidence.

        Frames whose main face is tiny or blurry are dropped; when none is
        left, the result says so (distribution None) instead of guessing.
        """
        burst_check(len(frames), max_frames=max_frames)
        return burst_of([self.analyze(frame) for frame in frames])


def burst_of(analyses: list[ImageAnalysis]) -> BurstAnalysis:
    """A burst's reading from its frames' analyses (made here or on the user's device): "you" in the
    frame where the main face is seen best, the mood its frames' mix (aggregate_faces)."""
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
    size_score = min(1.0, relative_size / QUALITY_FULL_SIZE)
    sharp_score = min(1.0, sharpness / (QUALITY_FULL_SHARPNESS * BLUR_THRESHOLD))
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
