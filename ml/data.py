"""Loading FER+ splits into arrays (cached as .npz: decoding 32k PNGs takes a while)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ml.labels import majority_label, parse_label_csv, soft_target
from ml.preprocess import INPUT_SIZE, to_gray_crop


@dataclass
class Split:
    images: np.ndarray  # (N, 48, 48) uint8
    targets: np.ndarray  # (N, 8) float32 vote distributions (soft targets)
    majority: np.ndarray  # (N,) int: majority-protocol class, -1 when none
    filenames: np.ndarray  # (N,) str

    def __len__(self) -> int:
        return len(self.images)

    def majority_subset(self) -> Split:
        keep = self.majority >= 0
        return Split(self.images[keep], self.targets[keep], self.majority[keep], self.filenames[keep])


def _cache_dir() -> Path:
    return Path(os.environ.get("ML_CACHE_DIR", Path.home() / ".cache" / "emotion-symphony"))


def load_split(folder: str | Path, *, use_cache: bool = True) -> Split:
    """Read a FER+ split folder (PNG crops + label.csv).

    Keeps every image with a usable emotion vote distribution; `majority` marks
    those that also have a majority-protocol label (the evaluation subset).
    """
    folder = Path(folder)
    label_path = folder / "label.csv"
    if not label_path.is_file():
        raise FileNotFoundError(f"{label_path} not found: expected a FER+ split folder")
    stat = label_path.stat()
    key = hashlib.sha1(f"{folder.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    cache_file = _cache_dir() / f"{folder.name}-{key}.npz"
    if use_cache and cache_file.is_file():
        with np.load(cache_file) as cached:
            return Split(cached["images"], cached["targets"], cached["majority"], cached["filenames"])

    images, targets, majority, names = [], [], [], []
    for row in parse_label_csv(label_path):
        target = soft_target(row.votes)
        if target is None:
            continue
        image = cv2.imread(str(folder / row.filename), cv2.IMREAD_GRAYSCALE)
        if image is None:
            continue  # listed but missing or unreadable: skip rather than crash a 2-hour run
        images.append(to_gray_crop(image, INPUT_SIZE))
        targets.append(target)
        label = majority_label(row.votes)
        majority.append(-1 if label is None else label)
        names.append(row.filename)
    split = Split(
        np.stack(images) if images else np.zeros((0, INPUT_SIZE, INPUT_SIZE), np.uint8),
        np.stack(targets) if targets else np.zeros((0, 8), np.float32),
        np.array(majority, dtype=np.int64),
        np.array(names),
    )
    if use_cache:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(".tmp.npz")
        np.savez(tmp, images=split.images, targets=split.targets, majority=split.majority, filenames=split.filenames)
        tmp.replace(cache_file)
    return split
