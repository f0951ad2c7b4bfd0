"""Reads: catalog search, a listener's history and the recommender's candidate songs."""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from music.emotions import EMOTION_VA, EMOTIONS, quadrant_of
from music.models import (
    GENRE_SEPARATOR,
    Feedback,
    FeedbackKind,
    Genre,
    Playlist,
    PlaylistItem,
    Rating,
    Recommendation,
    RecommendationItem,
    Song,
    emotion_weight,
    genre_key,
)
from music.recommender import Candidate, History
from music.taste import Features, Observation

RECENT_LISTS = 3  # songs of the listener's last 3 lists are never repeated
TASTE_LISTS = 20  # lists read for the songs shown and left alone (taste evidence)
HISTORY_RATINGS = 150  # newest likes/dislikes read for taste (every dislike is excluded in SQL)
HISTORY_EVENTS = 200  # newest plays/skips read for taste and recency
RECENT_PLAY_WINDOW = timedelta(days=7)
TARGET_EMOTIONS = 3  # the emotions that weigh most in any rank's target
PER_EMOTION = 60  # best songs per target emotion
EXPLORE = 30  # seeded sample from the target quadrant, so new listeners do not all get the same songs
SAME_ARTIST = 40
# The best-tagged songs of the listener's favourite genres: FAVOURITE_GENRES genres, for the
# GENRE_EMOTIONS emotions that weigh most, PER_GENRE songs each.
FAVOURITE_GENRES, GENRE_EMOTIONS, PER_GENRE = 3, 2, 25
# Co-occurrence is read from the listener's newest likes, at most COLLAB_LIKERS other listeners per
# liked song, the COLLAB_NEIGHBOURS who share most, and at most COLLAB_THEIR_LIKES of their likes:
# a bounded amount of work however popular the songs are.
COLLAB_SEEDS, COLLAB_LIKERS, COLLAB_NEIGHBOURS, COLLAB_THEIR_LIKES, COLLAB_CANDIDATES = 30, 30, 40, 40, 80


def genre_list() -> QuerySet[Genre]:
    return Genre.objects.select_related("parent")


def genre_subtree(name: str) -> QuerySet[Genre]:
    """A genre and every genre under it ("rock": rock, metal, punk, …); empty for an unknown name."""
    genre = Genre.objects.filter(key=genre_key(name)).first()
    if genre is None:
        return Genre.objects.none()
    return Genre.objects.filter(Q(path=genre.path) | Q(path__startswith=genre.path + GENRE_SEPARATOR))


def song_list(
    *, q: str = "", emotion: str = "", genre: str = "", era: int | None = None, active_only: bool = True
) -> QuerySet[Song]:
    songs = Song.objects.select_related("genre")
    if active_only:
        songs = songs.filter(active=True)
    for word in q.split()[:8]:
        songs = songs.filter(Q(title__icontains=word) | Q(artist__icontains=word) | Q(album__icontains=word))
    if genre:
        songs = songs.filter(genre__in=genre_subtree(genre))
    if era is not None:
        songs = songs.filter(year__gte=era, year__lt=era + 10)
    if emotion:
        songs = songs.annotate(weight=emotion_weight(emotion)).filter(weight__gt=0).order_by("-weight", "artist")
    return songs


def items_with_songs() -> Prefetch:
    """Prefetch a list's items with their songs and genres, in one query whatever the length."""
    return Prefetch("items", queryset=RecommendationItem.objects.select_related("song__genre"))


def recommendation_list(*, user) -> QuerySet[Recommendation]:
    """The user's own lists with their songs (anyone else's are simply not in it)."""
    return Recommendation.objects.filter(user=user).prefetch_related(items_with_songs())


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


def _fetchall(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _age_sql(column: str) -> str:
    # Ages in seconds, computed by the database: parsing timestamps in Python costs more than the query.
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM (CURRENT_TIMESTAMP - {column}))"
    return f"(julianday('now') - julianday({column})) * 86400.0"


