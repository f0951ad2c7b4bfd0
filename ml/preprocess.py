"""Face-crop preprocessing shared by training, evaluation and the app.

Keeping one function for all three is what makes the evaluation honest: the
withheld test split is classified exactly as a selfie's face crop is.
"""

from __future__ import annotations

import cv2
import numpy as np

INPUT_SIZE = 48
MIN_STD = 8.0  # a flat crop's spread is taken as at least this, so noise is not blown up


def to_gray_crop(image: np.ndarray, size: int = INPUT_SIZE) -> np.ndarray:
    """Any image (gray, RGB or RGBA uint8) -> grayscale, resized to size x size unless size is 0."""
    if image.ndim == 3:
        code = cv2.COLOR_RGBA2GRAY if image.shape[2] == 4 else cv2.COLOR_RGB2GRAY
        image = cv2.cvtColor(image, code)
    if size and image.shape != (size, size):
        interpolation = cv2.INTER_AREA if image.shape[0] > size else cv2.INTER_LINEAR
        image = cv2.resize(image, (size, size), interpolation=interpolation)
    return image


def normalize(faces: np.ndarray) -> np.ndarray:
    """uint8 (N, 48, 48) -> float32 (N, 48, 48, 1), standardised per image.

    Per-image standardisation removes global brightness and contrast, so a dim
    selfie and a bright one reach the network alike.
    """
    x = faces.astype(np.float32).reshape(faces.shape[0], faces.shape[1], faces.shape[2], 1)
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    std = x.std(axis=(1, 2, 3), keepdims=True)
    return (x - mean) / np.maximum(std, MIN_STD)
