"""Writes of the catalogue: import, the genre vocabulary, curation (tags, active) and sources."""

import csv
import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from music.catalog.csv_format import parse_catalog
from music.catalog.models import Genre, Song, genre_key
from music.catalog.providers import PROVIDER_FIELDS
from music.emotions import EMOTIONS

IMPORT_BATCH = 2000


# 100,000 generic rows are about 9 MB; the limit keeps one upload from exhausting memory.
MAX_IMPORT_BYTES = settings.MAX_IMPORT_BYTES


DERIVED_FIELDS = ["artist_key", "valence", "arousal", "quadrant", "updated_at"]


GENRE_VOCABULARY = Path(__file__).resolve().parents[1] / "data" / "genres.csv"


@dataclass
class ImportReport:
    format: str = "generic"
    created: int = 0
    updated: int = 0
    skipped: int = 0
    dry_run: bool = False
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} problem(s) found; nothing was imported."
        verb = "would be" if self.dry_run else "were"
        return f"{self.format} file: {self.created} new song(s) and {self.updated} existing song(s) {verb} imported" + (
            f"; {self.skipped} repeated row(s) skipped." if self.skipped else "."
        )


def song_import(*, data: bytes, dry_run: bool = False) -> ImportReport:
    """Import a catalog CSV (generic or MoodyLyrics format): all rows or none.

    Re-importing a file updates the songs it names (matched on artist and title, ignoring case
    and spacing) and never duplicates them. Columns the file lacks are left as they are.
    """
    if len(data) > MAX_IMPORT_BYTES:
        message = f"the file has {len(data):,} bytes; at most {MAX_IMPORT_BYTES:,} can be imported at once, split it"
        return ImportReport(dry_run=dry_run, errors=[(1, message)])
    parsed = parse_catalog(data)
    report = ImportReport(format=parsed.format, dry_run=dry_run, errors=parsed.errors, warnings=parsed.warnings)
    report.skipped = len(parsed.warnings)
    if "genre" in parsed.fields:
        _resolve_genres(parsed.rows, report.errors)
    if report.errors:
        report.errors.sort(key=lambda error: error[0])
        return report
    songs = []
    for row in parsed.rows:
        song = Song(**row.values)
        song.refresh_derived()
        songs.append(song)
    keys = [s.key for s in songs]
    existing = set()
    for i in range(0, len(keys), 5000):
        existing |= set(Song.objects.filter(key__in=keys[i : i + 5000]).values_list("key", flat=True))
    report.updated = len(existing)
    report.created = len(songs) - report.updated
    if dry_run or not songs:
        return report
    now = timezone.now()
    for song in songs:
        song.created_at = song.updated_at = now
    update_fields = sorted((parsed.fields | set(DERIVED_FIELDS) | {"title", "artist"}) - {"key", "created_at"})
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _songs_upsert_pg(songs, update_fields)
        else:
            Song.objects.bulk_create(
                songs,
                batch_size=IMPORT_BATCH,
                update_conflicts=True,
                unique_fields=["key"],
                update_fields=update_fields,
            )
    return report


def _resolve_genres(rows, errors: list[tuple[int, str]]) -> None:
    """Replace each row's genre name by its vocabulary id; an unknown name is that row's error."""
    vocabulary = dict(Genre.objects.values_list("key", "id"))
    names = dict(Genre.objects.values_list("key", "name"))
    for row in rows:
        name = row.values.pop("genre")
        genre_id = vocabulary.get(genre_key(name)) if name else None
        if name and genre_id is None:
            close = difflib.get_close_matches(name, names.values(), n=1, cutoff=0.75)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            errors.append((row.line, f"unknown genre {name!r}{hint} (the vocabulary is under Admin → Genres)"))
        row.values["genre_id"] = genre_id


def genres_seed() -> int:
    """Add the starter genre vocabulary (music/data/genres.csv) where its names are missing.

    Idempotent, and it never moves or renames a genre a curator has edited. Returns how many
    genres it added."""
    existing = {g.key: g for g in Genre.objects.all()}
    added = 0
    with GENRE_VOCABULARY.open(encoding="utf-8") as fh, transaction.atomic():
        for row in csv.DictReader(fh):
            if genre_key(row["name"]) in existing:
                continue
            parent = existing.get(genre_key(row["parent"])) if row["parent"] else None
            genre = Genre(name=row["name"], parent=parent)
            genre.save()
            existing[genre.key] = genre
            added += 1
    return added


def _songs_upsert_pg(songs: list[Song], update_fields: list[str]) -> None:
    """COPY the rows into a temporary table, then one INSERT … ON CONFLICT (key) DO UPDATE.

    Several times faster than bulk_create for big files: COPY skips building and quoting huge
    multi-row statements. Runs inside the import's transaction."""
    table = Song._meta.db_table
    columns = [f.column for f in Song._meta.concrete_fields if not f.primary_key]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    updates = ", ".join(
        f"{connection.ops.quote_name(c)} = EXCLUDED.{connection.ops.quote_name(c)}"
        for c in (Song._meta.get_field(name).column for name in update_fields)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE song_import AS SELECT {quoted} FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY song_import ({quoted}) FROM STDIN") as copy:
            for song in songs:
                row = [getattr(song, c) for c in columns]
                row[columns.index("emotions")] = json.dumps(song.emotions)
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM song_import ON CONFLICT (key) DO UPDATE SET {updates}"
        )
        # Dropped here rather than ON COMMIT: inside a caller's transaction a second import would
        # otherwise find the table still there. On an error the rollback removes it.
        cursor.execute("DROP TABLE song_import")


def songs_tag_add(*, songs: QuerySet[Song], emotion: str, weight: float = 1.0) -> int:
    if emotion not in EMOTIONS:
        raise ValidationError(f"Unknown emotion {emotion!r}.")
    if not 0 < weight <= 1:
        raise ValidationError("The weight must be above 0 and at most 1.")
    return _songs_retag(songs, lambda tags: {**tags, emotion: round(weight, 3)})


def songs_tag_remove(*, songs: QuerySet[Song], emotion: str) -> int:
    if emotion not in EMOTIONS:
        raise ValidationError(f"Unknown emotion {emotion!r}.")
    return _songs_retag(songs, lambda tags: {k: v for k, v in tags.items() if k != emotion})


def _songs_retag(songs: QuerySet[Song], change) -> int:
    changed = []
    now = timezone.now()
    with transaction.atomic():
        for song in songs.select_related(None).select_for_update():
            song.emotions = change(song.emotions or {})
            song.refresh_derived()
            song.updated_at = now
            changed.append(song)
        Song.objects.bulk_update(changed, ["emotions", *DERIVED_FIELDS], batch_size=1000)
    return len(changed)


def songs_set_active(*, songs: QuerySet[Song], active: bool) -> int:
    return songs.update(active=active, updated_at=timezone.now())


SOURCE_FIELDS = ("preview_url", "artwork_url", *PROVIDER_FIELDS)


def song_sources_update(*, song: Song, **values) -> Song:
    """Set where a song can be heard: preview, artwork and provider ids (bare, see music.catalog.providers)."""
    unknown = set(values) - set(SOURCE_FIELDS)
    if unknown:
        raise ValidationError(f"Not a source field: {', '.join(sorted(unknown))}.")
    for name, value in values.items():
        setattr(song, name, value)
    song.clean_fields(exclude=[f.name for f in Song._meta.fields if f.name not in values])
    song.save(update_fields=[*values, "updated_at"])
    return song