def _history_sql() -> str:
    # A NULL inside a derived table is typed text on PostgreSQL, which UNION cannot match with jsonb.
    no_tags = "CAST(NULL AS jsonb)" if connection.vendor == "postgresql" else "NULL"
    rating, feedback, song = Rating._meta.db_table, Feedback._meta.db_table, Song._meta.db_table
    rec, item, genre = Recommendation._meta.db_table, RecommendationItem._meta.db_table, Genre._meta.db_table
    # What the taste model needs of each song: artist, genre path, year, language, energy, length.
    features = "s.artist_key, g.path, s.year, s.language, s.arousal, s.duration"
    joins = f"JOIN {song} s ON s.id = {{alias}}.song_id LEFT JOIN {genre} g ON g.id = s.genre_id"
    return f"""
        SELECT * FROM (
            SELECT 'rating' AS src, r.song_id, r.value AS num, 0 AS list_id, s.emotions, {features},
                {_age_sql("r.updated_at")} AS age
            FROM {rating} r {joins.format(alias="r")}
            WHERE r.user_id = %s ORDER BY r.updated_at DESC LIMIT %s
        ) ratings
        UNION ALL
        SELECT * FROM (
            SELECT f.kind, f.song_id, 0, 0, {no_tags}, {features}, {_age_sql("f.created_at")}
            FROM {feedback} f {joins.format(alias="f")}
            WHERE f.user_id = %s AND f.kind IN ('played', 'skipped') ORDER BY f.created_at DESC LIMIT %s
        ) events
        UNION ALL
        SELECT 'shown', i.song_id, 0, i.recommendation_id, {no_tags}, {features}, {_age_sql("l.created_at")}
        FROM (
            SELECT id, created_at FROM {rec} WHERE user_id = %s ORDER BY created_at DESC, id DESC LIMIT %s
        ) l JOIN {item} i ON i.recommendation_id = l.id {joins.format(alias="i")}
    """


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


