"""The recommender's reads: a listener's history and taste evidence, collaborative scores and the
few hundred candidate songs worth scoring, each in one round trip of index-backed SQL."""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta
from operator import attrgetter

import numpy as np

from music.catalog.genres import GenreResolver, read_aliases
from music.catalog.paths import path_names
from music.emotions import EMOTIONS, quadrant_of, va_point
from music.library import selectors as library
from music.models import (
    GENRE_SEPARATOR,
    FeedbackKind,
    Genre,
)
from music.recommendation import asked, preferences, queries, sql
from music.recommendation.records import Candidate, History
from music.recommendation.taste import Features, Observation, Sound

RECENT_LISTS = 3  # songs of the listener's last 3 lists are never repeated
TASTE_LISTS = 12  # lists read for the songs shown and left alone (taste evidence)
HISTORY_RATINGS = 150  # newest likes/dislikes read for taste (every dislike is excluded in SQL)
HISTORY_EVENTS = 200  # newest plays/skips read for taste and recency
RECENT_PLAY_WINDOW = timedelta(days=7)
TARGET_EMOTIONS = 3  # the emotions that weigh most in any rank's target
PER_EMOTION = 40  # best songs per target emotion
EXPLORE = 25  # seeded sample from the target quadrant, so new listeners do not all get the same songs
SAME_ARTIST = 20
# The best-tagged songs of the listener's favourite genres: FAVOURITE_GENRES genres (their number is
# fixed by the query's text, music.recommendation.queries), for the GENRE_EMOTIONS emotions that weigh
# most, PER_GENRE songs each.
GENRE_EMOTIONS, PER_GENRE = 2, 15


@dataclass
class _Met:
    """What the listener did with one song, gathered from the history rows."""

    features: Features
    rating: int = 0
    plays: int = 0
    skips: int = 0
    lists: set[int] = field(default_factory=set)
    acted_age: float = float("inf")  # seconds since their newest rating, play or skip of it
    age: float = float("inf")  # seconds since anything happened to it, being shown included


_tags = attrgetter(*queries.TAG_COLUMNS)
_sound = attrgetter(*queries.SOUND_COLUMNS)


def _decade(year: int | None) -> int | None:
    return year // 10 * 10 if year else None


def _features(row) -> Features:
    return Features(
        row.artist_key, path_names(row.path), _decade(row.year), row.language or "", row.arousal, row.duration,
        Sound.of(*_sound(row)),
    )  # fmt: skip


def history_for(*, user) -> History:
    """Likes and dislikes, plays and skips, and the songs of the last lists, in one round trip.

    Besides rule (c)'s counts it gathers one taste observation (music.recommendation.taste) per song met: its
    rating, plays and skips, or, for a song shown in a list the listener acted on (rated, played
    or skipped one of its songs after it was made) and left alone, "ignored"."""
    params = [user.pk, HISTORY_RATINGS, user.pk, HISTORY_EVENTS, user.pk, TASTE_LISTS]
    # A UNION's order is no database's promise: sorted, the rows are met in the same order on both
    # (cheaper here than an ORDER BY on the server).
    rows = sorted(sql.rows(queries.history_sql(), params), key=attrgetter("src", "song_id", "list_id"))
    h = History()
    liked_vectors, disliked_vectors = [], []
    artist_likes: Counter[str] = Counter()
    artist_dislikes: Counter[str] = Counter()
    plays: Counter[int] = Counter()
    skips: Counter[int] = Counter()
    artist_skips: Counter[str] = Counter()
    window = RECENT_PLAY_WINDOW.total_seconds()
    met: dict[int, _Met] = {}
    list_ages: dict[int, float] = {}
    for row in rows:
        src, song_id, value, artist_key = row.src, row.song_id, row.value, row.artist_key
        age = max(float(row.age), 0.0)
        if song_id not in met:
            met[song_id] = _Met(_features(row))
        m = met[song_id]
        m.age = min(m.age, age)
        if src == "shown":
            m.lists.add(row.list_id)
            list_ages[row.list_id] = age
            continue
        m.acted_age = min(m.acted_age, age)
        if src == "rating":
            vector = list(_tags(row))
            m.rating = value
            if value > 0:
                h.liked.add(song_id)
                artist_likes[artist_key] += 1
                liked_vectors.append(vector)
            else:
                h.disliked.add(song_id)
                artist_dislikes[artist_key] += 1
                disliked_vectors.append(vector)
        elif src == FeedbackKind.PLAYED:
            plays[song_id] += 1
            m.plays += 1
            if age < window:
                h.hours_since_played[song_id] = min(h.hours_since_played.get(song_id, age / 3600), age / 3600)
        elif src == FeedbackKind.SKIPPED:
            skips[song_id] += 1
            m.skips += 1
            artist_skips[artist_key] += 1
    _lists_and_observations(h, met, list_ages)
    h.artist_likes, h.artist_dislikes = dict(artist_likes), dict(artist_dislikes)
    h.plays, h.skips, h.artist_skips = dict(plays), dict(skips), dict(artist_skips)
    if liked_vectors:
        h.liked_tags = dict(zip(EMOTIONS, np.mean(liked_vectors, axis=0).tolist(), strict=True))
    if disliked_vectors:
        h.disliked_tags = dict(zip(EMOTIONS, np.mean(disliked_vectors, axis=0).tolist(), strict=True))
    return h


