"""The recommender's SQL: the text of each read, for PostgreSQL and for SQLite, and the one place
that runs it. Everything dialect-specific in the recommender lives here; selectors build
parameters and turn rows into Candidates and History."""

import psycopg
from django.db import connection

from music.emotions import EMOTIONS
from music.models import Feedback, Genre, Rating, Recommendation, RecommendationItem, Song

FAVOURITE_GENRES = 3  # genre slots in the candidate query
QUADRANT_SAMPLES = 2  # the first rank's target quadrant and the last one's
# Co-occurrence is read from the listener's newest likes, at most COLLAB_LIKERS other listeners per
# liked song, the COLLAB_NEIGHBOURS who share most, and at most COLLAB_THEIR_LIKES of their likes:
# a bounded amount of work however popular the songs are.
COLLAB_SEEDS, COLLAB_LIKERS, COLLAB_NEIGHBOURS, COLLAB_THEIR_LIKES, COLLAB_CANDIDATES = 30, 30, 40, 40, 60


def fetchall(sql: str, params: list) -> list[tuple]:
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


def in_list(column: str, values: list) -> tuple[str, list]:
    """`column IN (…)` as SQL and parameters: one array parameter on PostgreSQL, so the text of a
    prepared statement does not change with the number of values."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def age_sql(column: str) -> str:
    # Ages in seconds, computed by the database: parsing timestamps in Python costs more than the query.
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM (CURRENT_TIMESTAMP - {column})) AS double precision)"
    return f"(julianday('now') - julianday({column})) * 86400.0"


def history_sql() -> str:
    # A NULL inside a derived table is typed text on PostgreSQL, which UNION cannot match with jsonb.
    no_tags = "CAST(NULL AS jsonb)" if connection.vendor == "postgresql" else "NULL"
    rating, feedback, song = Rating._meta.db_table, Feedback._meta.db_table, Song._meta.db_table
    rec, item, genre = Recommendation._meta.db_table, RecommendationItem._meta.db_table, Genre._meta.db_table
    # What the taste model needs of each song: artist, genre path, year, language, energy, length, sound.
    features = f"s.artist_key, g.path, s.year, s.language, s.arousal, s.duration, {sound_columns('s.')}"
    joins = f"JOIN {song} s ON s.id = {{alias}}.song_id LEFT JOIN {genre} g ON g.id = s.genre_id"
    # Each source is limited before its songs are joined, so only the rows kept are looked up.
    return f"""
        SELECT 'rating' AS src, r.song_id, r.value AS num, 0 AS list_id, s.emotions, {features},
            {age_sql("r.updated_at")} AS age
        FROM (
            SELECT song_id, value, updated_at FROM {rating} WHERE user_id = %s ORDER BY updated_at DESC LIMIT %s
        ) r {joins.format(alias="r")}
        UNION ALL
        SELECT f.kind, f.song_id, 0, 0, {no_tags}, {features}, {age_sql("f.created_at")}
        FROM (
            SELECT kind, song_id, created_at FROM {feedback}
            WHERE user_id = %s AND kind IN ('played', 'skipped') ORDER BY created_at DESC LIMIT %s
        ) f {joins.format(alias="f")}
        UNION ALL
        SELECT 'shown', i.song_id, 0, i.recommendation_id, {no_tags}, {features}, {age_sql("l.created_at")}
        FROM (
            SELECT id, created_at FROM {rec} WHERE user_id = %s ORDER BY created_at DESC, id DESC LIMIT %s
        ) l JOIN {item} i ON i.recommendation_id = l.id {joins.format(alias="i")}
    """


def sound_columns(alias: str = "") -> str:
    """The audio features, in Sound's order."""
    names = ("audio_energy", "danceability", "acousticness", "audio_valence", "tempo", "mode")
    return ", ".join(f"{alias}{name}" for name in names)


def collaborative_sql(user_id: int) -> tuple[str, list]:
    """(song_id, score) rows: item-item co-occurrence over likes, summed over the listener's newest
    liked songs; the candidate query (candidates_sql) embeds it as the collaborative source.

    score(j) = sum over my liked songs i of #listeners who liked both i and j, computed as
    "for each other listener, how many of my likes they share, summed over the songs they like".
    We chose this over matrix factorisation (ALS/BPR, e.g. the `implicit` library) because it
    needs no training job, no stored factors that go stale, and no native dependency: one
    indexed SQL query over the (song, value, user) and (user, value, song) indexes answers it
    from the current likes, so a like counts in the very next list, and the result can be
    explained ("listeners with similar taste liked it"). Cost is bounded by reading only the
    listener's newest likes, a sample of each song's likers and the neighbours who share most
    (the COLLAB_* limits).
    """
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


