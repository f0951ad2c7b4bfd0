"""Writes of a listener's library: feedback (buttons and the player's events), ratings, playlists,
and the music part of "export my data"."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from music.catalog.genres import GenreResolver, read_aliases
from music.catalog.models import GENRE_SEPARATOR, Genre, Song
from music.library import selectors
from music.library.models import (
    Feedback,
    FeedbackKind,
    GenrePreference,
    ListenerPreferences,
    Playlist,
    PlaylistItem,
    Rating,
    Recommendation,
)


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


def lists_delete(*, user, recommendation_ids) -> None:
    """Forget some of the user's lists (ids: a list or a subquery), e.g. those nobody was shown, so
    that they no longer count as recent lists. Their feedback stays, as the user's taste."""
    Recommendation.objects.filter(user=user, pk__in=recommendation_ids).delete()


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


# The player's events (music/README.md, "Player"): played after 30 s or 80% of a preview, skipped
# when left within its first 10 s. A preview or a provider track is at most this long.
LISTENING_KINDS = (FeedbackKind.PLAYED, FeedbackKind.SKIPPED)


MAX_POSITION_SECONDS = 36000


def listening_event_create(
    *,
    user,
    song: Song,
    kind: str,
    position: float,
    recommendation: Recommendation | None = None,
    playlist: Playlist | None = None,
) -> tuple[Feedback, bool]:
    """Record what the player saw (played or skipped, at `position` seconds), once per song and list.

    The list is the recommendation or playlist the song was played from; without one, the day.
    A retry of the same event returns the stored one and `False`, so it never counts twice.
    Taste reads these events exactly as it reads the buttons' (same kinds, same table).
    """
    if kind not in LISTENING_KINDS:
        raise ValidationError(f"The player sends only {' or '.join(LISTENING_KINDS)} events, not {kind!r}.")
    if not 0 <= position <= MAX_POSITION_SECONDS:
        raise ValidationError(f"The position must be between 0 and {MAX_POSITION_SECONDS} seconds.")
    if recommendation is not None and playlist is not None:
        raise ValidationError("Name the recommendation or the playlist the song was played from, not both.")
    if recommendation is not None:
        if recommendation.user_id != user.pk:
            raise ValidationError("That recommendation belongs to someone else.")
        if not recommendation.items.filter(song=song).exists():
            raise ValidationError("That song is not in that recommendation.")
        where = f"r{recommendation.pk}"
    elif playlist is not None:
        if playlist.user_id != user.pk:
            raise ValidationError("That playlist belongs to someone else.")
        if not playlist.items.filter(song=song).exists():
            raise ValidationError("That song is not in that playlist.")
        where = f"p{playlist.pk}"
    else:
        where = f"d{timezone.localdate().isoformat()}"
    key = f"{kind}:{song.pk}:{where}"
    existing = Feedback.objects.filter(user=user, event_key=key).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                user=user, song=song, kind=kind, recommendation=recommendation, playlist=playlist,
                position=round(float(position), 2), event_key=key,
            )  # fmt: skip
    except IntegrityError:  # the same event arrived twice at once: the other request stored it
        return Feedback.objects.get(user=user, event_key=key), False
    return feedback, True


# Warm start (issue 29): how much a listener may state. A few choices are what onboarding asks
# for; the bounds keep the preference read and the candidate query small.
MAX_LIKED_GENRES, MAX_AVOIDED_GENRES, MAX_LIKED_ARTISTS = 10, 10, 20
ERA_MIN, ERA_MAX = 1900, 2100


def _genres_named(names: list[str], field: str, errors: dict) -> list[Genre]:
    """The vocabulary genres of these names (any case or spacing); an unknown one is an error that
    suggests the closest name (an alias such as "rap" suggests its genre, "hip-hop")."""
    vocabulary = list(Genre.objects.all())
    resolver = GenreResolver(((g.pk, g.name, g.path) for g in vocabulary), read_aliases())
    by_id = {g.pk: g for g in vocabulary}
    found = []
    for name in names:
        resolved = resolver.resolve(name)
        if resolved.ok and resolved.how == "exact":
            found.append(by_id[resolved.genre_id])
            continue
        suggestion = by_id[resolved.genre_id].name if resolved.ok else resolved.suggestion
        hint = f"did you mean {suggestion!r}?" if suggestion else "GET /api/v1/genres/ lists them."
        errors.setdefault(field, []).append(f"Unknown genre {name!r}; {hint}")
    return list({g.pk: g for g in found}.values())  # each once, in the order given


