"""Machine tags from a song's Spotify audio features: its mood, its point on the circumplex, a confidence.

Plain Python (no Django, not even numpy), so the importer, a management command or a benchmark can
call it in any process.

    tag_from_features(AudioFeatures(valence=0.9, energy=0.8, danceability=0.7, acousticness=0.1))
    # MachineTags(emotions={"happiness": 0.749, "surprise": 0.338}, valence=0.4417, arousal=0.4081,
    #             quadrant="happy", confidence=0.498)

**The model.** Two small logistic models, one per axis of Russell's circumplex, read the side of
each axis a song is on (its half-plane):

    z_valence = VALENCE_SLOPE * (valence - VALENCE_CENTRE)
              + DANCEABILITY_SLOPE * (danceability - DANCEABILITY_MEAN)
              + TEXTURE_SLOPE * (sqrt(min(acousticness, TEXTURE_CAP)) - TEXTURE_MEAN)
    z_arousal = ENERGY_SLOPE * (energy - ENERGY_CENTRE)
              + ACOUSTICNESS_SLOPE * (acousticness - ACOUSTICNESS_MEAN)

and P(positive side) = sigmoid(z). The slopes and the two centres were fitted (L2-penalised logistic
regression, quadrants weighted equally) on the songs of the hand-tagged starter catalogue and of
MoodyLyrics that are in ../shared/data/catalog/spotify_songs.csv; `python benchmarks/tagging.py
--json` refits them with the same recipe, cross-validates it and reports both sets. The optional
inputs are measured against their mean over the whole Spotify file, so an input that is missing
sits at the catalogue's average and adds nothing.

Songs in the right quadrant or one sharing a half-plane with it (benchmarks/results/tagging.json):
starter 0.954 (cross-validated 0.943), MoodyLyrics 0.873 (0.875), against 0.936 and 0.853 for the
plain rule "valence - 0.5, energy - 0.5". What the data taught:

* Spotify's valence alone says little about a song's mood (angry rock and metal often have a
  valence above 0.5), and its energy is skewed high (median 0.72): the arousal centre is learned,
  not 0.5.
* Danceable songs are the happy ones; among energetic songs the *electric* ones (acousticness near
  zero: distorted guitars, synths) are the tense ones. That texture saturates at TEXTURE_CAP, so an
  acoustic ballad does not read as happy just for being acoustic.
* Acousticness lowers arousal beyond what energy says: calm songs are more acoustic than their
  energy alone suggests.
* Mode, tempo, loudness (mostly energy again), instrumentalness, speechiness and liveness did not
  earn a place: added in a forward selection, none gained more than about half a point of
  cross-validated agreement, within the spread between folds. They are accepted (and validated)
  so that callers can pass a whole Spotify row, and ignored.

**A missing optional input** is treated as unknown rather than average: its term is a random
quantity with the spread it has across the catalogue (SD = slope x the input's SD), and
P(positive side) = sigmoid(z / sqrt(1 + pi/8 * variance)) (the probit approximation of averaging
the logistic over that uncertainty). So a song read from valence and energy alone sits nearer the
centre and gets a lower confidence.

**The point** (valence, arousal) is tanh(POINT_GAIN * z) on each axis: the gain puts the points on
the scale of the tag-derived points of the hand-tagged songs (music.emotions.va_from_tags), so
machine-tagged and hand-tagged songs can be compared on the plane. `quadrant` is
music.emotions.quadrant_of(point).

**Confidence** is the probability that the song is *not* in the quadrant diagonally opposite the
one predicted (both half-planes wrong), rescaled from 0.75..1 to 0..1:
1 - 4 * (1 - p_valence) * (1 - p_arousal), with p the probability of the side predicted. It is 0 at
the centre of the plane, near 1 far from it, and lower when inputs are missing (for 90% of the
Spotify file's tracks; a track whose known inputs disagree can read more surely once the
disagreeing one is unknown). On the labelled songs it is higher for right predictions than for
wrong ones.

**Emotion weights.** Each of the eight emotions is weighted by how close the song's point is to the
emotion's point (music.emotions.EMOTION_VA), with a Gaussian of width EMOTION_WIDTH, the emotion at
a quadrant's centre (happiness, anger, sadness, neutral) counting CENTRAL_BONUS times: the best
emotion *of the song's quadrant* weighs 0.5 + 0.5 * confidence (so every song suits some mood at
0.5 or more), the others that weight times their closeness relative to it, and an emotion of
another quadrant at most NEIGHBOUR_CAP of it, so the top emotion's quadrant is the song's.
Weights below MIN_WEIGHT are left out (an absent tag means "does not suit this mood"). In the
relaxed quadrant the one emotion is "neutral", which in this catalogue means calm listening.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

from ml.labels import EMOTIONS
from music.emotions import EMOTION_VA, MOODYLYRICS_MOODS, quadrant_of

__all__ = ["AudioFeatures", "MachineTags", "model_inputs", "tag_from_features"]

# --- Valence axis (logit of "positive half"); fitted by benchmarks/tagging.py on 354 labelled songs.
VALENCE_SLOPE = 1.066  # logit per unit of Spotify valence
VALENCE_CENTRE = 0.451  # the Spotify valence at which a song of average danceability and texture is balanced
DANCEABILITY_SLOPE = 2.147  # logit per unit of danceability: danceable songs are the happy ones
TEXTURE_SLOPE = 2.489  # logit per unit of sqrt(min(acousticness, TEXTURE_CAP)): electric songs are the tense ones
TEXTURE_CAP = 0.3  # acousticness above it adds no valence: caps of 0.1-1.0 cross-validate alike, 0.3 transfers best

# --- Arousal axis (logit of "energetic half").
ENERGY_SLOPE = 2.932  # logit per unit of Spotify energy
ENERGY_CENTRE = 0.637  # learned: Spotify energy is skewed high (catalogue median 0.72), so not 0.5
ACOUSTICNESS_SLOPE = -1.238  # logit per unit of acousticness: acoustic songs are calmer than their energy says

# --- Catalogue mean and SD of the optional inputs (28,356 distinct tracks of spotify_songs.csv):
# a missing input sits at its mean, and its SD is how unsure that leaves the model.
DANCEABILITY_MEAN, DANCEABILITY_SD = 0.653, 0.146
TEXTURE_MEAN, TEXTURE_SD = 0.297, 0.19
ACOUSTICNESS_MEAN, ACOUSTICNESS_SD = 0.177, 0.223

# --- From logits to the plane and to emotion weights.
POINT_GAIN = 0.756  # tanh(gain * z): matches the spread of the hand-tagged songs' tag-derived points
# EMOTION_WIDTH and CENTRAL_BONUS: the best fit (grid 0.2-0.35 x 1-3) of the starter catalogue's
# 167 hand weights from its songs' tag-derived points (mean squared error 0.091 -> 0.082).
EMOTION_WIDTH = 0.3  # Gaussian width on the plane
CENTRAL_BONUS = 2.0  # the emotion at a quadrant's centre counts double: happy songs are happiness first
NEIGHBOUR_CAP = 0.9  # an emotion of another quadrant weighs at most this share of the top emotion
MIN_WEIGHT = 0.1  # lighter weights are dropped: hand-tagged songs rarely carry a weight below 0.2
TOP_WEIGHT_FLOOR = 0.5  # the top emotion's weight at zero confidence: every song suits some mood

# The emotion at each quadrant's centre: weight 1.0 in music.emotions.MOODYLYRICS_MOODS.
CENTRAL_EMOTIONS = frozenset(name for mood in MOODYLYRICS_MOODS.values() for name, w in mood.items() if w == 1.0)
_UNIT_INPUTS = ("valence", "energy", "danceability", "acousticness", "instrumentalness", "speechiness", "liveness")
TEMPO_RANGE = (0.0, 300.0)  # BPM; Spotify reports 0 for a track it could not beat-track
LOUDNESS_RANGE = (-60.0, 5.0)  # dB; Spotify's floor is -60 and a few masters go slightly above 0


@dataclass(frozen=True)
class AudioFeatures:
    """Spotify's audio features of one track. valence and energy are required; the rest may be None.

    Raises ValueError on a missing required value, a value that is not a finite number, or one out
    of its range (0-1, mode 0 or 1, tempo 0-300 BPM, loudness -60..5 dB).
    """

    valence: float
    energy: float
    mode: int | None = None
    tempo: float | None = None
    danceability: float | None = None
    acousticness: float | None = None
    loudness: float | None = None
    instrumentalness: float | None = None
    speechiness: float | None = None
    liveness: float | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None:
                if field.name in ("valence", "energy"):
                    raise ValueError(f"{field.name} is required (a number from 0 to 1)")
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{field.name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"{field.name} must be a finite number, got {value!r}")
            low, high = _range_of(field.name)
            if not low <= value <= high:
                raise ValueError(f"{field.name} must be between {low:g} and {high:g}, got {value!r}")
            if field.name == "mode" and value not in (0, 1):
                raise ValueError(f"mode must be 0 (minor) or 1 (major), got {value!r}")

    @classmethod
    def from_mapping(cls, row: Mapping[str, object]) -> AudioFeatures:
        """From a dict or a CSV row (e.g. of spotify_songs.csv): text is parsed, "" means missing."""
        values: dict[str, object] = {}
        for field in fields(cls):
            value = row.get(field.name)
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    value = None
                else:
                    try:
                        value = float(value)
                    except ValueError:
                        raise ValueError(f"{field.name} must be a number, got {value!r}") from None
            values[field.name] = value
        return cls(**values)  # type: ignore[arg-type]


def _range_of(name: str) -> tuple[float, float]:
    if name in _UNIT_INPUTS or name == "mode":
        return 0.0, 1.0
    return TEMPO_RANGE if name == "tempo" else LOUDNESS_RANGE


@dataclass(frozen=True)
class MachineTags:
    emotions: dict[str, float]  # emotion name -> weight 0-1 (3 places), zero weights left out
    valence: float  # -1..1
    arousal: float  # -1..1
    quadrant: str  # happy, tense, sad or relaxed (music.emotions.QUADRANTS)
    confidence: float  # 0-1: 0 at the centre of the plane, lower when inputs are missing


def model_inputs(features: AudioFeatures) -> dict[str, float | None]:
    """The inputs the two axes read, in their own units (None when missing); see the module docstring."""
    acousticness = features.acousticness
    return {
        "valence": features.valence,
        "danceability": features.danceability,
        "texture": None if acousticness is None else math.sqrt(min(acousticness, TEXTURE_CAP)),
        "energy": features.energy,
        "acousticness": acousticness,
    }


def _axis_logit(terms: list[tuple[float | None, float, float, float]]) -> float:
    """The logit of "positive side" from (value, slope, centre, sd) terms, shrunk for missing values."""
    logit = variance = 0.0
    for value, slope, centre, sd in terms:
        if value is None:
            variance += (slope * sd) ** 2
        else:
            logit += slope * (value - centre)
    return logit / math.sqrt(1.0 + math.pi / 8.0 * variance)


def tag_from_features(features: AudioFeatures | Mapping[str, object]) -> MachineTags:
    """Machine tags for one song. Accepts AudioFeatures or a mapping of them; raises ValueError."""
    if not isinstance(features, AudioFeatures):
        features = AudioFeatures.from_mapping(features)
    x = model_inputs(features)
    z_valence = _axis_logit(
        [
            (x["valence"], VALENCE_SLOPE, VALENCE_CENTRE, 0.0),
            (x["danceability"], DANCEABILITY_SLOPE, DANCEABILITY_MEAN, DANCEABILITY_SD),
            (x["texture"], TEXTURE_SLOPE, TEXTURE_MEAN, TEXTURE_SD),
        ]
    )
    z_arousal = _axis_logit(
        [
            (x["energy"], ENERGY_SLOPE, ENERGY_CENTRE, 0.0),
            (x["acousticness"], ACOUSTICNESS_SLOPE, ACOUSTICNESS_MEAN, ACOUSTICNESS_SD),
        ]
    )
    valence = math.tanh(POINT_GAIN * z_valence)
    arousal = math.tanh(POINT_GAIN * z_arousal)
    quadrant = quadrant_of(valence, arousal)
    # 1 - p(side predicted) is the sigmoid of -|z| on each axis.
    confidence = 1.0 - 4.0 * _sigmoid(-abs(z_valence)) * _sigmoid(-abs(z_arousal))
    return MachineTags(
        emotions=_emotion_weights(valence, arousal, quadrant, confidence),
        valence=round(valence, 4),
        arousal=round(arousal, 4),
        quadrant=quadrant,
        confidence=round(confidence, 3),
    )


def _sigmoid(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-logit))


def _emotion_weights(valence: float, arousal: float, quadrant: str, confidence: float) -> dict[str, float]:
    closeness = {
        name: math.exp(-((valence - ev) ** 2 + (arousal - ea) ** 2) / (2 * EMOTION_WIDTH**2))
        * (CENTRAL_BONUS if name in CENTRAL_EMOTIONS else 1.0)
        for name, (ev, ea) in EMOTION_VA.items()
    }
    in_quadrant = {name: quadrant_of(*EMOTION_VA[name]) == quadrant for name in EMOTIONS}
    top = max((name for name in EMOTIONS if in_quadrant[name]), key=closeness.__getitem__)
    top_weight = TOP_WEIGHT_FLOOR + (1.0 - TOP_WEIGHT_FLOOR) * confidence
    weights: dict[str, float] = {}
    for name in EMOTIONS:
        share = 1.0 if name == top else closeness[name] / closeness[top]
        if not in_quadrant[name]:
            share = min(share, NEIGHBOUR_CAP)
        weight = round(top_weight * min(share, 1.0), 3)
        if weight >= MIN_WEIGHT:
            weights[name] = weight
    return weights
