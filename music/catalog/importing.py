"""Importing a catalogue file: all rows or none, and never overwriting what a curator made.

`song_import()` parses the file (music.catalog.csv_format), reads each genre name onto the
vocabulary (music.catalog.genres), then compares every row with the song it names, if any
(matched on artist and title, ignoring case and spacing):

* a new song is added;
* an existing song gains the values it lacks (an empty field, untagged, or machine tags that a
  curator has not reviewed, replaced by newer machine tags), and keeps every other value, so a
  curator's tags and edited fields stay; each such difference is reported as kept;
* with `replace=True` every value the file gives replaces the song's (an empty cell never does).

The report lists each change by song and field (old → new), applied or kept, and counts songs
added, updated and unchanged; a dry run reports the same without writing.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from music.catalog.csv_format import TAG_FIELDS, ParsedCatalog, parse_catalog
from music.catalog.genres import GenreResolver, read_aliases
from music.catalog.models import MACHINE_TAG_SOURCES, Genre, Song
from music.emotions import format_tags

IMPORT_BATCH = 2000
KEY_BATCH = 5000
# 100,000 generic rows are about 9 MB; the limit keeps one upload from exhausting memory.
MAX_IMPORT_BYTES = settings.MAX_IMPORT_BYTES
# Recomputed by Song.refresh_derived() whenever the fields they come from change.
DERIVED_FIELDS = ["artist_key", "valence", "arousal", "quadrant", "updated_at"]
# How many changes a report keeps for the page (all are counted).
MAX_LISTED_CHANGES = 500


@dataclass(frozen=True)
class Change:
    line: int
    song: str
    field: str
    old: str
    new: str
    applied: bool


@dataclass
class ImportReport:
    format: str = "generic"
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # repeated rows
    kept: int = 0  # values the file would change but that were left as they are
    dry_run: bool = False
    replace: bool = False
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def note(self, change: Change) -> None:
        if not change.applied:
            self.kept += 1
        if len(self.changes) < MAX_LISTED_CHANGES:
            self.changes.append(change)

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} problem(s) found; nothing was imported."
        verb = "would be" if self.dry_run else "were"
        text = (
            f"{self.format} file: {self.created} song(s) {verb} added, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        if self.kept:
            text += f"; {self.kept} existing value(s) kept (replacing them is an explicit choice)"
        if self.skipped:
            text += f"; {self.skipped} repeated row(s) skipped"
        return text + "."


def song_import(*, data: bytes, dry_run: bool = False, replace: bool = False) -> ImportReport:
    """Import a catalogue CSV (generic, TidyTuesday or Kaggle Spotify, or MoodyLyrics): all rows or none."""
    report = ImportReport(dry_run=dry_run, replace=replace)
    if len(data) > MAX_IMPORT_BYTES:
        message = f"the file has {len(data):,} bytes; at most {MAX_IMPORT_BYTES:,} can be imported at once, split it"
        report.errors.append((1, message))
        return report
    parsed = parse_catalog(data)
    report.format, report.errors, report.warnings = parsed.format, parsed.errors, parsed.warnings
    report.skipped = len(parsed.warnings)
    if "genre" in parsed.fields:
        _resolve_genres(parsed, report.errors)
    if report.errors:
        report.errors.sort(key=lambda error: error[0])
        return report
    new, updated, fields = _compare(parsed, report)
    if dry_run or not (new or updated):
        return report
    now = timezone.now()
    for song in new:
        song.created_at = song.updated_at = now
    for song in updated:
        song.updated_at = now
    with transaction.atomic():
        Song.objects.bulk_create(new, batch_size=IMPORT_BATCH)
        if updated:
            Song.objects.bulk_update(updated, sorted(fields | set(DERIVED_FIELDS)), batch_size=IMPORT_BATCH // 4)
    return report


def _resolve_genres(parsed: ParsedCatalog, errors: list[tuple[int, str]]) -> None:
    """Replace each row's genre name by its vocabulary id; an unknown name is that row's error."""
    resolver = GenreResolver(Genre.objects.values_list("id", "name", "path"), read_aliases())
    for row in parsed.rows:
        name, family = row.values.pop("genre", ""), row.values.pop("genre_family", "")
        if not name and not family:
            row.values["genre_id"] = None
            continue
        found = resolver.resolve_within(name, family) if family else resolver.resolve(name)
        if not found.ok:
            hint = f"; did you mean {found.suggestion!r}?" if found.suggestion else ""
            shown = f"{name!r} (family {family!r})" if name and family else repr(name or family)
            errors.append((row.line, f"unknown genre {shown}{hint} (the vocabulary is under Admin → Genres)"))
        row.values["genre_id"] = found.genre_id


def _existing(keys: list[str]) -> dict[str, Song]:
    found = {}
    for i in range(0, len(keys), KEY_BATCH):
        found.update({s.key: s for s in Song.objects.filter(key__in=keys[i : i + KEY_BATCH])})
    return found


def _compare(parsed: ParsedCatalog, report: ImportReport) -> tuple[list[Song], list[Song], set[str]]:
    """Songs to add, songs to update (changed in place) and the fields that changed."""
    incoming = []
    for row in parsed.rows:
        song = Song(**row.values)
        song.refresh_derived()
        incoming.append((row, song))
    existing = _existing([song.key for _, song in incoming])
    genres = dict(Genre.objects.values_list("id", "name")) if existing else {}
    new, updated, fields = [], [], set()
    for row, song in incoming:
        old = existing.get(song.key)
        if old is None:
            new.append(song)
            report.created += 1
            continue
        changed = _merge(old, song, row.values.keys(), row.line, report, genres)
        if changed:
            old.refresh_derived()
            updated.append(old)
            fields |= changed
            report.updated += 1
        else:
            report.unchanged += 1
    return new, updated, fields


def _empty(value) -> bool:
    return value is None or value == "" or value == {}


def _merge(old: Song, new: Song, given, line: int, report: ImportReport, genres: dict[int, str]) -> set[str]:
    """Apply the file's values to an existing song as the rules above say; return the fields changed."""
    changed = set()
    for name in sorted(set(given) - set(TAG_FIELDS)):
        before, after = getattr(old, name), getattr(new, name)
        if _empty(after) or before == after:
            continue
        apply = report.replace or _empty(before)
        if name == "genre_id":
            shown = ("genre", _shown(genres.get(before)), _shown(genres.get(after)))
        else:
            shown = (name, _shown(before), _shown(after))
        report.note(Change(line, str(old), *shown, apply))
        if apply:
            setattr(old, name, after)
            changed.add(name)
    if "emotions" in given and new.emotions and (new.emotions, new.tag_source) != (old.emotions, old.tag_source):
        machine_refresh = old.needs_review and new.tag_source in MACHINE_TAG_SOURCES
        apply = report.replace or not old.emotions or machine_refresh
        report.note(Change(line, str(old), "tags", format_tags(old.emotions), format_tags(new.emotions), apply))
        if apply:
            for name in TAG_FIELDS:
                setattr(old, name, getattr(new, name))
            changed |= set(TAG_FIELDS)
    return changed


def _shown(value) -> str:
    return "—" if _empty(value) else str(value)
