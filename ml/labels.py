"""FER+ labels: the 8 emotion classes, vote parsing and the majority protocol."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

EMOTIONS: tuple[str, ...] = (
    "neutral",
    "happiness",
    "surprise",
    "sadness",
    "anger",
    "disgust",
    "fear",
    "contempt",
)
# label.csv vote columns: the 8 emotions, then "unknown" and "not a face".
VOTE_COLUMNS: tuple[str, ...] = (*EMOTIONS, "unknown", "NF")
NUM_CLASSES = len(EMOTIONS)


@dataclass(frozen=True)
class LabeledImage:
    filename: str
    votes: np.ndarray  # shape (10,), int: raw crowd votes in VOTE_COLUMNS order


def parse_label_csv(path: str | Path) -> list[LabeledImage]:
    """Read a FER+ label.csv (no header: file, "(x, y, w, h)", 10 vote counts).

    Malformed rows raise ValueError naming the line, so a broken file is never
    silently half-read.
    """
    rows: list[LabeledImage] = []
    with open(path, newline="") as handle:
        for line_no, row in enumerate(csv.reader(handle), start=1):
            if not row:
                continue
            if len(row) != 2 + len(VOTE_COLUMNS):
                raise ValueError(f"{path}:{line_no}: expected {2 + len(VOTE_COLUMNS)} columns, got {len(row)}")
            try:
                votes = np.array([int(v) for v in row[2:]], dtype=np.int32)
            except ValueError as exc:
                raise ValueError(f"{path}:{line_no}: vote counts must be integers") from exc
            if (votes < 0).any():
                raise ValueError(f"{path}:{line_no}: negative vote count")
            rows.append(LabeledImage(row[0].strip(), votes))
    return rows


def drop_outlier_votes(votes: np.ndarray) -> np.ndarray:
    """FER+ protocol: a class with a single vote is treated as tagger noise."""
    cleaned = np.array(votes, dtype=np.float32, copy=True)
    cleaned[cleaned <= 1] = 0
    return cleaned


def majority_label(votes: np.ndarray) -> int | None:
    """Index into EMOTIONS under the FER+ majority protocol, or None.

    After dropping single votes, one class must hold more than half of the
    remaining votes and be one of the 8 emotions (not unknown / not-a-face).
    """
    cleaned = drop_outlier_votes(votes)
    total = cleaned.sum()
    if total <= 0:
        return None
    best = int(np.argmax(cleaned))
    if cleaned[best] * 2 <= total or best >= NUM_CLASSES:
        return None
    return best


def soft_target(votes: np.ndarray) -> np.ndarray | None:
    """The vote distribution over the 8 emotions (FER+ "probability" mode), or None.

    Images whose cleaned votes are mostly "unknown" or "not a face" carry no
    usable emotion signal and are left out.
    """
    cleaned = drop_outlier_votes(votes)
    emotion_votes = cleaned[:NUM_CLASSES]
    if emotion_votes.sum() <= 0 or cleaned[NUM_CLASSES:].max() > emotion_votes.max():
        return None
    return (emotion_votes / emotion_votes.sum()).astype(np.float32)
