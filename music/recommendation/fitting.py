"""Learning a listener's `Taste` from their observations: the backfitting and the recency weights that
`music.recommendation.taste` describes (its "Model" and "Recency"). Plain Python and numpy."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from music.recommendation.taste import (
    GROUPS,
    HALF_LIFE_DAYS,
    PRIOR,
    SAME_VALUE_HALF_LIFE,
    SOUND_FEATURES,
    SWEEPS,
    Observation,
    Taste,
    feature_keys,
)


@dataclass(slots=True)
class _Group:
    """One categorical group over the observations (newest first)."""

    name: str
    rows: np.ndarray  # the observations that have a value for the group
    ids: np.ndarray  # each one's value, as an index into vocab
    w: np.ndarray  # each one's recency weight
    den: np.ndarray  # per value: the summed weights plus the group's prior strength
    vocab: list
    counts: np.ndarray  # per value: how many observations have it


@dataclass(slots=True)
class _Sound:
    """The sound's ridge regression over the observations with audio features."""

    rows: np.ndarray
    z: np.ndarray  # their standardised features
    zw: np.ndarray  # the same, times each one's recency weight
    gram: np.ndarray  # Z'WZ + prior * I


def fit(observations: Sequence[Observation]) -> Taste:
    """Learn a Taste from a listener's observations (any order)."""
    taste = Taste(observations=len(observations))
    if not observations:
        return taste
    ages = np.array([max(o.age_hours, 0.0) for o in observations])
    order = np.argsort(ages, kind="stable")  # newest first
    obs = [observations[i] for i in order]
    y = np.array([o.signal for o in obs])
    time_weight = 0.5 ** (ages[order] / (HALF_LIFE_DAYS * 24))
    keys = [feature_keys(o.features) for o in obs]
    groups = [_group(group, keys, time_weight) for group in GROUPS]
    sound = _sound(obs, time_weight)
    effects, beta = _backfit(y, groups, sound)
    taste.sound, taste.sound_met = beta, len(sound.rows)
    for g in groups:
        taste.effects[g.name] = dict(zip(g.vocab, effects[g.name].tolist(), strict=True))
        taste.evidence[g.name] = dict(zip(g.vocab, (g.den - PRIOR[g.name]).tolist(), strict=True))
        taste.met[g.name] = dict(zip(g.vocab, g.counts.tolist(), strict=True))
    return taste


def _group(group: str, keys: list[dict], time_weight: np.ndarray) -> _Group:
    vocab: dict = {}
    column = [k.get(group) for k in keys]
    ids = np.array([-1 if v is None else vocab.setdefault(v, len(vocab)) for v in column], dtype=np.int64)
    rows = np.flatnonzero(ids >= 0)
    ids = ids[rows]
    counts = np.bincount(ids, minlength=len(vocab))
    newer = np.zeros(len(ids))
    if group != "all" and len(ids):
        # How many newer observations share each one's value: rows are newest first, so a
        # stable sort by value leaves each value's rows newest first.
        by_value = np.argsort(ids, kind="stable")
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        newer[by_value] = np.arange(len(ids)) - starts
    w = time_weight[rows] * 0.5 ** (newer / SAME_VALUE_HALF_LIFE)
    den = np.bincount(ids, weights=w, minlength=len(vocab)) + PRIOR[group]
    return _Group(group, rows, ids, w, den, list(vocab), counts)


def _sound(obs: list[Observation], time_weight: np.ndarray) -> _Sound:
    rows = np.array([i for i, o in enumerate(obs) if o.features.sound is not None], dtype=np.int64)
    z = np.array([obs[i].features.sound.z for i in rows]).reshape(len(rows), len(SOUND_FEATURES))
    zw = z * time_weight[rows, None]
    return _Sound(rows, z, zw, zw.T @ z + PRIOR["sound"] * np.eye(len(SOUND_FEATURES)))


def _backfit(y: np.ndarray, groups: list[_Group], sound: _Sound) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Gauss-Seidel sweeps: each group's effects (then the sound's coefficients) refitted to what the
    others leave unexplained. Returns the effects per group (by value index) and the sound's beta."""
    effects = {g.name: np.zeros(len(g.vocab)) for g in groups}
    contribution = [np.zeros(len(g.rows)) for g in groups]
    beta = np.zeros(len(SOUND_FEATURES))
    sound_part = np.zeros(len(sound.rows))
    total = np.zeros(len(y))
    for _ in range(SWEEPS):
        for j, g in enumerate(groups):
            if not len(g.rows):
                continue
            residual = y[g.rows] - total[g.rows] + contribution[j]
            effects[g.name] = np.bincount(g.ids, weights=g.w * residual, minlength=len(g.vocab)) / g.den
            new = effects[g.name][g.ids]
            total[g.rows] += new - contribution[j]
            contribution[j] = new
        if len(sound.rows):
            residual = y[sound.rows] - total[sound.rows] + sound_part
            beta = np.linalg.solve(sound.gram, sound.zw.T @ residual)
            new = sound.z @ beta
            total[sound.rows] += new - sound_part
            sound_part = new
    return effects, beta
