"""Writes of the catalogue: the genre vocabulary, curation (tags, review, active) and sources. Importing
a file is music.catalog.importing."""

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from music.catalog.importing import DERIVED_FIELDS
from music.catalog.models import MACHINE_TAG_SOURCES, Genre, Song, TagSource, genre_key
from music.catalog.providers import PROVIDER_FIELDS
from music.emotions import EMOTIONS

GENRE_VOCABULARY = Path(__file__).resolve().parents[1] / "data" / "genres.csv"


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
            mark_curated(song)
            song.refresh_derived()
            song.updated_at = now
            changed.append(song)
        Song.objects.bulk_update(changed, ["emotions", *CURATION_FIELDS, *DERIVED_FIELDS], batch_size=1000)
    return len(changed)


# What a person's change of a song's tags sets: the tags are theirs now, and reviewed.
CURATION_FIELDS = ["tag_source", "tag_confidence", "tags_reviewed"]


def mark_curated(song: Song) -> None:
    """A person set these tags (the admin's weights or a bulk tag action): curated and reviewed."""
    song.tag_source, song.tag_confidence, song.tags_reviewed = TagSource.CURATED, None, True


def songs_tags_approve(*, songs: QuerySet[Song]) -> int:
    """A curator approves the machine tags of these songs as they are: they leave the review queue
    and a later import no longer refreshes them. Curated songs are left as they are."""
    return songs.filter(tag_source__in=MACHINE_TAG_SOURCES, tags_reviewed=False).update(
        tags_reviewed=True, updated_at=timezone.now()
    )


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
