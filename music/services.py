"""Writes and workflows of the music app: catalog import and curation, recommendations, feedback."""

import csv
import difflib
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from music import recommender, selectors
from music.catalog_csv import parse_catalog
from music.emotions import EMOTIONS, normalize_distribution
from music.models import (
    Feedback,
    FeedbackKind,
    Genre,
    Playlist,
    PlaylistItem,
    Rating,
    Recommendation,
    RecommendationItem,
    Song,
    genre_key,
)

LIST_LENGTH = 10
IMPORT_BATCH = 2000
# 100,000 generic rows are about 9 MB; the limit keeps one upload from exhausting memory.
MAX_IMPORT_BYTES = settings.MAX_IMPORT_BYTES
DERIVED_FIELDS = ["artist_key", "valence", "arousal", "quadrant", "updated_at"]
GENRE_VOCABULARY = Path(__file__).resolve().parent / "data" / "genres.csv"


# --- Catalog ---------------------------------------------------------------


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


# --- Recommendations -------------------------------------------------------


def recommendation_create(*, user, emotions: dict[str, float], check_in=None, goal=None, seed=None) -> Recommendation:
    """Choose, store and return a list of songs for this user in this mood.

    `emotions` is a distribution over the 8 emotion names; `goal` defaults to the user's profile
    goal; `check_in` (a detection CheckIn or its id) links the list to the selfie it came
    from; the same `seed` with the same history and catalog gives the same list.
    Raises ValidationError for a malformed distribution or goal.
    """
    try:
        distribution = normalize_distribution(emotions)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    goal = goal or user.goal
    if goal not in recommender.GOALS:
        raise ValidationError(f"Unknown goal {goal!r}; choose one of {', '.join(recommender.GOALS)}.")
    seed = secrets.randbits(62) if seed is None else int(seed)
    history = selectors.history_for(user=user)
    targets = recommender.targets_for(distribution, goal, LIST_LENGTH)
    candidates = selectors.candidates_for(user=user, history=history, targets=targets, seed=seed)
    picks = recommender.recommend(
        distribution, candidates, history, goal=goal, seed=seed, n=LIST_LENGTH, detected=check_in is not None
    )
    check_in_id = getattr(check_in, "pk", check_in)
    rec = Recommendation(
        user=user,
        check_in_id=check_in_id,
        goal=goal,
        emotions={name: round(distribution[name], 4) for name in EMOTIONS},
        seed=seed,
    )
    if connection.vendor == "postgresql":
        _recommendation_insert_pg(rec, picks)
        return rec
    with transaction.atomic():
        rec.save()
        RecommendationItem.objects.bulk_create(
            RecommendationItem(
                recommendation=rec, rank=p.rank, song_id=p.song_id, score=p.score, explanation=p.explanation
            )
            for p in picks
        )
    return rec


