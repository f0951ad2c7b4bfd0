import numpy as np

from ml.augment import augment_batch
from ml.preprocess import normalize, to_gray_crop


def test_normalize_removes_brightness_and_contrast():
    rng = np.random.default_rng(0)
    face = rng.integers(60, 120, (1, 48, 48)).astype(np.uint8)
    brighter = np.clip(face.astype(int) * 2 + 10, 0, 255).astype(np.uint8)
    a, b = normalize(face), normalize(brighter)
    assert a.shape == (1, 48, 48, 1) and a.dtype == np.float32
    assert np.allclose(a, b, atol=0.05)
    assert abs(float(a.mean())) < 1e-4


def test_flat_image_does_not_blow_up():
    assert np.isfinite(normalize(np.full((2, 48, 48), 7, np.uint8))).all()


def test_to_gray_crop_handles_rgb_rgba_and_size():
    rgb = np.zeros((100, 80, 3), np.uint8)
    assert to_gray_crop(rgb).shape == (48, 48)
    assert to_gray_crop(np.zeros((30, 30, 4), np.uint8)).shape == (48, 48)
    assert to_gray_crop(rgb, size=0).shape == (100, 80)


def test_augmentation_is_seeded_and_keeps_shape():
    images = np.random.default_rng(1).integers(0, 255, (8, 48, 48)).astype(np.uint8)
    a = augment_batch(images, np.random.default_rng(5))
    b = augment_batch(images, np.random.default_rng(5))
    assert a.shape == images.shape and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert not np.array_equal(a, images)


def test_the_mild_augmentation_changes_faces_less_than_the_robust_one():
    images = np.random.default_rng(2).integers(0, 255, (64, 48, 48)).astype(np.uint8)
    face = np.zeros((64, 48, 48), np.uint8)
    face[:, 12:36, 12:36] = images[:, 12:36, 12:36]  # a bright square on black: framing changes show at its edges
    mild = augment_batch(face, np.random.default_rng(7), mild=True)
    robust = augment_batch(face, np.random.default_rng(7))
    assert mild.shape == face.shape and mild.dtype == np.uint8
    assert np.array_equal(mild, augment_batch(face, np.random.default_rng(7), mild=True))

    def change(x):
        return float(np.abs(x.astype(np.int16) - face).mean())

    assert change(mild) < change(robust)
