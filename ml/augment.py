"""Training-time augmentation on uint8 face crops (numpy + OpenCV, seeded).

Covers what selfies and other cameras do to a face, so that crops from
sources other than FER-2013 look familiar to the network:

- framing: a detector frames a face a little differently from the FER+ crops
  (scale, shift, aspect ratio) and heads tilt (rotation);
- optics and compression: defocus or motion blur, low resolution upscaled,
  JPEG artefacts;
- light: brightness, contrast, gamma and side light (a gradient across the face);
- occlusion: hands, glasses, hair (a random block);
- mirror images.

`mild=True` keeps only the gentler framing, light and occlusion changes of the
first shipped network (no aspect jitter, blur, low resolution, JPEG or side
light): its networks score about a point higher on FER+ itself, the robust ones
hold up better elsewhere, and the shipped ensemble mixes both.
"""

from __future__ import annotations

import cv2
import numpy as np

ROTATION_DEGREES = 18
SCALE_RANGE = (0.85, 1.2)  # > 1 zooms in (a tighter crop), < 1 shows more around the face
ASPECT_JITTER = 0.1  # log-ratio of horizontal to vertical scale
SHIFT_FRACTION = 0.1
# The same, mild (the first shipped network's augmentation).
MILD_ROTATION_DEGREES, MILD_SCALE_RANGE, MILD_SHIFT_FRACTION = 15, (0.88, 1.12), 0.08
BLUR_P, LOW_RES_P, JPEG_P, SIDE_LIGHT_P, OCCLUDE_P = 0.2, 0.15, 0.25, 0.3, 0.5


def _geometry(images: np.ndarray, rng: np.random.Generator, mild: bool) -> np.ndarray:
    n, h, w = images.shape
    out = np.empty_like(images)
    rotation, scale_range, aspect, shift = (
        (MILD_ROTATION_DEGREES, MILD_SCALE_RANGE, 0.0, MILD_SHIFT_FRACTION)
        if mild
        else (ROTATION_DEGREES, SCALE_RANGE, ASPECT_JITTER, SHIFT_FRACTION)
    )
    flips = rng.random(n) < 0.5
    angles = np.radians(rng.uniform(-rotation, rotation, n))
    scales = np.exp(rng.uniform(*np.log(scale_range), n))
    aspects = np.exp(rng.uniform(-aspect, aspect, n))
    shifts = rng.uniform(-shift, shift, (n, 2)) * (w, h)
    centre = np.array([w / 2, h / 2])
    for i in range(n):
        img = images[i, :, ::-1] if flips[i] else images[i]
        cos, sin = np.cos(angles[i]), np.sin(angles[i])
        linear = np.array([[cos, -sin], [sin, cos]]) @ np.diag([scales[i] * aspects[i], scales[i] / aspects[i]])
        matrix = np.hstack([linear, (centre - linear @ centre + shifts[i])[:, None]])
        out[i] = cv2.warpAffine(
            np.ascontiguousarray(img), matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101
        )
    return out


def _degrade(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Blur, low resolution and JPEG artefacts, each on a share of the batch."""
    n, h, w = images.shape
    out = images.copy()
    for i in np.flatnonzero(rng.random(n) < BLUR_P):
        if rng.random() < 0.7:
            out[i] = cv2.GaussianBlur(out[i], (0, 0), rng.uniform(0.4, 1.3))
        else:  # motion blur: a short line kernel at a random angle
            length = int(rng.integers(3, 6))
            kernel = np.zeros((length, length), np.float32)
            kernel[length // 2] = 1.0 / length
            rotate = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), rng.uniform(0, 180), 1.0)
            kernel = cv2.warpAffine(kernel, rotate, (length, length))
            out[i] = cv2.filter2D(out[i], -1, kernel / max(kernel.sum(), 1e-6))
    for i in np.flatnonzero(rng.random(n) < LOW_RES_P):
        side = int(rng.integers(16, 32))
        small = cv2.resize(out[i], (side, side), interpolation=cv2.INTER_AREA)
        out[i] = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    for i in np.flatnonzero(rng.random(n) < JPEG_P):
        ok, encoded = cv2.imencode(".jpg", out[i], [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(15, 75))])
        if ok:
            out[i] = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
    return out


def augment_batch(images: np.ndarray, rng: np.random.Generator, *, mild: bool = False) -> np.ndarray:
    n, h, w = images.shape
    out = _geometry(images, rng, mild)
    if not mild:
        out = _degrade(out, rng)

    x = out.astype(np.float32) / 255.0
    # Photometric: gamma (dim light lifts shadows non-linearly), contrast, brightness.
    gamma = np.exp(rng.uniform(-0.5, 0.5, (n, 1, 1)))
    x = np.power(x, gamma)
    contrast = rng.uniform(0.6, 1.4, (n, 1, 1))
    brightness = rng.uniform(-0.2, 0.2, (n, 1, 1))
    mean = x.mean(axis=(1, 2), keepdims=True)
    x = (x - mean) * contrast + mean + brightness
    # Side light: a linear gradient in a random direction multiplies the face.
    side = rng.random(n) < (0.0 if mild else SIDE_LIGHT_P)
    theta = rng.uniform(0, 2 * np.pi, n)
    strength = rng.uniform(0.2, 0.6, n) * side
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = (np.cos(theta)[:, None, None] * (xs - w / 2) + np.sin(theta)[:, None, None] * (ys - h / 2)) / (w / 2)
    x *= 1.0 + strength[:, None, None] * np.clip(ramp, -1, 1)
    x += rng.normal(0, 0.02, x.shape).astype(np.float32) * (rng.random((n, 1, 1)) < 0.3)

    # Random occlusion (cutout) on half the images.
    occlude = rng.random(n) < OCCLUDE_P
    sizes = rng.integers(h // 6, h // 2, (n, 2))
    corners = rng.integers(0, h, (n, 2))
    fills = rng.random(n)
    for i in np.flatnonzero(occlude):
        y0, x0 = corners[i]
        x[i, y0 : y0 + sizes[i, 0], x0 : x0 + sizes[i, 1]] = fills[i]
    return (np.clip(x, 0, 1) * 255).astype(np.uint8)
