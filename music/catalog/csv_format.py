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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import ftfy
from django.core.exceptions import FieldDoesNotExist

from music.catalog.csv_columns import (
    DEFAULT_MAX_LENGTH,
    GENERIC_COLUMNS,
    MAX_ERRORS,
    MAX_LENGTH,
    REQUIRED_COLUMNS,
    SPOTIFY_IGNORED,
    SPOTIFY_LAYOUTS,
    SPOTIFY_REQUIRED,
    TAG_COLUMNS,
    TAG_FIELDS,
    UNNAMED_INDEX,
)
from music.catalog.csv_export import restore_formula
from music.catalog.csv_values import VALUES
from music.catalog.models import (
    Song,
    song_key,
)


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


def _max_length(name: str) -> int:
    if name in MAX_LENGTH:
        return MAX_LENGTH[name]
    try:
        return Song._meta.get_field(name).max_length or DEFAULT_MAX_LENGTH
    except FieldDoesNotExist:
        return DEFAULT_MAX_LENGTH


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