def preferences_update(
    *, user, likes_genres: list[str], avoid_genres: list[str], likes_artists: list[str], eras: list[int] | None
) -> ListenerPreferences:
    """Replace what the listener said they like and avoid (onboarding, the profile, the API).

    Genres are vocabulary names; an avoided genre covers its sub-genres, so liking one under it is
    refused rather than silently ignored. Artists must be in the catalogue (stored as it spells
    them). `eras` is [from, to] in years, or None. Raises ValidationError {field: [messages]}."""
    errors: dict[str, list[str]] = {}
    for field, values, limit in (
        ("likes_genres", likes_genres, MAX_LIKED_GENRES),
        ("avoid_genres", avoid_genres, MAX_AVOIDED_GENRES),
        ("likes_artists", likes_artists, MAX_LIKED_ARTISTS),
    ):
        if len(values) > limit:
            errors[field] = [f"At most {limit} items, not {len(values)}."]
    if errors:
        raise ValidationError(errors)
    liked = _genres_named(likes_genres, "likes_genres", errors)
    avoid = _genres_named(avoid_genres, "avoid_genres", errors)
    for genre in liked:
        over = next((a for a in avoid if (genre.path + GENRE_SEPARATOR).startswith(a.path + GENRE_SEPARATOR)), None)
        if over is not None:
            what = "you also avoid it" if over.pk == genre.pk else f"it is under {over.name}, which you avoid"
            errors.setdefault("likes_genres", []).append(f"You cannot like {genre.name}: {what}.")
    known = selectors.artists_known(likes_artists)
    artists = []
    for name in likes_artists:
        spelled = known.get(selectors.artist_key(name))
        if spelled is None:
            close = selectors.artist_suggestion(name)
            hint = f"; did you mean {close!r}?" if close else "."
            errors.setdefault("likes_artists", []).append(f"No artist {name!r} in the catalogue{hint}")
        elif spelled not in artists:
            artists.append(spelled)
    if eras is not None:
        start, end = eras
        if not (ERA_MIN <= start <= ERA_MAX and ERA_MIN <= end <= ERA_MAX):
            errors["eras"] = [f"Years go from {ERA_MIN} to {ERA_MAX}."]
        elif start > end:
            errors["eras"] = [f"The range starts after it ends ({start} > {end}): give [from, to]."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        prefs, _ = ListenerPreferences.objects.select_for_update().get_or_create(user=user)
        prefs.likes_artists = artists
        prefs.era_from, prefs.era_to = eras if eras is not None else (None, None)
        prefs.onboarded_at = prefs.onboarded_at or timezone.now()
        prefs.save()
        prefs.genres.all().delete()
        GenrePreference.objects.bulk_create(
            [GenrePreference(preferences=prefs, genre=g) for g in liked]
            + [GenrePreference(preferences=prefs, genre=g, avoid=True) for g in avoid]
        )
    return selectors.preferences_get(user=user)


def preferences_skip(*, user) -> ListenerPreferences:
    """Onboarding skipped: remember it, so it is not offered again (the profile still edits them)."""
    prefs, created = ListenerPreferences.objects.get_or_create(user=user, defaults={"onboarded_at": timezone.now()})
    if not created and prefs.onboarded_at is None:
        prefs.onboarded_at = timezone.now()
        prefs.save(update_fields=["onboarded_at", "updated_at"])
    return prefs


def preferences_export(prefs: ListenerPreferences | None) -> dict:
    """The preferences as the API and the data export show them."""
    choices = list(prefs.genres.all()) if prefs else []
    return {
        "likes_genres": [c.genre.name for c in choices if not c.avoid],
        "avoid_genres": [c.genre.name for c in choices if c.avoid],
        "likes_artists": list(prefs.likes_artists) if prefs else [],
        "eras": prefs.eras if prefs else None,
        "onboarded_at": prefs.onboarded_at if prefs else None,
        "updated_at": prefs.updated_at if prefs else None,
    }


def user_data_export(user) -> dict:
    """Every record the music app holds about the user (registered with accounts.data_rights)."""
    return {
        "preferences": preferences_export(selectors.preferences_get(user=user)),
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
