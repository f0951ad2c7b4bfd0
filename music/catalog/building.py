"""Building the shipped catalogue, music/data/catalog.csv.gz, from an audio-features file.

    python manage.py build_catalog [--source ../shared/data/catalog/spotify_songs.csv]

The source is read by the importer's own parser (any layout it knows), so every song gets the same
checks, genre rules and machine tags as an import would give it. One song per artist + title
(music.catalog.identity.song_key); genre names are read onto the vocabulary in
music/data/genres.csv (the sub-genre where the vocabulary has it or it clearly belongs to the row's
family, else the family). The hand-tagged starter catalogue (music/data/starter_catalog.csv) is
merged in: a starter song keeps its curated tags and fields and gains the Spotify id, popularity
and audio features of its track (matched on the exact key, else with a version suffix such as
"- Remastered" removed from both titles); a starter song the source lacks is shipped inactive, since
the page cannot play it: a curator activates it once it has a source (a YouTube or Spotify id, or a
preview from enrich_catalog), so a first list never offers a song that will not play.

The result is the generic CSV format, sorted by artist and title and gzipped without a timestamp,
so the same inputs build the same bytes. No database is used: the build runs anywhere.
"""

import csv
import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path

from music.catalog.csv_format import TAG_FIELDS, parse_catalog, songs_to_csv
from music.catalog.genres import GenreResolver, read_aliases
from music.catalog.identity import base_title, song_key
from music.catalog.models import GENRE_SEPARATOR, Genre, Song, TagSource

DATA = Path(__file__).resolve().parents[1] / "data"
SHIPPED_CATALOG = DATA / "catalog.csv.gz"
STARTER_CATALOG = DATA / "starter_catalog.csv"
GENRE_VOCABULARY = DATA / "genres.csv"
DEFAULT_SOURCE = Path(__file__).resolve().parents[3] / "shared" / "data" / "catalog" / "spotify_songs.csv"
# Where the shipped catalogue comes from, for the data-sources page and the model card.
SOURCE_NOTE = {
    "name": "Song catalogue (Spotify tracks with audio features)",
    "source": "TidyTuesday 2020-01-21, spotify_songs.csv (rfordatascience/tidytuesday), collected from "
    "Spotify's Web API with the spotifyr R package by Kaylin Pavlik",
    "licence": "MIT (the TidyTuesday repository); track metadata and audio features are Spotify's",
    "used_for": "the songs you are offered: titles, artists, albums, years, genres, Spotify ids and the "
    "audio features their mood tags are read from",
}


@dataclass
class BuildReport:
    rows: int = 0
    songs: int = 0
    repeated_rows: int = 0
    starter_exact: int = 0
    starter_by_base_title: int = 0
    starter_only: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def vocabulary_rows(path: Path = GENRE_VOCABULARY) -> list[tuple[int, str, str]]:
    """(id, name, path) of each genre in the vocabulary file, the shape GenreResolver reads."""
    with path.open(encoding="utf-8") as fh:
        parents = {row["name"]: row["parent"] for row in csv.DictReader(fh)}

    def genre_path(name: str) -> str:
        chain = [name]
        while parents.get(chain[-1]):
            chain.append(parents[chain[-1]])
        return GENRE_SEPARATOR.join(reversed(chain))

    return [(i, name, genre_path(name)) for i, name in enumerate(parents, start=1)]


def build(source: Path, starter: Path = STARTER_CATALOG) -> tuple[list[Song], BuildReport]:
    report = BuildReport()
    parsed = parse_catalog(source.read_bytes())
    report.rows = len(parsed.rows) + len(parsed.warnings)
    report.repeated_rows = len(parsed.warnings)
    names = {pk: path.rsplit(GENRE_SEPARATOR, 1)[-1] for pk, _, path in vocabulary_rows()}
    resolver = GenreResolver(vocabulary_rows(), read_aliases())
    songs: dict[str, dict] = {}
    by_base: dict[str, str] = {}
    for row in parsed.rows:
        values = dict(row.values)
        name, family = values.pop("genre", ""), values.pop("genre_family", "")
        found = resolver.resolve_within(name, family)
        if not found.ok:
            report.errors.append((row.line, f"unknown genre {name or family!r}"))
        values["genre"] = names.get(found.genre_id, "")
        key = song_key(values["artist"], values["title"])
        songs[key] = values
        by_base.setdefault(song_key(values["artist"], base_title(values["title"])), key)
    report.errors += parsed.errors
    _merge_starter(songs, by_base, starter, report)
    report.songs = len(songs)
    ordered = sorted(songs.values(), key=lambda v: (v["artist"].casefold(), v["title"].casefold()))
    return [_song(values) for values in ordered], report


def _merge_starter(songs: dict[str, dict], by_base: dict[str, str], starter: Path, report: BuildReport) -> None:
    parsed = parse_catalog(starter.read_bytes())
    report.errors += [(line, f"{starter.name}: {message}") for line, message in parsed.errors]
    for row in parsed.rows:
        curated = dict(row.values)
        key = song_key(curated["artist"], curated["title"])
        match = key if key in songs else by_base.get(song_key(curated["artist"], base_title(curated["title"])))
        if match is None:
            report.starter_only += 1
            songs[key] = curated
            continue
        if match == key:
            report.starter_exact += 1
        else:
            report.starter_by_base_title += 1
        track = {k: v for k, v in songs.pop(match).items() if k not in TAG_FIELDS}
        # The person's tags, fields and spelling win; the track adds what the person did not type.
        merged = {**track, **{k: v for k, v in curated.items() if v not in (None, "", {})}}
        merged.update(tag_source=TagSource.CURATED, va_manual=curated.get("va_manual", False))
        songs[key] = merged


def _song(values: dict) -> Song:
    values = dict(values)
    genre = values.pop("genre", "")
    playable = any(values.get(name) for name in ("spotify_id", "youtube_id", "preview_url"))
    return Song(**values, active=playable, genre=Genre(name=genre) if genre else None)


def write(songs: list[Song], path: Path = SHIPPED_CATALOG) -> int:
    """Write the catalogue gzipped, with no timestamp in the header: the same songs, the same bytes."""
    text = "".join(songs_to_csv(songs))
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as fh:
        fh.write(text.encode("utf-8"))
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def read_shipped(path: Path = SHIPPED_CATALOG) -> bytes:
    return gzip.decompress(path.read_bytes())
