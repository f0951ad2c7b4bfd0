"""The recommender's reads: a listener's history and taste evidence, collaborative scores and the
few hundred candidate songs worth scoring, each in one round trip of index-backed SQL."""

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta

import numpy as np
import psycopg
from django.db import connection

from music.emotions import EMOTION_VA, EMOTIONS, quadrant_of
from music.library import selectors as library
from music.models import (
    GENRE_SEPARATOR,
    Feedback,
    FeedbackKind,
    Genre,
    Rating,
    Recommendation,
    RecommendationItem,
    Song,
)
from music.recommendation import preferences
from music.recommendation.recommender import Candidate, History
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
# The best-tagged songs of the listener's favourite genres: FAVOURITE_GENRES genres, for the
# GENRE_EMOTIONS emotions that weigh most, PER_GENRE songs each.
FAVOURITE_GENRES, GENRE_EMOTIONS, PER_GENRE = 3, 2, 15
QUADRANT_SAMPLES = 2  # the first rank's target quadrant and the last one's
# Co-occurrence is read from the listener's newest likes, at most COLLAB_LIKERS other listeners per
# liked song, the COLLAB_NEIGHBOURS who share most, and at most COLLAB_THEIR_LIKES of their likes:
# a bounded amount of work however popular the songs are.
COLLAB_SEEDS, COLLAB_LIKERS, COLLAB_NEIGHBOURS, COLLAB_THEIR_LIKES, COLLAB_CANDIDATES = 30, 30, 40, 40, 60


def _fetchall(sql: str, params: list) -> list[tuple]:
    """Run one of the recommender's reads. On PostgreSQL it is a prepared statement: planning these
    unions of a dozen index scans over a table with twenty indexes costs more than running them
    (measured: 9 ms planning against 6 ms execution), and a prepared statement is planned once per
    connection. Django's cursor binds values on the client and cannot prepare, hence psycopg's own."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True, binary=True)
        return cursor.fetchall()


def _in(column: str, values: list) -> tuple[str, list]:
    """`column IN (…)` as SQL and parameters: one array parameter on PostgreSQL, so the text of a
    prepared statement does not change with the number of values."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _age_sql(column: str) -> str:
    # Ages in seconds, computed by the database: parsing timestamps in Python costs more than the query.
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM (CURRENT_TIMESTAMP - {column})) AS double precision)"
    return f"(julianday('now') - julianday({column})) * 86400.0"


def _history_sql() -> str:
    # A NULL inside a derived table is typed text on PostgreSQL, which UNION cannot match with jsonb.
    no_tags = "CAST(NULL AS jsonb)" if connection.vendor == "postgresql" else "NULL"
    rating, feedback, song = Rating._meta.db_table, Feedback._meta.db_table, Song._meta.db_table
    rec, item, genre = Recommendation._meta.db_table, RecommendationItem._meta.db_table, Genre._meta.db_table
    # What the taste model needs of each song: artist, genre path, year, language, energy, length, sound.
    features = f"s.artist_key, g.path, s.year, s.language, s.arousal, s.duration, {_sound_columns('s.')}"
    joins = f"JOIN {song} s ON s.id = {{alias}}.song_id LEFT JOIN {genre} g ON g.id = s.genre_id"
    # Each source is limited before its songs are joined, so only the rows kept are looked up.
    return f"""
        SELECT 'rating' AS src, r.song_id, r.value AS num, 0 AS list_id, s.emotions, {features},
            {_age_sql("r.updated_at")} AS age
        FROM (
            SELECT song_id, value, updated_at FROM {rating} WHERE user_id = %s ORDER BY updated_at DESC LIMIT %s
        ) r {joins.format(alias="r")}
        UNION ALL
        SELECT f.kind, f.song_id, 0, 0, {no_tags}, {features}, {_age_sql("f.created_at")}
        FROM (
            SELECT kind, song_id, created_at FROM {feedback}
            WHERE user_id = %s AND kind IN ('played', 'skipped') ORDER BY created_at DESC LIMIT %s
        ) f {joins.format(alias="f")}
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


def _sound_columns(alias: str = "") -> str:
    """The audio features, in Sound's order."""
    names = ("audio_energy", "danceability", "acousticness", "audio_valence", "tempo", "mode")
    return ", ".join(f"{alias}{name}" for name in names)


