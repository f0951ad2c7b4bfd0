"""What the emotions mean for music: circumplex positions, words, catalogue moods and tag parsing.

Plain Python (no Django), so the recommender and the importer can use it in any process. The
names and their order come from ml.labels, the one list of emotions in the project.
"""

from ml.labels import EMOTIONS

__all__ = ["EMOTIONS", "EMOTION_VA", "EMOTION_ADJECTIVE", "MOODYLYRICS_MOODS", "QUADRANTS"]

# Where each emotion sits on Russell's circumplex (valence, arousal), both in -1..1. Used to
# derive a song's valence/arousal from its tags, and a listener's from their distribution.
EMOTION_VA: dict[str, tuple[float, float]] = {
    "neutral": (0.1, -0.5),  # in the catalog "neutral" means calm, relaxed listening
    "happiness": (0.8, 0.5),
    "surprise": (0.4, 0.8),
    "sadness": (-0.7, -0.5),
    "anger": (-0.6, 0.8),
    "disgust": (-0.7, 0.3),
    "fear": (-0.6, 0.6),
    "contempt": (-0.5, 0.1),
}

# Words used in explanations: "you look sad (61%)".
EMOTION_ADJECTIVE: dict[str, str] = {
    "neutral": "calm",
    "happiness": "happy",
    "surprise": "surprised",
    "sadness": "sad",
    "anger": "angry",
    "disgust": "disgusted",
    "fear": "anxious",
    "contempt": "scornful",
}

# MoodyLyrics labels each song with one of Russell's four quadrants. A quadrant is wider than
# one of our emotions, so each mood maps to the emotion at its centre (weight 1.0) plus the
# neighbours that share its valence/arousal half-plane with lower weights:
#   happy   (+valence, +arousal): happiness, and surprise (also positive and aroused)
#   angry   (-valence, +arousal): anger, with disgust and contempt (hostile, aroused) and fear
#                                 (negative and aroused, but it is tension more than hostility)
#   sad     (-valence, -arousal): sadness, with a little fear (anxious, brooding songs)
#   relaxed (+valence, -arousal): neutral (our calm, low-arousal state) with some happiness
# Nothing maps to a weight of zero on purpose: an absent tag means "does not suit this mood".
MOODYLYRICS_MOODS: dict[str, dict[str, float]] = {
    "happy": {"happiness": 1.0, "surprise": 0.5},
    "angry": {"anger": 1.0, "disgust": 0.6, "contempt": 0.5, "fear": 0.3},
    "sad": {"sadness": 1.0, "fear": 0.3},
    "relaxed": {"neutral": 1.0, "happiness": 0.4},
}

QUADRANTS: dict[str, str] = {
    "happy": "Happy (positive, energetic)",
    "tense": "Tense (negative, energetic)",
    "sad": "Sad (negative, calm)",
    "relaxed": "Relaxed (positive, calm)",
}


def quadrant_of(valence: float, arousal: float) -> str:
    if arousal >= 0:
        return "happy" if valence >= 0 else "tense"
    return "relaxed" if valence >= 0 else "sad"


def va_point(weights: dict[str, float]) -> tuple[float, float]:
    """The weighted mean of the emotions' circumplex points (a song's tags, a listener's mood, a
    target); (0, 0) without weight. The one place of this arithmetic."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0, 0.0
    valence = sum(EMOTION_VA[name][0] * w for name, w in weights.items()) / total
    arousal = sum(EMOTION_VA[name][1] * w for name, w in weights.items()) / total
    return valence, arousal


def va_from_tags(tags: dict[str, float]) -> tuple[float, float]:
    """A song's stored valence/arousal: va_point() of its tags, to 4 places."""
    valence, arousal = va_point(tags)
    return round(valence, 4), round(arousal, 4)


def parse_tags(text: str) -> dict[str, float]:
    """Parse "happiness:0.9;surprise:0.4" (a bare name means weight 1). Raises ValueError."""
    tags: dict[str, float] = {}
    for part in text.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        name, sep, weight_text = part.partition(":")
        name = name.strip().lower()
        if name not in EMOTIONS:
            raise ValueError(f"unknown emotion {name!r} (expected one of: {', '.join(EMOTIONS)})")
        try:
            weight = float(weight_text) if sep else 1.0
        except ValueError:
            raise ValueError(f"weight of {name!r} is not a number: {weight_text.strip()!r}") from None
        if not 0.0 <= weight <= 1.0 or weight != weight:
            raise ValueError(f"weight of {name!r} must be between 0 and 1, got {weight_text.strip()}")
        if name in tags:
            raise ValueError(f"emotion {name!r} is listed twice")
        if weight > 0:
            tags[name] = round(weight, 3)
    return tags


def format_tags(tags: dict[str, float]) -> str:
    return ";".join(f"{name}:{tags[name]:g}" for name in EMOTIONS if name in tags)


def normalize_distribution(values: dict[str, float]) -> dict[str, float]:
    """Validate an emotion distribution and rescale it to sum to 1. Raises ValueError."""
    unknown = sorted(set(values) - set(EMOTIONS))
    if unknown:
        raise ValueError(f"unknown emotion names: {', '.join(unknown)}")
    cleaned: dict[str, float] = {}
    for name in EMOTIONS:
        value = values.get(name, 0.0)
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise ValueError(f"{name}: must be a number")
        if value < 0 or value > 1.0001:
            raise ValueError(f"{name}: must be between 0 and 1")
        cleaned[name] = float(value)
    total = sum(cleaned.values())
    if total <= 0:
        raise ValueError("at least one emotion must have a probability above 0")
    return {name: v / total for name, v in cleaned.items()}
