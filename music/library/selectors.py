"""Reads of a listener's library (always scoped to a user): lists, likes, playlists, ratings, and for
other apps the songs of some lists and the feedback given on them."""

import difflib

from django.db.models import Count, Min, Prefetch, QuerySet

from music.catalog.identity import song_key
from music.catalog.models import Song
from music.emotions import EMOTION_VA, EMOTIONS
from music.library import links
from music.library.models import (
    Feedback,
    FeedbackKind,
    GenrePreference,
    ListenerPreferences,
    Playlist,
    PlaylistItem,
    Rating,
    Recommendation,
    RecommendationItem,
)


def items_with_songs() -> Prefetch:
    """Prefetch a list's items with their songs and genres, in one query whatever the length."""
    return Prefetch("items", queryset=RecommendationItem.objects.select_related("song__genre"))


def recommendation_list(*, user) -> QuerySet[Recommendation]:
    """The user's own lists with their songs and `check_in_id` (anyone else's are simply not in it)."""
    return links.with_check_in_id(Recommendation.objects.filter(user=user).prefetch_related(items_with_songs()))


def liked_songs(*, user) -> QuerySet[Song]:
    return (
        Song.objects.filter(ratings__user=user, ratings__value=1)
        .select_related("genre")
        .order_by("-ratings__updated_at")
    )


def playlist_list(*, user) -> QuerySet[Playlist]:
    return Playlist.objects.filter(user=user).prefetch_related(
        Prefetch("items", queryset=PlaylistItem.objects.select_related("song__genre"))
    )


def ratings_for(*, user, song_ids) -> dict[int, int]:
    return dict(Rating.objects.filter(user=user, song_id__in=list(song_ids)).values_list("song_id", "value"))


FEEDBACK_KINDS: tuple[str, ...] = tuple(FeedbackKind.values)


# How pleasant each emotion is (-1..1), from the circumplex the recommender uses.
EMOTION_VALENCE: dict[str, float] = {name: EMOTION_VA[name][0] for name in EMOTIONS}


def list_songs(*, recommendation_ids) -> dict[int, list[tuple[int, int, str, str]]]:
    """{list id: [(rank, song id, title, artist), ...]} in rank order, in one query."""
    songs: dict[int, list[tuple[int, int, str, str]]] = {}
    for rec_id, *row in (
        RecommendationItem.objects.filter(recommendation_id__in=list(recommendation_ids))
        .order_by("recommendation_id", "rank")
        .values_list("recommendation_id", "rank", "song_id", "song__title", "song__artist")
    ):
        songs.setdefault(rec_id, []).append(tuple(row))
    return songs


def feedback_kinds(*, user, recommendation_ids) -> dict[tuple[int, int], list[str]]:
    """{(list id, song id): the feedback kinds given on that song in that list, first given first}."""
    kinds: dict[tuple[int, int], list[str]] = {}
    for rec_id, song_id, kind in (
        Feedback.objects.filter(user=user, recommendation_id__in=list(recommendation_ids))
        .order_by("created_at", "id")
        .values_list("recommendation_id", "song_id", "kind")
    ):
        seen = kinds.setdefault((rec_id, song_id), [])
        if kind not in seen:
            seen.append(kind)
    return kinds


def listening_events(*, user, recommendation_ids, since=None) -> list[dict]:
    """The player's events (played, skipped) and the buttons' (like, dislike) on songs of some lists,
    oldest first, each with the song's point on the valence/arousal plane: one query."""
    rows = Feedback.objects.filter(user=user, recommendation_id__in=list(recommendation_ids))
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    fields = ("created_at", "kind", "recommendation_id", "song_id", "song__title", "song__artist",
              "song__valence", "song__arousal")  # fmt: skip
    names = ("at", "kind", "recommendation", "song", "title", "artist", "valence", "arousal")
    return [dict(zip(names, row, strict=True)) for row in rows.order_by("created_at", "id").values_list(*fields)]


def most_liked(*, user, since=None, until=None, recommendation_ids=None, limit: int = 5) -> list[dict]:
    """The songs the user liked most (by like events), optionally only between `since` and `until`
    or only in some lists (ids: a list or a subquery): [{id, title, artist, likes}]."""
    limits = {"created_at__gte": since, "created_at__lt": until, "recommendation_id__in": recommendation_ids}
    likes = Feedback.objects.filter(
        user=user, kind=FeedbackKind.LIKE, **{k: v for k, v in limits.items() if v is not None}
    )
    rows = (
        likes.order_by()
        .values("song_id", "song__title", "song__artist")
        .annotate(likes=Count("id"))
        .order_by("-likes", "song__artist", "song__title")[:limit]
    )
    return [
        {"id": r["song_id"], "title": r["song__title"], "artist": r["song__artist"], "likes": r["likes"]} for r in rows
    ]


def preferences_get(*, user) -> ListenerPreferences | None:
    """The listener's stated preferences (warm start) with their genres, or None before onboarding."""
    return (
        ListenerPreferences.objects.filter(user=user)
        .prefetch_related(Prefetch("genres", queryset=GenrePreference.objects.select_related("genre")))
        .first()
    )


def artist_key(name: str) -> str:
    """The key songs carry for an artist name (Song.artist_key): case and spacing do not matter."""
    return song_key(name, "").split("\x1f", 1)[0][:200]


ARTIST_SEARCH_LIMIT = 10


def artist_search(q: str, *, limit: int = ARTIST_SEARCH_LIMIT) -> list[dict]:
    """Catalogue artists whose name contains `q` (search as you type), those starting with it
    first, most songs first: [{name, songs}]."""
    q = " ".join(q.split())
    if len(q) < 2:
        return []
    rows = (
        Song.objects.filter(active=True, artist__icontains=q)
        .values("artist_key")
        .annotate(name=Min("artist"), songs=Count("id"))
        .order_by("-songs", "name")[:200]
    )
    prefix = q.casefold()
    ranked = sorted(rows, key=lambda r: (not r["name"].casefold().startswith(prefix), -r["songs"], r["name"]))
    return [{"name": r["name"], "songs": r["songs"]} for r in ranked[:limit]]


def artist_suggestion(name: str) -> str:
    """The catalogue artist closest to a name nobody has (a typo), or "": a name containing it, else
    the closest spelling among artists with the same first letter (a bounded set to compare)."""
    found = artist_search(name, limit=1)
    if found:
        return found[0]["name"]
    name = " ".join(name.split())
    if not name:
        return ""
    names = set(Song.objects.filter(active=True, artist__istartswith=name[0]).values_list("artist", flat=True)[:5000])
    close = difflib.get_close_matches(name.casefold(), {n.casefold(): n for n in names}, n=1, cutoff=0.75)
    return {n.casefold(): n for n in names}[close[0]] if close else ""


def artists_known(names: list[str]) -> dict[str, str]:
    """{artist key: the catalogue's spelling} for those of `names` that have an active song."""
    keys = {artist_key(name) for name in names}
    rows = Song.objects.filter(active=True, artist_key__in=keys).values("artist_key").annotate(name=Min("artist"))
    return {r["artist_key"]: r["name"] for r in rows}
