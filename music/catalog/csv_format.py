"""Reading and writing catalog CSV files (no database access).

Two formats, told apart by the header row:

* generic: `title, artist, album, year, genre, language, duration, tags, valence, arousal,
  preview_url, artwork_url, youtube_id, spotify_id, apple_music_id, deezer_id, active` in any
  order; only title and artist are required. `genre` is a name from the genre vocabulary
  (checked by the importer, which reads the database); `language` an ISO 639 code ("en", "pt-BR", "zxx" for an instrumental); `duration` is seconds or m:ss;
  `tags` is "happiness:0.9;surprise:0.4" (emotion names from music.emotions.EMOTIONS, weights
  0..1, a bare name means 1); valence and arousal are both given (-1..1) or both left empty
  (then they are derived from the tags); provider ids are bare ids or the provider's track links
  (music.catalog.providers); `active` is true/false/yes/no/1/0 (default true).
* Spotify audio features, in two published layouts: TidyTuesday/`spotifyr` (`track_id,
  track_name, track_artist, …, playlist_genre, playlist_subgenre, danceability, energy, …`) and
  Kaggle's "Spotify Tracks Dataset" (`track_id, artists, album_name, track_name, …, track_genre`,
  with an optional unnamed index column first). Beyond id, title, artist, valence and energy every
  column may be missing or empty. A track in several rows (several playlists) is one song, and a
  row without tags gets machine tags from its audio features (music.catalog.tagging).
* MoodyLyrics (`Index, Artist, Song|Title, Emotion|Mood`): each mood becomes emotion tags through
  music.emotions.MOODYLYRICS_MOODS. The published files repeat some songs with the same mood;
  such repeats are skipped with a warning, a repeat with a different mood is an error.

Every problem of every row is reported with its line number, and the caller writes nothing unless
the whole file is clean.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlparse

import ftfy
from django.core.exceptions import FieldDoesNotExist

from music.catalog import tagging
from music.catalog.models import (
    AUDIO_FEATURE_RANGES,
    AUDIO_FEATURES,
    LANGUAGE_RE,
    Song,
    TagSource,
    normalize_language,
    song_key,
)
from music.catalog.providers import PROVIDER_FIELDS, PROVIDERS, normalize_provider_id
from music.emotions import MOODYLYRICS_MOODS, format_tags, parse_tags

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


@dataclass
class SongRow:
    line: int
    values: dict  # model field -> value, only for the columns the file has


@dataclass
class ParsedCatalog:
    format: str = "generic"
    rows: list[SongRow] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)  # model fields the file sets
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.errors.append((line, message))


@contextmanager
def _big_fields():
    # Oversized fields are reported as row errors by our own length checks; the csv module's
    # default 128 KiB limit would instead abort the whole parse with one opaque message.
    old = csv.field_size_limit()
    csv.field_size_limit(1 << 30)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _clean(text: str) -> str:
    if not text.isascii():
        text = ftfy.fix_text(text)
    return re.sub(r"\s+", " ", text).strip()


def _clean_row(cells: list[str]) -> list[str]:
    """Repair mojibake across the whole row: ftfy is more sure of itself with more text
    ("MÃ¥negarm" alone stays broken, next to its title "Ur SjÃ¤lslig DÃ¶d" it is fixed)."""
    if all(cell.isascii() for cell in cells):
        return [re.sub(r"\s+", " ", cell).strip() for cell in cells]
    joined = ftfy.fix_text("\t".join(re.sub(r"\s+", " ", cell) for cell in cells))
    fixed = joined.split("\t")
    if len(fixed) != len(cells):
        fixed = cells
    return [_clean(cell) for cell in fixed]


def parse_duration(text: str) -> int | None:
    if not text:
        return None
    parts = text.split(":")
    if len(parts) > 3 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"duration must be seconds or m:ss, got {text!r}")
    seconds = 0
    for p in parts:
        seconds = seconds * 60 + int(p)
    if not 1 <= seconds <= 36000:
        raise ValueError("duration must be between 1 second and 10 hours")
    return seconds


def _float(name: str, text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} is not a number: {text!r}") from None
    if not low <= value <= high:  # also refuses nan
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {text}")
    return value


def _max_length(name: str) -> int:
    if name in MAX_LENGTH:
        return MAX_LENGTH[name]
    try:
        return Song._meta.get_field(name).max_length or DEFAULT_MAX_LENGTH
    except FieldDoesNotExist:
        return DEFAULT_MAX_LENGTH


class _Problems(list):
    """Every problem of one row, so a file is fixed in one go rather than one error per upload."""

    def check(self, parse, *args):
        try:
            return parse(*args)
        except ValueError as exc:
            self.append(str(exc))
            return None


def _text(raw: dict[str, str], name: str, problems: _Problems, *, required: bool = False) -> str:
    value = raw.get(name, "")
    if required and not value:
        problems.append(f"{name} is empty")
    return value


def _year(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"year is not a whole number: {text!r}")
    if not 1000 <= int(text) <= 2100:
        raise ValueError(f"year {text} is out of range")
    return int(text)


def _features(raw: dict[str, str], v: dict, problems: _Problems) -> None:
    """The audio features the row has (an empty cell is unknown) and its popularity."""
    for name in AUDIO_FEATURES:
        if name in raw:
            low, high = AUDIO_FEATURE_RANGES[name]
            value = problems.check(_float, name, raw[name], low, high) if raw[name] else None
            v[name] = round(value) if name == "mode" and value is not None else value
    if "popularity" in raw:
        value = problems.check(_float, "popularity", raw["popularity"], 0, 100) if raw["popularity"] else None
        v["popularity"] = round(value) if value is not None else None


def _tag_values(raw: dict[str, str], v: dict, problems: _Problems) -> None:
    """Tags as given, with their source; none given and audio features known: machine tags."""
    tags = problems.check(parse_tags, raw["tags"]) if raw.get("tags") else {}
    if tags:
        source = raw.get("tag_source", "") or TagSource.CURATED  # tags a person typed into a file
        if source not in TagSource.values:
            problems.append(f"tag_source must be one of {', '.join(TagSource.values)}, got {source!r}")
        confidence = raw.get("tag_confidence", "")
        v.update(
            emotions=tags,
            tag_source=source,
            tag_confidence=problems.check(_float, "tag_confidence", confidence, 0, 1) if confidence else None,
            tags_reviewed=problems.check(_flag, "tags_reviewed", raw.get("tags_reviewed", "")) or False,
        )
    elif v.get("audio_valence") is not None and v.get("audio_energy") is not None:
        machine = tagging.tag_from_features(tagging.AudioFeatures(
            valence=v["audio_valence"], energy=v["audio_energy"],
            **{name: v.get(name) for name in AUDIO_FEATURES[2:]},
        ))  # fmt: skip
        v.update(
            emotions=machine.emotions, tag_source=TagSource.AUDIO, tag_confidence=round(machine.confidence, 3),
            tags_reviewed=False, va_manual=True, valence=round(machine.valence, 4), arousal=round(machine.arousal, 4),
        )  # fmt: skip
    elif "tags" in raw:
        v.update(emotions={}, tag_source="", tag_confidence=None, tags_reviewed=False)


def _flag(name: str, text: str) -> bool:
    flag = text.lower()
    if flag not in TRUE | FALSE:
        raise ValueError(f"{name} must be true or false, got {text!r}")
    return flag in TRUE and flag != ""


def _generic_values(raw: dict[str, str]) -> tuple[dict, list[str]]:
    problems = _Problems()
    v: dict = {"title": _text(raw, "title", problems, required=True)}
    v["artist"] = _text(raw, "artist", problems, required=True)
    if "album" in raw:
        v["album"] = raw["album"]
    if "genre" in raw:
        v["genre"] = raw["genre"].lower()  # a name; the importer resolves it against the vocabulary
    if "language" in raw:
        language = normalize_language(raw["language"]) if raw["language"] else ""
        if language and not LANGUAGE_RE.match(language):
            problems.append(f"language must be an ISO 639 code such as en, pt-BR or zxx, got {language!r}")
        v["language"] = language
    if "year" in raw:
        v["year"] = problems.check(_year, raw["year"])
    if "duration" in raw:
        v["duration"] = problems.check(parse_duration, raw["duration"])
    _features(raw, v, problems)
    _tag_values(raw, v, problems)
    if "valence" in raw or "arousal" in raw:
        valence, arousal = raw.get("valence", ""), raw.get("arousal", "")
        if bool(valence) != bool(arousal):
            problems.append("give both valence and arousal, or neither")
        elif valence:
            v["va_manual"] = True
            v["valence"] = problems.check(_float, "valence", valence, -1, 1)
            v["arousal"] = problems.check(_float, "arousal", arousal, -1, 1)
        elif v.get("tag_source") != TagSource.AUDIO:
            v["va_manual"] = False
    for name in URL_COLUMNS:
        if name in raw:
            url = raw[name]
            parsed = urlparse(url)
            if url and (parsed.scheme not in ("http", "https") or not parsed.netloc):
                problems.append(f"{name} is not an http(s) address: {url!r}")
            v[name] = url
    for name, provider in PROVIDERS.items():
        if provider.field in raw:
            v[provider.field] = problems.check(normalize_provider_id, name, raw[provider.field])
    if "active" in raw:
        v["active"] = raw["active"] == "" or problems.check(_flag, "active", raw["active"])
    return v, problems


def _released_year(text: str) -> int | None:
    """Spotify release dates are YYYY-MM-DD, YYYY-MM or YYYY."""
    if not text:
        return None
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise ValueError(f"release date must be YYYY-MM-DD, YYYY-MM or YYYY, got {text!r}")
    return _year(text[:4])


def _spotify_values(raw: dict[str, str]) -> tuple[dict, list[str]]:
    problems = _Problems()
    v: dict = {name: _text(raw, name, problems, required=True) for name in ("title", "artist")}
    v["spotify_id"] = problems.check(normalize_provider_id, "spotify", raw["spotify_id"]) if raw["spotify_id"] else ""
    if not raw["spotify_id"]:
        problems.append("spotify_id (track_id) is empty")
    # Kaggle's layout joins several artists with ";".
    v["artist"] = ", ".join(a.strip() for a in v["artist"].split(";") if a.strip())
    if "album" in raw:
        v["album"] = raw["album"]
    if "released" in raw:
        v["year"] = problems.check(_released_year, raw["released"])
    if raw.get("duration_ms"):
        ms = problems.check(_float, "duration_ms", raw["duration_ms"], 1000, 36_000_000)
        v["duration"] = round(ms / 1000) if ms is not None else None
    for name in ("genre", "genre_family"):
        if name in raw:
            v[name] = raw[name].lower()
    for name in ("audio_valence", "audio_energy"):
        if not raw[name]:
            problems.append(f"{name.removeprefix('audio_')} is empty")
    _features(raw, v, problems)
    _tag_values(raw, v, problems)
    return v, problems


def _moody_values(raw: dict[str, str]) -> tuple[dict, list[str]]:
    problems = _Problems()
    v = {name: _text(raw, name, problems, required=True) for name in ("title", "artist")}
    mood = raw["mood"].lower()
    if mood not in MOODYLYRICS_MOODS:
        problems.append(f"unknown mood {raw['mood']!r} (expected one of: {', '.join(MOODYLYRICS_MOODS)})")
    else:
        v.update(emotions=dict(MOODYLYRICS_MOODS[mood]), tag_source=TagSource.LYRICS, tags_reviewed=False)
    return v, problems


VALUES = {"generic": _generic_values, "moodylyrics": _moody_values, "tidytuesday": _spotify_values}
VALUES["kaggle"] = _spotify_values


def _spotify_header(parsed: ParsedCatalog, names: list[str]) -> list[str] | None:
    layout = "kaggle" if "artists" in names else "tidytuesday"
    mapping = SPOTIFY_LAYOUTS[layout]
    parsed.format = layout
    mapped = []
    for position, name in enumerate(names):
        if position == 0 and name in UNNAMED_INDEX:
            mapped.append("_ignored")
        elif name in mapping:
            mapped.append(mapping[name])
        elif name in SPOTIFY_IGNORED:
            mapped.append("_ignored")
        else:
            parsed.error(1, f"unknown column {name!r} for the {layout} layout (its columns: {', '.join(mapping)})")
            return None
    missing = [c for c in SPOTIFY_REQUIRED if c not in mapped]
    if missing:
        parsed.error(1, f"missing required columns for the {layout} layout: {', '.join(missing)}")
        return None
    derived = {"released": "year", "duration_ms": "duration", "genre_family": "genre"}
    parsed.fields = {derived.get(c, c) for c in mapped if c != "_ignored"} | set(TAG_FIELDS)
    return mapped


def _header(parsed: ParsedCatalog, header: list[str]) -> list[str] | None:
    """Map the header to our column names, or record why it cannot be read."""
    names = [_clean(h).lower().replace(" ", "_") for h in header]
    if "track_id" in names and "track_name" in names:
        return _spotify_header(parsed, names)
    moody = {"index": "index", "artist": "artist", "song": "title", "title": "title", "emotion": "mood", "mood": "mood"}
    if "artist" in names and ("emotion" in names or "mood" in names) and "tags" not in names:
        parsed.format = "moodylyrics"
        unknown = [h for h in names if h not in moody]
        mapped = [moody.get(h, h) for h in names]
        if unknown or "title" not in mapped:
            parsed.error(
                1, f"MoodyLyrics header must be Index, Artist, Song (or Title), Emotion (or Mood); got {header}"
            )
            return None
        parsed.fields = {"title", "artist", "emotions", "tag_source", "tags_reviewed"}
        return mapped
    unknown = [h for h in names if h not in GENERIC_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    repeated = sorted({h for h in names if names.count(h) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown columns: {', '.join(unknown)}")
    if missing:
        problems.append(f"missing required columns: {', '.join(missing)}")
    if repeated:
        problems.append(f"repeated columns: {', '.join(repeated)}")
    if problems:
        parsed.error(1, "; ".join(problems) + f" (columns are: {', '.join(GENERIC_COLUMNS)})")
        return None
    fields = set(names) - {*TAG_COLUMNS, "valence", "arousal"}
    if {"tags", "audio_valence", "audio_energy"} & set(names):
        fields |= set(TAG_FIELDS)
    if "valence" in names or "arousal" in names:
        fields |= {"valence", "arousal", "va_manual"}
    parsed.fields = fields
    return names


def parse_catalog(data: bytes) -> ParsedCatalog:
    parsed = ParsedCatalog()
    # Undecodable bytes survive as surrogates, so the row holding them is reported by line.
    text = data.decode("utf-8-sig", errors="surrogateescape")
    if "\x00" in text:
        parsed.error(1, "the file is not UTF-8 text (it contains NUL bytes; UTF-16 perhaps?) — save it as UTF-8 CSV")
        return parsed
    reader = csv.reader(io.StringIO(text, newline=""))
    with _big_fields():
        try:
            header = next(reader, None)
            if header is None:
                parsed.error(1, "the file is empty")
                return parsed
            columns = _header(parsed, header)
            if columns is None:
                return parsed
            _rows(parsed, reader, columns)
        except csv.Error as exc:
            parsed.error(reader.line_num, f"the CSV cannot be read past this line: {exc}")
    if len(parsed.errors) > MAX_ERRORS:
        extra = len(parsed.errors) - MAX_ERRORS
        parsed.errors = parsed.errors[:MAX_ERRORS] + [(parsed.errors[MAX_ERRORS][0], f"... and {extra} more errors")]
    return parsed


def _rows(parsed: ParsedCatalog, reader: Iterator[list[str]], columns: list[str]) -> None:
    seen: dict[str, tuple[int, dict]] = {}
    spotify = parsed.format in SPOTIFY_LAYOUTS
    values_of = VALUES[parsed.format]
    line = reader.line_num + 1
    for record in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(columns):
            parsed.error(start, f"has {len(record)} fields but the header has {len(columns)}")
            continue
        problems = []
        for name, cell in zip(columns, record, strict=True):
            limit = _max_length(name)
            if len(cell) > limit:
                problems.append(f"{name} is too long ({len(cell):,} characters, at most {limit})")
            try:
                cell.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(f"{name} is not valid UTF-8 text — save the file as UTF-8")
        if problems:
            parsed.error(start, "; ".join(problems))
            continue
        cells = _clean_row(record)
        if parsed.format == "generic":
            cells = [restore_formula(cell) for cell in cells]
        raw = dict(zip(columns, cells, strict=True))
        values, problems = values_of(raw)
        if problems:
            parsed.error(start, "; ".join(problems))
            continue
        key = song_key(values["artist"], values["title"])
        if key in seen:
            first_line, first_values = seen[key]
            if spotify:  # the same track in several playlists, or one song under two track ids
                parsed.warnings.append((start, f"the same song as line {first_line}; skipped"))
            elif parsed.format == "moodylyrics" and first_values["emotions"] == values["emotions"]:
                parsed.warnings.append((start, f"repeats line {first_line}; skipped"))
            else:
                parsed.error(start, f"same artist and title as line {first_line}")
            continue
        seen[key] = (start, values)
        parsed.rows.append(SongRow(start, values))


def songs_to_csv(songs: Iterable) -> Iterator[str]:
    """Yield the generic format, header first, one line per song; import_songs reads it back.

    Pass songs with their genre selected (`select_related("genre")`): one query, not one per song."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(GENERIC_COLUMNS)
    yield flush()
    for s in songs:
        writer.writerow([_export_cell(s, column) for column in GENERIC_COLUMNS])
        yield flush()


def _export_cell(song, column: str) -> str:
    if column == "genre":
        return song.genre.name if song.genre else ""
    if column == "tags":
        return format_tags(song.emotions)
    if column in ("valence", "arousal"):
        return f"{getattr(song, column):g}" if song.va_manual else ""
    if column in ("active", "tags_reviewed"):
        return "true" if getattr(song, column) else "false"
    value = getattr(song, column)
    return "" if value is None else neutralise_formula(f"{value:g}" if isinstance(value, float) else str(value))


# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): prefixed with a quote, which
# spreadsheets show as text. The importer takes the quote off again, so a file round-trips.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    if text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def restore_formula(text: str) -> str:
    """The importer's half of neutralise_formula()."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
