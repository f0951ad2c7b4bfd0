"""The music app's models, defined in its three areas (see music/README.md) and gathered here, the
module Django reads an app's models from. One app label ("music") keeps one migration history."""

from music.catalog.models import (
    AUDIO_FEATURES,
    GENRE_SEPARATOR,
    LANGUAGE_RE,
    MACHINE_TAG_SOURCES,
    Enrichment,
    Genre,
    Song,
    TagSource,
    emotion_weight,
    genre_key,
    normalize_language,
    song_key,
)
from music.library.models import (
    Feedback,
    FeedbackKind,
    Playlist,
    PlaylistItem,
    Rating,
    Recommendation,
    RecommendationItem,
)

__all__ = [
    "AUDIO_FEATURES",
    "MACHINE_TAG_SOURCES",
    "TagSource",
    "GENRE_SEPARATOR",
    "LANGUAGE_RE",
    "Enrichment",
    "Feedback",
    "FeedbackKind",
    "Genre",
    "Playlist",
    "PlaylistItem",
    "Rating",
    "Recommendation",
    "RecommendationItem",
    "Song",
    "emotion_weight",
    "genre_key",
    "normalize_language",
    "song_key",
]
