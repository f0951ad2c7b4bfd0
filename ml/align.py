"""Face crops framed like FER+'s, from BlazeFace's keypoints.

The FER+ crops were framed by another detector, so their framing was measured
against ours: BlazeFace run on 3,000 FER2013Train crops (upscaled 4x, edges
extended) found 2,939 faces, and in the 48x48 crop's pixels the medians were

    eye midpoint (23.8, 18.9), eye distance 17.2, eye-midpoint-to-mouth 18.7,
    box 40.9 wide at (3.3, 6.9): the crop is the box widened 1.174x and
    centred 0.08 box widths above it.

A crop is a similarity transform that levels the eyes and puts the eye
midpoint and the face's size where the median FER+ face has them. The size
averages the box width with the larger of the two keypoint distances (the eye
distance shrinks when a head turns, the eye-to-mouth distance when it nods).

Checked by re-cropping FER2013Valid: each crop upscaled 4x inside extended
edges, found by the detector (3,130 of 3,191), cropped again here and
classified by the previous model: 86.5% right, against 86.9% for the same
upscaled images cut at their true framing and 87.3% for the original crops of
those faces. Box size alone scored 86.5%, the median of the three sizes 86.3%,
the box centre in place of the eyes 86.3%, no levelling 86.4%.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ml.detector import LEFT_EYE, MOUTH, RIGHT_EYE, Detection
from ml.preprocess import INPUT_SIZE

# Medians measured on FER2013Train (see the module docstring), in 48x48 crop pixels.
FER_BOX_WIDTH = 40.9
FER_BOX_CENTRE = (23.75, 27.35)
FER_EYE_DISTANCE = 17.2
FER_EYE_TO_MOUTH = 18.65
FER_EYE_MIDPOINT = (23.8, 18.9)
MAX_ROLL = 60.0  # degrees; beyond this the keypoints are more likely wrong than the head that tilted
# A face shrunk below SHRINK_BELOW of its size is area-averaged first, over SHRINK_REACH crop sides
# around its centre (plus 2 pixels).
SHRINK_BELOW = 0.5
SHRINK_REACH = 0.75


def alignment_matrix(detection: Detection, size: int = INPUT_SIZE) -> np.ndarray:
    """The 2x3 similarity transform from image pixels to the size x size crop's pixels."""
    cx, cy, side, roll = face_geometry(detection)
    matrix = cv2.getRotationMatrix2D((cx, cy), roll, size / side)
    matrix[:, 2] += (size / 2 - cx, size / 2 - cy)
    return matrix


def crop_face(gray: np.ndarray, detection: Detection, size: int = INPUT_SIZE) -> np.ndarray:
    """The size x size grayscale crop of a face, eyes level, framed like FER+.

    Pixels beyond the photo's edge (a face cut by the frame) are mirrored in,
    which the network has seen in training (augmentation borders reflect too).
    """
    matrix = alignment_matrix(detection, size)
    scale = float(np.hypot(*matrix[0, :2]))
    if scale < SHRINK_BELOW:
        # Shrink the neighbourhood first with area averaging: an affine warp
        # alone would alias a large face down to 48 pixels.
        cx, cy, side, _ = face_geometry(detection)
        reach = int(side * SHRINK_REACH) + 2
        x0, y0 = max(0, int(cx) - reach), max(0, int(cy) - reach)
        region = gray[y0 : int(cy) + reach, x0 : int(cx) + reach]
        if region.size:
            factor = 2 * scale
            gray = cv2.resize(region, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
            # image -> region -> shrunk region: undo both before the alignment.
            to_image = np.array([[1 / factor, 0, x0], [0, 1 / factor, y0], [0, 0, 1]])
            matrix = matrix @ to_image
    return cv2.warpAffine(gray, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)


def face_geometry(detection: Detection) -> tuple[float, float, float, float]:
    """(centre x, centre y, crop side, roll in degrees) in image pixels for a FER+-framed crop of a face."""
    points = detection.keypoints
    right, left, mouth = points[RIGHT_EYE], points[LEFT_EYE], points[MOUTH]
    x, y, w, h = detection.box
    roll = math.degrees(math.atan2(left[1] - right[1], left[0] - right[0]))
    if abs(roll) > MAX_ROLL:
        roll = 0.0
    eyes = (right + left) / 2
    # Face size in units of the median FER+ face.
    keypoint_size = max(
        np.linalg.norm(left - right) / FER_EYE_DISTANCE, np.linalg.norm(mouth - eyes) / FER_EYE_TO_MOUTH
    )
    face_size = float(max(w, h) / FER_BOX_WIDTH + keypoint_size) / 2
    side = INPUT_SIZE * face_size
    # The crop centre sits where the median FER+ crop's is relative to the eye midpoint, turned with the head.
    dx = (INPUT_SIZE / 2 - FER_EYE_MIDPOINT[0]) * face_size
    dy = (INPUT_SIZE / 2 - FER_EYE_MIDPOINT[1]) * face_size
    cos, sin = math.cos(math.radians(roll)), math.sin(math.radians(roll))
    cx = eyes[0] + dx * cos - dy * sin
    cy = eyes[1] + dx * sin + dy * cos
    return float(cx), float(cy), float(side), roll