def _lists_and_observations(h: History, met: dict[int, "_Met"], list_ages: dict[int, float]) -> None:
    """The songs of the newest lists (never repeated), and one taste observation per song met."""
    newest_lists = sorted(list_ages, key=lambda i: (list_ages[i], -i))[:RECENT_LISTS]
    h.recent_list_songs = {song_id for song_id, m in met.items() if m.lists.intersection(newest_lists)}
    # A list was acted on when one of its songs was rated, played or skipped after it was made.
    acted_lists = {i for m in met.values() for i in m.lists if m.acted_age <= list_ages[i]}
    h.observations = [
        Observation(m.features, m.rating, m.plays, m.skips, shown=bool(m.lists & acted_lists), age_hours=m.age / 3600)
        for m in met.values()
        if m.rating or m.plays or m.skips or m.lists & acted_lists
    ]


def candidates_for(
    *, user, history: History, targets: list[np.ndarray], seed: int, genres: tuple[str, ...] = ()
) -> list[Candidate]:
    """A few hundred songs worth scoring, fetched in one round trip of index-backed subqueries.

    Sources: the best-tagged songs for each emotion that matters in any rank's target (from its
    expression index), a seeded sample of the target quadrants (so new listeners do not all get
    the same songs), the best-tagged songs of the `genres` asked for in words (vocabulary paths)
    and of the listener's favourite genres (from the
    per-genre expression indexes), the listener's liked songs and liked artists, and the
    collaborative neighbours' likes. Every disliked song is left out; songs of recent lists are
    removed by the recommender itself.
    """
    weights = np.max(np.array(targets), axis=0)
    top = [int(i) for i in np.argsort(-weights, kind="stable")[:TARGET_EMOTIONS] if weights[i] >= 0.05]
    params: list = [PER_EMOTION if i in top else 0 for i in range(len(EMOTIONS))]
    rng = np.random.default_rng(seed)
    quadrants = sorted({_quadrant(t) for t in (targets[0], targets[-1])})
    for slot in range(queries.QUADRANT_SAMPLES):
        used = slot < len(quadrants)
        params += [quadrants[slot] if used else "", float(rng.random()) if used else 0.0, EXPLORE if used else 0]
    favourites = [path_names(path) for path in genres]
    if history.learns:
        favourites += [g for g in history.taste.favourite_genres(queries.FAVOURITE_GENRES) if g not in favourites]
    top_genre_emotions = top[:GENRE_EMOTIONS]
    for slot in range(queries.FAVOURITE_GENRES):
        path = GENRE_SEPARATOR.join(favourites[slot]) if slot < len(favourites) else None
        for i in range(len(EMOTIONS)):
            params += [path, PER_GENRE if path and i in top_genre_emotions else 0]
    artist_likes = {**dict.fromkeys(history.stated.artists, 0), **history.artist_likes}  # stated ones too
    liked_artists = sorted(artist_likes, key=lambda a: (-artist_likes[a], a))[:10]
    params += [sql.values(liked_artists or [""]), SAME_ARTIST if liked_artists else 0]
    liked = sorted(history.liked)[:60]
    params += [sql.values(liked or [0]), len(liked)]
    params += queries.collaborative_sql(user.pk)[1] + [user.pk]
    params = [sql.values(sorted(history.stated.avoided_genre_ids))] + params
    best = {}
    for row in sql.rows(queries.candidates_sql(), params):  # a song may come from several sources
        if row.id not in best or row.co > best[row.id].co:
            best[row.id] = row
    return [
        Candidate(
            song_id=r.id, artist=r.artist, artist_key=r.artist_key, valence=r.valence, arousal=r.arousal,
            emotions={name: w for name, w in zip(EMOTIONS, _tags(r), strict=True) if w},
            co_likes=float(r.co), genres=path_names(r.path), decade=_decade(r.year), language=r.language,
            duration=r.duration, sound=Sound.of(*_sound(r)),
        )
        for r in best.values()
    ]  # fmt: skip


def _quadrant(target: np.ndarray) -> str:
    return quadrant_of(*va_point(dict(zip(EMOTIONS, target.tolist(), strict=True))))


def asks_for(text: str) -> asked.Asks:
    """What a text asks of the music, read against the catalogue's genre vocabulary and aliases."""
    resolver = GenreResolver(Genre.objects.values_list("id", "name", "path"), read_aliases())
    return asked.asks_in(text, resolver.path_of)


def stated_for(*, user) -> preferences.Stated:
    """Warm start: the listener's stated preferences, with the vocabulary genres their avoided
    genres cover (sub-genres included, by preferences.avoided). One query without preferences."""
    prefs = library.preferences_get(user=user)
    if prefs is None:
        return preferences.Stated()
    choices = [(path_names(c.genre.path), c.avoid) for c in prefs.genres.all()]
    stated = preferences.Stated(
        likes=tuple(path for path, avoid in choices if not avoid),
        avoids=tuple(path for path, avoid in choices if avoid),
        artists={library.artist_key(name): name for name in prefs.likes_artists},
        eras=(prefs.era_from, prefs.era_to) if prefs.era_from is not None else None,
    )
    if not stated.avoids:
        return stated
    genres = Genre.objects.values_list("id", "path")
    ids = frozenset(pk for pk, path in genres if preferences.avoided(path_names(path), stated))
    return replace(stated, avoided_genre_ids=ids)