def _features(artist_key, path, year, language, arousal, duration) -> Features:
    genres = tuple(path.split(GENRE_SEPARATOR)) if path else ()
    return Features(artist_key, genres, year // 10 * 10 if year else None, language or "", arousal, duration)


def history_for(*, user) -> History:
    """Likes and dislikes, plays and skips, and the songs of the last lists, in one round trip.

    Besides rule (c)'s counts it gathers one taste observation (music.taste) per song met: its
    rating, plays and skips, or, for a song shown in a list the listener acted on (rated, played
    or skipped one of its songs after it was made) and left alone, "ignored"."""
    params = [user.pk, HISTORY_RATINGS, user.pk, HISTORY_EVENTS, user.pk, TASTE_LISTS]
    rows = _fetchall(_history_sql(), params)
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
    for src, song_id, value, list_id, emotions, artist_key, *song, age in rows:
        age = max(float(age), 0.0)
        if song_id not in met:
            met[song_id] = _Met(_features(artist_key, *song))
        m = met[song_id]
        m.age = min(m.age, age)
        if src == "shown":
            m.lists.add(list_id)
            list_ages[list_id] = age
            continue
        m.acted_age = min(m.acted_age, age)
        if src == "rating":
            emotions = json.loads(emotions) if isinstance(emotions, str) else emotions
            vector = [emotions.get(n, 0.0) for n in EMOTIONS]
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
            if age < window and song_id not in h.hours_since_played:
                h.hours_since_played[song_id] = age / 3600
        elif src == FeedbackKind.SKIPPED:
            skips[song_id] += 1
            m.skips += 1
            artist_skips[artist_key] += 1
    newest_lists = sorted(list_ages, key=lambda i: (list_ages[i], -i))[:RECENT_LISTS]
    h.recent_list_songs = {song_id for song_id, m in met.items() if m.lists.intersection(newest_lists)}
    # A list was acted on when one of its songs was rated, played or skipped after it was made.
    acted_lists = {i for m in met.values() for i in m.lists if m.acted_age <= list_ages[i]}
    h.observations = [
        Observation(m.features, m.rating, m.plays, m.skips, shown=bool(m.lists & acted_lists), age_hours=m.age / 3600)
        for m in met.values()
        if m.rating or m.plays or m.skips or m.lists & acted_lists
    ]
    h.artist_likes, h.artist_dislikes = dict(artist_likes), dict(artist_dislikes)
    h.plays, h.skips, h.artist_skips = dict(plays), dict(skips), dict(artist_skips)
    if liked_vectors:
        h.liked_tags = dict(zip(EMOTIONS, np.mean(liked_vectors, axis=0).tolist(), strict=True))
    if disliked_vectors:
        h.disliked_tags = dict(zip(EMOTIONS, np.mean(disliked_vectors, axis=0).tolist(), strict=True))
    return h


def _collaborative_sql(user_id: int) -> tuple[str, list]:
    """(song_id, score) rows: item-item co-occurrence over likes; see collaborative_scores()."""
    table = Rating._meta.db_table
    mine = f"SELECT song_id FROM {table} WHERE user_id = %s AND value = 1 ORDER BY updated_at DESC LIMIT %s"
    if connection.vendor == "postgresql":
        # LATERAL caps the listeners read per liked song and the likes read per neighbour, each an
        # index-only range scan, so a popular song with thousands of likers costs no more.
        sql = f"""
            SELECT theirs.song_id, SUM(n.shared) AS score FROM (
                SELECT likers.user_id, COUNT(*) AS shared FROM ({mine}) mine
                CROSS JOIN LATERAL (
                    SELECT r1.user_id FROM {table} r1
                    WHERE r1.song_id = mine.song_id AND r1.value = 1 AND r1.user_id <> %s
                    ORDER BY r1.user_id LIMIT %s
                ) likers
                GROUP BY likers.user_id ORDER BY shared DESC, likers.user_id LIMIT %s
            ) n CROSS JOIN LATERAL (
                SELECT r2.song_id FROM {table} r2 WHERE r2.user_id = n.user_id AND r2.value = 1
                ORDER BY r2.updated_at DESC LIMIT %s
            ) theirs
            WHERE theirs.song_id NOT IN ({mine})
            GROUP BY theirs.song_id ORDER BY score DESC, theirs.song_id LIMIT %s
        """
        params = [user_id, COLLAB_SEEDS, user_id, COLLAB_LIKERS, COLLAB_NEIGHBOURS, COLLAB_THEIR_LIKES]
        return sql, params + [user_id, COLLAB_SEEDS, COLLAB_CANDIDATES]
    # Portable form (SQLite in development): the same score without the per-song caps.
    sql = f"""
        SELECT r.song_id, SUM(n.shared) AS score FROM {table} r JOIN (
            SELECT r1.user_id, COUNT(*) AS shared FROM {table} r1
            WHERE r1.value = 1 AND r1.user_id <> %s AND r1.song_id IN (SELECT song_id FROM ({mine}) m1)
            GROUP BY r1.user_id ORDER BY shared DESC, r1.user_id LIMIT %s
        ) n ON n.user_id = r.user_id
        WHERE r.value = 1 AND r.song_id NOT IN (SELECT song_id FROM ({mine}) m2)
        GROUP BY r.song_id ORDER BY score DESC, r.song_id LIMIT %s
    """
    params = [user_id, user_id, COLLAB_SEEDS, COLLAB_NEIGHBOURS, user_id, COLLAB_SEEDS, COLLAB_CANDIDATES]
    return sql, params


def collaborative_scores(*, user, liked: set[int]) -> dict[int, float]:
    """Item-item co-occurrence over likes, summed over the listener's newest liked songs.

    score(j) = sum over my liked songs i of #listeners who liked both i and j, computed as
    "for each other listener, how many of my likes they share, summed over the songs they like".
    We chose this over matrix factorisation (ALS/BPR, e.g. the `implicit` library) because it
    needs no training job, no stored factors that go stale, and no native dependency: one
    indexed SQL query over the (song, value, user) and (user, value, song) indexes answers it
    from the current likes, so a like counts in the very next list, and the result can be
    explained ("listeners with similar taste liked it"). Cost is bounded by reading only the
    listener's newest likes, a sample of each song's likers and the neighbours who share most
    (the COLLAB_* limits above).
    """
    if not liked:
        return {}
    sql, params = _collaborative_sql(user.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {song_id: float(score) for song_id, score in cursor.fetchall()}


def _weight_sql(name: str, alias: str = "") -> str:
    """One tag weight as SQL; on PostgreSQL the same expression as the per-emotion indexes."""
    if connection.vendor == "postgresql":
        return f"CAST({alias}emotions ->> '{name}' AS double precision)"
    return f"CAST(JSON_EXTRACT({alias}emotions, '$.{name}') AS REAL)"


def _song_columns(alias: str = "") -> str:
    # The weights come as 8 float columns: decoding each row's JSON in Python costs more.
    weights = ", ".join(f"COALESCE({_weight_sql(name, alias)}, 0) AS w_{name}" for name in EMOTIONS)
    return (
        f"{alias}id AS id, {alias}artist, {alias}artist_key, {alias}valence, {alias}arousal, {weights}, "
        f"{alias}genre_id, {alias}year, {alias}language, {alias}duration"
    )


def candidates_for(*, user, history: History, targets: list[np.ndarray], seed: int) -> list[Candidate]:
    """A few hundred songs worth scoring, fetched in one round trip of index-backed subqueries.

    Sources: the best-tagged songs for each emotion that matters in any rank's target (from its
    expression index), a seeded sample of the target quadrants (so new listeners do not all get
    the same songs), the best-tagged songs of the listener's favourite genres (from the
    per-genre expression indexes), the listener's liked songs and liked artists, and the
    collaborative neighbours' likes. Every disliked song is left out; songs of recent lists are
    removed by the recommender itself.
    """
    songs, genres = Song._meta.db_table, Genre._meta.db_table
    columns = _song_columns()
    weights = np.max(np.array(targets), axis=0)
    parts: list[tuple[str, list]] = []

    def add(sql: str, params: list) -> None:
        parts.append((f"SELECT * FROM ({sql}) AS part{len(parts)}", params))

    for i in np.argsort(-weights, kind="stable")[:TARGET_EMOTIONS]:
        if weights[i] >= 0.05:
            w = _weight_sql(EMOTIONS[i])
            add(
                f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND {w} > 0 ORDER BY {w} DESC, id LIMIT %s",
                [PER_EMOTION],
            )
    rng = np.random.default_rng(seed)
    for quadrant in sorted({_quadrant(t) for t in (targets[0], targets[-1])}):
        # An integer bound, so the (quadrant, id) index serves the range scan.
        start = f"(SELECT CAST(MAX(id) * %s AS BIGINT) FROM {songs})"
        add(
            f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND quadrant = %s AND id >= {start} "
            f"ORDER BY id LIMIT %s",
            [quadrant, float(rng.random()), EXPLORE],
        )
    favourites = history.taste.favourite_genres(FAVOURITE_GENRES) if history.observations else []
    for path in favourites:
        for i in np.argsort(-weights, kind="stable")[:GENRE_EMOTIONS]:
            w = _weight_sql(EMOTIONS[i])
            add(
                f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND {w} > 0 AND genre_id = "
                f"(SELECT id FROM {genres} WHERE path = %s) ORDER BY {w} DESC, id LIMIT %s",
                [GENRE_SEPARATOR.join(path), PER_GENRE],
            )
    liked_artists = sorted(history.artist_likes, key=lambda a: (-history.artist_likes[a], a))[:10]
    if liked_artists:
        marks = ", ".join(["%s"] * len(liked_artists))
        add(
            f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND artist_key IN ({marks}) ORDER BY id LIMIT %s",
            [*liked_artists, SAME_ARTIST],
        )
    if history.liked:
        liked = sorted(history.liked)[:60]
        marks = ", ".join(["%s"] * len(liked))
        add(f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND id IN ({marks})", liked)
        co_sql, co_params = _collaborative_sql(user.pk)
        add(
            f"SELECT {_song_columns('s.')}, co.score AS co FROM ({co_sql}) AS co "
            f"JOIN {songs} s ON s.id = co.song_id WHERE s.active",
            co_params,
        )
    sql = (
        f"SELECT c.*, g.path FROM ({' UNION ALL '.join(part for part, _ in parts)}) AS c "
        f"LEFT JOIN {genres} g ON g.id = c.genre_id WHERE c.id NOT IN "
        f"(SELECT song_id FROM {Rating._meta.db_table} WHERE user_id = %s AND value = -1)"
    )
    rows = _fetchall(sql, [p for _, params in parts for p in params] + [user.pk])
    best: dict[int, tuple] = {}
    for row in rows:  # id, artist, artist_key, valence, arousal, 8 weights, genre, year, language, duration, co, path
        if row[0] not in best or row[17] > best[row[0]][17]:
            best[row[0]] = row
    return [
        Candidate(
            song_id=r[0], artist=r[1], artist_key=r[2], valence=r[3], arousal=r[4],
            emotions={name: w for name, w in zip(EMOTIONS, r[5:13], strict=True) if w},
            co_likes=float(r[17]), genres=tuple(r[18].split(GENRE_SEPARATOR)) if r[18] else (),
            decade=r[14] // 10 * 10 if r[14] else None, language=r[15], duration=r[16],
        )
        for r in best.values()
    ]  # fmt: skip


def _quadrant(target: np.ndarray) -> str:
    total = float(target.sum())
    valence = sum(EMOTION_VA[n][0] * w for n, w in zip(EMOTIONS, target, strict=True)) / total
    arousal = sum(EMOTION_VA[n][1] * w for n, w in zip(EMOTIONS, target, strict=True)) / total
    return quadrant_of(valence, arousal)


def coverage() -> list[dict]:
    """Active songs per emotion (weight at least 0.5), for the admin's coverage view."""
    songs = Song.objects.filter(active=True).annotate(**{f"w_{n}": emotion_weight(n) for n in EMOTIONS})
    counts = songs.aggregate(**{n: Count("id", filter=Q(**{f"w_{n}__gte": 0.5})) for n in EMOTIONS})
    return [{"emotion": name, "songs": counts[name]} for name in EMOTIONS]


# --- For other apps: the lists made for check-ins and the feedback given on them ------------------

FEEDBACK_KINDS: tuple[str, ...] = tuple(FeedbackKind.values)
# How pleasant each emotion is (-1..1), from the circumplex the recommender uses.
EMOTION_VALENCE: dict[str, float] = {name: EMOTION_VA[name][0] for name in EMOTIONS}


def latest_lists(*, user, check_in_ids=None, since=None, with_songs: bool = False) -> dict[int, Recommendation]:
    """{check-in id: its latest list} (a correction makes a new list; the latest counts). Limit it to
    some check-ins or to lists made `since`. Without `with_songs` only id, check_in_id, goal and
    created_at are loaded; with it, the items and their songs too (one more query)."""
    lists = Recommendation.objects.filter(user=user, check_in__isnull=False).order_by("created_at", "id")
    if check_in_ids is not None:
        lists = lists.filter(check_in_id__in=list(check_in_ids))
    if since is not None:
        lists = lists.filter(created_at__gte=since)
    if with_songs:
        lists = lists.prefetch_related(items_with_songs())
    else:
        lists = lists.only("id", "user_id", "check_in_id", "goal", "created_at")
    return {rec.check_in_id: rec for rec in lists}  # oldest first: later lists replace earlier ones


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


def most_liked(*, user, since=None, until=None, check_in_ids=None, limit: int = 5) -> list[dict]:
    """The songs the user liked most (by like events), optionally only between `since` and `until`
    or only in the lists of some check-ins: [{id, title, artist, likes}]."""
    limits = {"created_at__gte": since, "created_at__lt": until, "recommendation__check_in_id__in": check_in_ids}
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