def weight_sql(name: str, alias: str = "") -> str:
    """One tag weight as SQL; on PostgreSQL the same expression as the per-emotion indexes."""
    if connection.vendor == "postgresql":
        return f"CAST({alias}emotions ->> '{name}' AS double precision)"
    return f"CAST(JSON_EXTRACT({alias}emotions, '$.{name}') AS REAL)"


def song_columns(alias: str = "") -> str:
    # The weights come as 8 float columns: decoding each row's JSON in Python costs more.
    weights = ", ".join(f"COALESCE({weight_sql(name, alias)}, 0) AS w_{name}" for name in EMOTIONS)
    return (
        f"{alias}id AS id, {alias}artist, {alias}artist_key, {alias}valence, {alias}arousal, {weights}, "
        f"{alias}genre_id, {alias}year, {alias}language, {alias}duration, {sound_columns(alias)}"
    )


def allowed_sql(alias: str = "") -> str:
    """Warm start: the avoided genres are a hard filter inside every source, so a source's LIMIT
    counts only songs that may be listed (see the `avoided` CTE in candidates_sql)."""
    return f"COALESCE({alias}genre_id, 0) NOT IN (SELECT id FROM avoided)"


def avoided_cte(genre_ids: list[int]) -> tuple[str, list]:
    # One array parameter on PostgreSQL keeps the prepared statement's text fixed; 0 is no genre.
    if connection.vendor == "postgresql":
        return "WITH avoided(id) AS (SELECT unnest(CAST(%s AS bigint[]))) ", [list(genre_ids)]
    values = list(genre_ids) or [0]
    return f"WITH avoided(id) AS (VALUES {', '.join(['(%s)'] * len(values))}) ", values


def candidates_sql(liked_artists: int, liked_songs: int, avoided: int = 0) -> str:
    """The candidate query, with the same text for every listener and mood on PostgreSQL.

    Every source has a fixed place and its size is a parameter (LIMIT 0 leaves it out), so one
    prepared statement serves every list: one subquery per emotion (the expression indexes need
    the emotion's name in the SQL), two quadrant samples, FAVOURITE_GENRES genre slots with one
    subquery per emotion, liked artists, liked songs and the collaborative neighbours' likes.
    Every source leaves out the listener's avoided genres (`avoided` genre ids come first).
    """
    songs, genres = Song._meta.db_table, Genre._meta.db_table
    allowed = allowed_sql()
    columns = song_columns()
    parts = []
    for name in EMOTIONS:
        w = weight_sql(name)
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
            w = weight_sql(name)
            parts.append(
                f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND {allowed} AND {w} > 0 AND genre_id = "
                f"(SELECT id FROM {genres} WHERE path = %s) ORDER BY {w} DESC, id LIMIT %s"
            )
    artists, _ = in_list("artist_key", [""] * liked_artists)
    parts.append(
        f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND {allowed} AND {artists} ORDER BY id LIMIT %s"
    )
    liked, _ = in_list("id", [0] * liked_songs)
    parts.append(f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND {allowed} AND {liked} LIMIT %s")
    co_sql, _ = collaborative_sql(0)
    parts.append(
        f"SELECT {song_columns('s.')}, co.score AS co FROM ({co_sql}) AS co JOIN {songs} s ON s.id = co.song_id "
        f"WHERE s.active AND {allowed_sql('s.')}"
    )
    union = " UNION ALL ".join(f"SELECT * FROM ({part}) AS part{i}" for i, part in enumerate(parts))
    cte, _ = avoided_cte([0] * avoided)
    return (
        f"{cte}SELECT c.*, g.path FROM ({union}) AS c LEFT JOIN {genres} g ON g.id = c.genre_id WHERE c.id NOT IN "
        f"(SELECT song_id FROM {Rating._meta.db_table} WHERE user_id = %s AND value = -1)"
    )
