"""Training-time augmentation on uint8 face crops (numpy + OpenCV, seeded).

Covers what selfies do to a face: mirror images, head tilt, framing (shift and
scale), dim or harsh light (brightness, contrast, gamma) and occlusion (hands,
glasses, hair).
"""

from __future__ import annotations

import cv2
import numpy as np


def augment_batch(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n, h, w = images.shape
    out = np.empty_like(images)
    flips = rng.random(n) < 0.5
    angles = rng.uniform(-15, 15, n)
    scales = rng.uniform(0.88, 1.12, n)
    shifts = rng.uniform(-0.08, 0.08, (n, 2)) * (w, h)
    for i in range(n):
        img = images[i, :, ::-1] if flips[i] else images[i]
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angles[i], scales[i])
        matrix[:, 2] += shifts[i]
        out[i] = cv2.warpAffine(
            np.ascontiguousarray(img), matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101
        )

    x = out.astype(np.float32) / 255.0
    # Photometric: gamma (dim light lifts shadows non-linearly), contrast, brightness.
    gamma = np.exp(rng.uniform(-0.5, 0.5, (n, 1, 1)))
    x = np.power(x, gamma)
    contrast = rng.uniform(0.6, 1.4, (n, 1, 1))
    brightness = rng.uniform(-0.2, 0.2, (n, 1, 1))
    mean = x.mean(axis=(1, 2), keepdims=True)
    x = (x - mean) * contrast + mean + brightness
    x += rng.normal(0, 0.02, x.shape).astype(np.float32) * (rng.random((n, 1, 1)) < 0.3)

    # Random occlusion (cutout) on half the images.
    occlude = rng.random(n) < 0.5
    sizes = rng.integers(h // 6, h // 2, (n, 2))
    corners = rng.integers(0, h, (n, 2))
    fills = rng.random(n)
    for i in np.flatnonzero(occlude):
        y0, x0 = corners[i]
        x[i, y0 : y0 + sizes[i, 0], x0 : x0 + sizes[i, 1]] = fills[i]
    return (np.clip(x, 0, 1) * 255).astype(np.uint8)