def _recommendation_insert_pg(rec: Recommendation, picks: list[recommender.Pick]) -> None:
    """Store a list and its items in one statement: one round trip instead of five (BEGIN, two
    INSERTs, COMMIT and the savepoint bookkeeping), which matters on a busy database server.
    A single statement is atomic on its own, and joins the caller's transaction if there is one."""
    rec.created_at = timezone.now()
    rec_table, item_table = Recommendation._meta.db_table, RecommendationItem._meta.db_table
    sql = f"""
        WITH rec AS (
            INSERT INTO {rec_table} (user_id, check_in_id, goal, emotions, seed, created_at)
            VALUES (%s, %s, %s, %s::jsonb, %s, %s) RETURNING id
        ), items AS (
            INSERT INTO {item_table} (recommendation_id, rank, song_id, score, explanation)
            SELECT rec.id, i.rank, i.song_id, i.score, i.explanation FROM rec,
                unnest(%s::smallint[], %s::bigint[], %s::float8[], %s::text[]) AS i(rank, song_id, score, explanation)
        )
        SELECT id FROM rec
    """
    params = [
        rec.user_id, rec.check_in_id, rec.goal, json.dumps(rec.emotions), rec.seed, rec.created_at,
        [p.rank for p in picks], [p.song_id for p in picks], [p.score for p in picks], [p.explanation for p in picks],
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rec.pk = cursor.fetchone()[0]
    rec._state.adding = False


# --- Feedback and playlists ------------------------------------------------


def feedback_create(*, user, song: Song, kind: str, recommendation: Recommendation | None = None) -> Feedback:
    """Record a listening event; a like or dislike also becomes the user's current rating of the song."""
    if kind not in FeedbackKind.values:
        raise ValidationError(f"Unknown feedback kind {kind!r}; choose one of {', '.join(FeedbackKind.values)}.")
    if recommendation is not None and recommendation.user_id != user.pk:
        raise ValidationError("That recommendation belongs to someone else.")
    with transaction.atomic():
        feedback = Feedback.objects.create(user=user, song=song, kind=kind, recommendation=recommendation)
        if kind in (FeedbackKind.LIKE, FeedbackKind.DISLIKE):
            Rating.objects.update_or_create(
                user=user, song=song, defaults={"value": 1 if kind == FeedbackKind.LIKE else -1}
            )
    return feedback


def rating_delete(*, user, song: Song) -> None:
    """Forget a like or dislike (the events stay in the log)."""
    Rating.objects.filter(user=user, song=song).delete()


def playlist_create(*, user, name: str, songs: list[Song], recommendation: Recommendation | None = None) -> Playlist:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the playlist a name.")
    if len(name) > 120:
        raise ValidationError("The name is too long (at most 120 characters).")
    if not songs:
        raise ValidationError("A playlist needs at least one song.")
    if len(songs) > 500:
        raise ValidationError("A playlist holds at most 500 songs.")
    with transaction.atomic():
        playlist = Playlist.objects.create(user=user, name=name, recommendation=recommendation)
        PlaylistItem.objects.bulk_create(
            PlaylistItem(playlist=playlist, position=i, song=song) for i, song in enumerate(songs, start=1)
        )
    return playlist


def playlist_from_recommendation(*, user, recommendation: Recommendation, name: str = "") -> Playlist:
    if recommendation.user_id != user.pk:
        raise ValidationError("That recommendation belongs to someone else.")
    songs = [item.song for item in recommendation.items.select_related("song")]
    label = timezone.localtime(recommendation.created_at).strftime("%Y-%m-%d %H:%M")
    default = f"{recommendation.top_emotion.capitalize()} · {label}"
    return playlist_create(user=user, name=name or default, songs=songs, recommendation=recommendation)


def playlist_delete(*, playlist: Playlist) -> None:
    playlist.delete()


# --- Data rights -----------------------------------------------------------


def user_data_export(user) -> dict:
    """Every record the music app holds about the user (registered with accounts.data_rights)."""
    return {
        "ratings": [
            {"song": r.song_id, "title": r.song.title, "artist": r.song.artist, "value": r.value,
             "updated_at": r.updated_at.isoformat()}
            for r in Rating.objects.filter(user=user).select_related("song")
        ],
        "feedback": [
            {"song": f.song_id, "kind": f.kind, "recommendation": f.recommendation_id, "playlist": f.playlist_id,
             "position": f.position, "created_at": f.created_at.isoformat()}
            for f in Feedback.objects.filter(user=user)
        ],
        "recommendations": [
            {"id": r.id, "check_in": r.check_in_id, "goal": r.goal, "emotions": r.emotions,
             "created_at": r.created_at.isoformat(),
             "items": [{"rank": i.rank, "song": i.song_id, "title": i.song.title, "artist": i.song.artist,
                        "score": i.score, "explanation": i.explanation} for i in r.items.all()]}
            for r in selectors.recommendation_list(user=user)
        ],
        "playlists": [
            {"id": p.id, "name": p.name, "created_at": p.created_at.isoformat(),
             "songs": [{"song": i.song_id, "title": i.song.title, "artist": i.song.artist} for i in p.items.all()]}
            for p in selectors.playlist_list(user=user)
        ],
    }  # fmt: skip
