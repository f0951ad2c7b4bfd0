"""The columns of the catalogue CSV layouts, and what each holds (no database, no parsing)."""

from music.catalog.models import AUDIO_FEATURES
from music.catalog.providers import PROVIDER_FIELDS

# The columns that say how a song's tags came about; they travel with the tags.
TAG_COLUMNS = ("tags", "tag_source", "tag_confidence", "tags_reviewed")


GENERIC_COLUMNS = (
    "title", "artist", "album", "year", "genre", "language", "duration", *TAG_COLUMNS, "valence", "arousal",
    "preview_url", "artwork_url", *PROVIDER_FIELDS, "popularity", *AUDIO_FEATURES, "active",
)  # fmt: skip


# What each generic column holds: the admin's import page shows it, so a curator needs no other document.
COLUMN_HELP = {
    "title": "Required; at most 300 characters.",
    "artist": "Required; at most 200 characters. Artist and title together identify a song (case and spacing ignored).",
    "album": "Text.",
    "year": "A whole number, 1000–2100.",
    "genre": "A name from the genre vocabulary (Admin → Genres), any case or spacing; a name with a clear family "
    '("electro house") becomes that genre, anything else is an error with a suggestion.',
    "language": "An ISO 639 code: en, pt-BR, zxx for an instrumental.",
    "duration": "Seconds (215) or minutes and seconds (3:35).",
    "tags": "Emotion weights 0–1, e.g. happiness:0.9;surprise:0.4 (a bare name means 1). Empty, with audio "
    "features given: machine tags are read from the features.",
    "tag_source": "curated, audio, lyrics or enrichment (default curated when tags are given).",
    "tag_confidence": "0–1, for machine tags.",
    "tags_reviewed": "true when a curator approved machine tags.",
    "valence": "-1..1, with arousal: the song's point on the valence/arousal plane; empty: derived from the tags.",
    "arousal": "-1..1, with valence.",
    "preview_url": "An http(s) address of an audio preview.",
    "artwork_url": "An http(s) address of the cover image.",
    "youtube_id": "The YouTube video id or a link to the video.",
    "spotify_id": "The Spotify track id or a track link (open.spotify.com/track/…, spotify:track:…).",
    "apple_music_id": "The Apple Music (iTunes) track id or a track link.",
    "deezer_id": "The Deezer track id or a track link.",
    "popularity": "0–100.",
    "audio_valence": "Spotify's valence, 0–1.",
    "audio_energy": "Spotify's energy, 0–1.",
    "danceability": "0–1.",
    "acousticness": "0–1.",
    "instrumentalness": "0–1.",
    "loudness": "dB, -60..5.",
    "tempo": "Beats per minute, 0–300.",
    "mode": "1 major, 0 minor.",
    "active": "true/false/yes/no/1/0; default true.",
}


# The fields that make a song's tags, decided together on import (music.catalog.services).
TAG_FIELDS = ("emotions", "tag_source", "tag_confidence", "tags_reviewed", "va_manual", "valence", "arousal")


# Spotify's column names -> ours, per layout; the layout is told apart by the columns it has.
SPOTIFY_FEATURES = {"valence": "audio_valence", "energy": "audio_energy", **{f: f for f in AUDIO_FEATURES[2:]}}


SPOTIFY_LAYOUTS = {
    "tidytuesday": {
        "track_id": "spotify_id", "track_name": "title", "track_artist": "artist", "track_album_name": "album",
        "track_album_release_date": "released", "duration_ms": "duration_ms", "track_popularity": "popularity",
        "playlist_subgenre": "genre", "playlist_genre": "genre_family", **SPOTIFY_FEATURES,
    },
    "kaggle": {
        "track_id": "spotify_id", "track_name": "title", "artists": "artist", "album_name": "album",
        "duration_ms": "duration_ms", "popularity": "popularity", "track_genre": "genre", **SPOTIFY_FEATURES,
    },
}  # fmt: skip


SPOTIFY_REQUIRED = ("spotify_id", "title", "artist", "audio_valence", "audio_energy")


# Columns of the published files that the catalogue does not keep.
SPOTIFY_IGNORED = {
    "track_album_id", "playlist_name", "playlist_id", "key", "speechiness", "liveness", "time_signature", "explicit",
}  # fmt: skip


UNNAMED_INDEX = {"", "unnamed:_0", "unnamed: 0", "index"}


REQUIRED_COLUMNS = ("title", "artist")


URL_COLUMNS = ("preview_url", "artwork_url")


# A longer cell is a row error. Model fields are held to the model's lengths (one source), except
# provider ids, which may be given as the provider's track links and are stored as the bare id.
MAX_LENGTH = {"genre": 40, "genre_family": 40, "released": 10, **dict.fromkeys(PROVIDER_FIELDS, 200)}


DEFAULT_MAX_LENGTH = 500


MAX_ERRORS = 200


TRUE, FALSE = {"", "1", "true", "yes", "y", "t"}, {"0", "false", "no", "n", "f"}