def _features(artist_key, path, year, language, arousal, duration, *sound) -> Features:
    genres = tuple(path.split(GENRE_SEPARATOR)) if path else ()
    decade = year // 10 * 10 if year else None
    return Features(artist_key, genres, decade, language or "", arousal, duration, Sound.of(*sound))


def history_for(*, user) -> History:
    """Likes and dislikes, plays and skips, and the songs of the last lists, in one round trip.

    Besides rule (c)'s counts it gathers one taste observation (music.recommendation.taste) per song met: its
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
            if age < window:
                h.hours_since_played[song_id] = min(h.hours_since_played.get(song_id, age / 3600), age / 3600)
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
        f"{alias}genre_id, {alias}year, {alias}language, {alias}duration, {_sound_columns(alias)}"
    )


def _allowed(alias: str = "") -> str:
    """Warm start: the avoided genres are a hard filter inside every source, so a source's LIMIT
    counts only songs that may be listed (see the `avoided` CTE in _candidates_sql)."""
    return f"COALESCE({alias}genre_id, 0) NOT IN (SELECT id FROM avoided)"


def _avoided_cte(genre_ids: list[int]) -> tuple[str, list]:
    # One array parameter on PostgreSQL keeps the prepared statement's text fixed; 0 is no genre.
    if connection.vendor == "postgresql":
        return "WITH avoided(id) AS (SELECT unnest(CAST(%s AS bigint[]))) ", [list(genre_ids)]
    values = list(genre_ids) or [0]
    return f"WITH avoided(id) AS (VALUES {', '.join(['(%s)'] * len(values))}) ", values


def _candidates_sql(liked_artists: int, liked_songs: int, avoided: int = 0) -> str:
    """The candidate query, with the same text for every listener and mood on PostgreSQL.

    Every source has a fixed place and its size is a parameter (LIMIT 0 leaves it out), so one
    prepared statement serves every list: one subquery per emotion (the expression indexes need
    the emotion's name in the SQL), two quadrant samples, FAVOURITE_GENRES genre slots with one
    subquery per emotion, liked artists, liked songs and the collaborative neighbours' likes.
    Every source leaves out the listener's avoided genres (`avoided` genre ids come first).
    """
    songs, genres = Song._meta.db_table, Genre._meta.db_table
    allowed = _allowed()
    columns = _song_columns()
    parts = []
    for name in EMOTIONS:
        w = _weight_sql(name)
        parts.append(
            f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND {allowed} AND {w} > 0 "
            f"ORDER BY {w} DESC, id LIMIT %s"
        )
    # An integer bound, so the (quadrant, id) index serves the range scan.
    start = f"(SELECT CAST(MAX(id) * %s AS BIGINT) FROM {songs})"
    parts += [
        f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND {allowed} AND quadrant = %s AND id >= {start} "
        "ORDER BY id LIMIT %s"
    ] * QUADRANT_SAMPLES
    for _ in range(FAVOURITE_GENRES):
        for name in EMOTIONS:
            w = _weight_sql(name)
            parts.append(
                f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND {allowed} AND {w} > 0 AND genre_id = "
                f"(SELECT id FROM {genres} WHERE path = %s) ORDER BY {w} DESC, id LIMIT %s"
            )
    artists, _ = _in("artist_key", [""] * liked_artists)
    parts.append(
        f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND {allowed} AND {artists} ORDER BY id LIMIT %s"
    )
    liked, _ = _in("id", [0] * liked_songs)
    parts.append(f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND {allowed} AND {liked} LIMIT %s")
    co_sql, _ = _collaborative_sql(0)
    parts.append(
        f"SELECT {_song_columns('s.')}, co.score AS co FROM ({co_sql}) AS co JOIN {songs} s ON s.id = co.song_id "
        f"WHERE s.active AND {_allowed('s.')}"
    )
    union = " UNION ALL ".join(f"SELECT * FROM ({part}) AS part{i}" for i, part in enumerate(parts))
    cte, _ = _avoided_cte([0] * avoided)
    return (
        f"{cte}SELECT c.*, g.path FROM ({union}) AS c LEFT JOIN {genres} g ON g.id = c.genre_id WHERE c.id NOT IN "
        f"(SELECT song_id FROM {Rating._meta.db_table} WHERE user_id = %s AND value = -1)"
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
    weights = np.max(np.array(targets), axis=0)
    top = [int(i) for i in np.argsort(-weights, kind="stable")[:TARGET_EMOTIONS] if weights[i] >= 0.05]
    params: list = [PER_EMOTION if i in top else 0 for i in range(len(EMOTIONS))]
    rng = np.random.default_rng(seed)
    quadrants = sorted({_quadrant(t) for t in (targets[0], targets[-1])})
    for slot in range(QUADRANT_SAMPLES):
        used = slot < len(quadrants)
        params += [quadrants[slot] if used else "", float(rng.random()) if used else 0.0, EXPLORE if used else 0]
    favourites = history.taste.favourite_genres(FAVOURITE_GENRES) if history.learns else []
    top_genre_emotions = top[:GENRE_EMOTIONS]
    for slot in range(FAVOURITE_GENRES):
        path = GENRE_SEPARATOR.join(favourites[slot]) if slot < len(favourites) else None
        for i in range(len(EMOTIONS)):
            params += [path, PER_GENRE if path and i in top_genre_emotions else 0]
    artist_likes = {**dict.fromkeys(history.stated.artists, 0), **history.artist_likes}  # stated ones too
    liked_artists = sorted(artist_likes, key=lambda a: (-artist_likes[a], a))[:10]
    params += _in("artist_key", liked_artists or [""])[1] + [SAME_ARTIST if liked_artists else 0]
    liked = sorted(history.liked)[:60]
    params += _in("id", liked or [0])[1] + [len(liked)]
    params += _collaborative_sql(user.pk)[1] + [user.pk]
    avoided = sorted(history.stated.avoided_genre_ids)
    params = _avoided_cte(avoided)[1] + params
    sql = _candidates_sql(len(liked_artists) or 1, len(liked) or 1, len(avoided) or 1)
    rows = _fetchall(sql, params)
    best: dict[int, tuple] = {}
    # id, artist, artist_key, valence, arousal, 8 weights, genre, year, language, duration, 6 sound, co, path
    for row in rows:
        if row[0] not in best or row[23] > best[row[0]][23]:
            best[row[0]] = row
    return [
        Candidate(
            song_id=r[0], artist=r[1], artist_key=r[2], valence=r[3], arousal=r[4],
            emotions={name: w for name, w in zip(EMOTIONS, r[5:13], strict=True) if w},
            co_likes=float(r[23]), genres=tuple(r[24].split(GENRE_SEPARATOR)) if r[24] else (),
            decade=r[14] // 10 * 10 if r[14] else None, language=r[15], duration=r[16], sound=Sound.of(*r[17:23]),
        )
        for r in best.values()
    ]  # fmt: skip


def _quadrant(target: np.ndarray) -> str:
    total = float(target.sum())
    valence = sum(EMOTION_VA[n][0] * w for n, w in zip(EMOTIONS, target, strict=True)) / total
    arousal = sum(EMOTION_VA[n][1] * w for n, w in zip(EMOTIONS, target, strict=True)) / total
    return quadrant_of(valence, arousal)


def stated_for(*, user) -> preferences.Stated:
    """Warm start: the listener's stated preferences, with the vocabulary genres their avoided
    genres cover (sub-genres included, by preferences.avoided). One query without preferences."""
    prefs = library.preferences_get(user=user)
    if prefs is None:
        return preferences.Stated()
    choices = [(preferences.path_of(c.genre.path), c.avoid) for c in prefs.genres.all()]
    stated = preferences.Stated(
        likes=tuple(path for path, avoid in choices if not avoid),
        avoids=tuple(path for path, avoid in choices if avoid),
        artists={library.artist_key(name): name for name in prefs.likes_artists},
        eras=(prefs.era_from, prefs.era_to) if prefs.era_from is not None else None,
    )
    if not stated.avoids:
        return stated
    genres = Genre.objects.values_list("id", "path")
    ids = frozenset(pk for pk, path in genres if preferences.avoided(preferences.path_of(path), stated))
    return replace(stated, avoided_genre_ids=ids)
