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
* MoodyLyrics (`Index, Artist, Song|Title, Emotion|Mood`): each mood becomes emotion tags through
  music.emotions.MOODYLYRICS_MOODS. The published files repeat some songs with the same mood;
  such repeats are skipped with a warning, a repeat with a different mood is an error.

Every problem is reported with its line number, and the caller writes nothing unless the whole
file is clean.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlparse

import ftfy

from music.catalog.providers import PROVIDER_FIELDS, PROVIDERS, normalize_provider_id
from music.emotions import MOODYLYRICS_MOODS, format_tags, parse_tags
from music.models import LANGUAGE_RE, normalize_language, song_key

GENERIC_COLUMNS = (
    "title", "artist", "album", "year", "genre", "language", "duration", "tags", "valence", "arousal", "preview_url",
    "artwork_url", *PROVIDER_FIELDS, "active",
)  # fmt: skip
REQUIRED_COLUMNS = ("title", "artist")
URL_COLUMNS = ("preview_url", "artwork_url")
MAX_LENGTH = {
    "title": 300, "artist": 200, "album": 300, "genre": 40, "language": 16, "preview_url": 500, "artwork_url": 500,
}  # fmt: skip
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


def _duration(text: str) -> int | None:
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
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {text}")
    return value


def _generic_values(raw: dict[str, str]) -> dict:
    v: dict = {}
    v["title"], v["artist"] = raw["title"], raw["artist"]
    if not v["title"]:
        raise ValueError("title is empty")
    if not v["artist"]:
        raise ValueError("artist is empty")
    if "album" in raw:
        v["album"] = raw["album"]
    if "genre" in raw:
        v["genre"] = raw["genre"].lower()  # a name; the importer resolves it against the vocabulary
    if "language" in raw:
        language = normalize_language(raw["language"]) if raw["language"] else ""
        if language and not LANGUAGE_RE.match(language):
            raise ValueError(f"language must be an ISO 639 code such as en, pt-BR or zxx, got {language!r}")
        v["language"] = language
    if "year" in raw:
        if raw["year"] and not raw["year"].isdigit():
            raise ValueError(f"year is not a whole number: {raw['year']!r}")
        v["year"] = int(raw["year"]) if raw["year"] else None
        if v["year"] is not None and not 1000 <= v["year"] <= 2100:
            raise ValueError(f"year {v['year']} is out of range")
    if "duration" in raw:
        v["duration"] = _duration(raw["duration"])
    if "tags" in raw:
        v["emotions"] = parse_tags(raw["tags"])
    if "valence" in raw or "arousal" in raw:
        valence, arousal = raw.get("valence", ""), raw.get("arousal", "")
        if bool(valence) != bool(arousal):
            raise ValueError("give both valence and arousal, or neither")
        v["va_manual"] = bool(valence)
        if valence:
            v["valence"] = _float("valence", valence, -1, 1)
            v["arousal"] = _float("arousal", arousal, -1, 1)
    for name in URL_COLUMNS:
        if name in raw:
            url = raw[name]
            parsed = urlparse(url)
            if url and (parsed.scheme not in ("http", "https") or not parsed.netloc):
                raise ValueError(f"{name} is not an http(s) address: {url!r}")
            v[name] = url
    for name, provider in PROVIDERS.items():
        if provider.field in raw:
            v[provider.field] = normalize_provider_id(name, raw[provider.field])
    if "active" in raw:
        flag = raw["active"].lower()
        if flag not in TRUE | FALSE:
            raise ValueError(f"active must be true or false, got {raw['active']!r}")
        v["active"] = flag in TRUE
    return v


def _moody_values(raw: dict[str, str]) -> dict:
    if not raw["title"]:
        raise ValueError("title is empty")
    if not raw["artist"]:
        raise ValueError("artist is empty")
    mood = raw["mood"].lower()
    if mood not in MOODYLYRICS_MOODS:
        raise ValueError(f"unknown mood {raw['mood']!r} (expected one of: {', '.join(MOODYLYRICS_MOODS)})")
    return {"title": raw["title"], "artist": raw["artist"], "emotions": dict(MOODYLYRICS_MOODS[mood])}


def _header(parsed: ParsedCatalog, header: list[str]) -> list[str] | None:
    """Map the header to our column names, or record why it cannot be read."""
    names = [_clean(h).lower().replace(" ", "_") for h in header]
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
        parsed.fields = {"title", "artist", "emotions"}
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
    fields = set(names) - {"tags", "valence", "arousal"}
    if "tags" in names:
        fields.add("emotions")
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
    line = reader.line_num + 1
    for record in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(columns):
            parsed.error(start, f"has {len(record)} fields but the header has {len(columns)}")
            continue
        problem = None
        for name, cell in zip(columns, record, strict=True):
            limit = MAX_LENGTH.get(name, DEFAULT_MAX_LENGTH)
            if len(cell) > limit:
                problem = f"{name} is too long ({len(cell):,} characters, at most {limit})"
                break
            try:
                cell.encode("utf-8")
            except UnicodeEncodeError:
                problem = f"{name} is not valid UTF-8 text — save the file as UTF-8"
                break
        if problem:
            parsed.error(start, problem)
            continue
        raw = dict(zip(columns, _clean_row(record), strict=True))
        try:
            values = _moody_values(raw) if parsed.format == "moodylyrics" else _generic_values(raw)
        except ValueError as exc:
            parsed.error(start, str(exc))
            continue
        key = song_key(values["artist"], values["title"])
        if key in seen:
            first_line, first_values = seen[key]
            if parsed.format == "moodylyrics" and first_values["emotions"] == values["emotions"]:
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
        writer.writerow(
            [
                s.title, s.artist, s.album, s.year or "", s.genre.name if s.genre else "", s.language,
                s.duration or "", format_tags(s.emotions),
                f"{s.valence:g}" if s.va_manual else "", f"{s.arousal:g}" if s.va_manual else "", s.preview_url,
                s.artwork_url, *(getattr(s, f) for f in PROVIDER_FIELDS), "true" if s.active else "false",
            ]
        )  # fmt: skip
        yield flush()
