"""The recommender's SQL: the text of each read, written once for PostgreSQL and SQLite alike.
What the two spell differently comes from music.recommendation.sql, which also runs the reads;
selectors build parameters and turn rows, read by column name, into Candidates and History."""

from music.emotions import EMOTIONS
from music.models import Feedback, Genre, Rating, Recommendation, RecommendationItem, Song
from music.recommendation import sql

FAVOURITE_GENRES = 3  # genre slots in the candidate query
QUADRANT_SAMPLES = 2  # the first rank's target quadrant and the last one's
# Co-occurrence is read from the listener's newest likes, at most COLLAB_LIKERS other listeners per
# liked song, the COLLAB_NEIGHBOURS who share most, and at most COLLAB_THEIR_LIKES of their likes:
# a bounded amount of work however popular the songs are.
COLLAB_SEEDS, COLLAB_LIKERS, COLLAB_NEIGHBOURS, COLLAB_THEIR_LIKES, COLLAB_CANDIDATES = 30, 30, 40, 40, 60


# The columns the reads return, by name (selectors read rows by column name, never by position).
TAG_COLUMNS = tuple(f"w_{name}" for name in EMOTIONS)  # the 8 tag weights, in EMOTIONS' order
SOUND_COLUMNS = ("audio_energy", "danceability", "acousticness", "audio_valence", "tempo", "mode")  # Sound's order


def history_sql() -> str:
    """The listener's newest ratings, plays and skips and the songs of their newest lists, each with
    what the taste model needs of the song. Columns: src, song_id, value, list_id, TAG_COLUMNS (of
    rated songs; 0 for the others), artist_key, path, year, language, arousal, duration,
    SOUND_COLUMNS, age (seconds). Every LIMIT follows a total order, so both databases return the
    same rows (in no particular order: selectors sorts them)."""
    rating, feedback, song = Rating._meta.db_table, Feedback._meta.db_table, Song._meta.db_table
    rec, item, genre = Recommendation._meta.db_table, RecommendationItem._meta.db_table, Genre._meta.db_table
    age = sql.dialect().age
    features = f"s.artist_key, g.path, s.year, s.language, s.arousal, s.duration, {sound_columns('s.')}"
    no_tags = ", ".join("0.0" for _ in TAG_COLUMNS)
    joins = f"JOIN {song} s ON s.id = {{alias}}.song_id LEFT JOIN {genre} g ON g.id = s.genre_id"
    # Each source is limited before its songs are joined, so only the rows kept are looked up.
    return f"""
        SELECT 'rating' AS src, r.song_id, r.value, 0 AS list_id, {tag_columns("s.")}, {features},
            {age.format(column="r.updated_at")} AS age
        FROM (
            SELECT song_id, value, updated_at FROM {rating} WHERE user_id = %s
            ORDER BY updated_at DESC, song_id LIMIT %s
        ) r {joins.format(alias="r")}
        UNION ALL
        SELECT f.kind, f.song_id, 0, 0, {no_tags}, {features}, {age.format(column="f.created_at")}
        FROM (
            SELECT kind, song_id, created_at FROM {feedback}
            WHERE user_id = %s AND kind IN ('played', 'skipped') ORDER BY created_at DESC, id DESC LIMIT %s
        ) f {joins.format(alias="f")}
        UNION ALL
        SELECT 'shown', i.song_id, 0, i.recommendation_id, {no_tags}, {features}, {age.format(column="l.created_at")}
        FROM (
            SELECT id, created_at FROM {rec} WHERE user_id = %s ORDER BY created_at DESC, id DESC LIMIT %s
        ) l JOIN {item} i ON i.recommendation_id = l.id {joins.format(alias="i")}
    """


def sound_columns(alias: str = "") -> str:
    return ", ".join(f"{alias}{name}" for name in SOUND_COLUMNS)


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
    listener's newest likes, the first COLLAB_LIKERS likers of each (by user id), the neighbours
    who share most and their newest likes (the COLLAB_* limits), on both databases.
    """
    table = Rating._meta.db_table
    per_group = sql.dialect().per_group
    likers = per_group.format(
        table=table, groups="mine", key="song_id", column="user_id", where="r.value = 1 AND r.user_id <> %s",
        order="r.user_id",
    )  # fmt: skip
    theirs = per_group.format(
        table=table, groups="neighbours", key="user_id", column="song_id", where="r.value = 1",
        order="r.updated_at DESC, r.song_id",
    )  # fmt: skip
    text = f"""
        WITH mine AS (
            SELECT song_id FROM {table} WHERE user_id = %s AND value = 1 ORDER BY updated_at DESC, song_id LIMIT %s
        ), likers AS ({likers}), neighbours AS (
            SELECT user_id, COUNT(*) AS shared FROM likers GROUP BY user_id ORDER BY shared DESC, user_id LIMIT %s
        ), theirs AS ({theirs})
        SELECT song_id, SUM(shared) AS score FROM theirs WHERE song_id NOT IN (SELECT song_id FROM mine)
        GROUP BY song_id ORDER BY score DESC, song_id LIMIT %s
    """
    params = [user_id, COLLAB_SEEDS, user_id, COLLAB_LIKERS, COLLAB_NEIGHBOURS, COLLAB_THEIR_LIKES, COLLAB_CANDIDATES]
    return text, params


def weight_sql(name: str, alias: str = "") -> str:
    """One tag weight as SQL; on PostgreSQL the same expression as the per-emotion indexes."""
    return sql.dialect().weight.format(alias=alias, name=name)


def tag_columns(alias: str = "") -> str:
    # The weights come as 8 float columns: decoding each row's JSON in Python costs more.
    return ", ".join(
        f"COALESCE({weight_sql(name, alias)}, 0) AS {column}"
        for name, column in zip(EMOTIONS, TAG_COLUMNS, strict=True)
    )


def song_columns(alias: str = "") -> str:
    """A candidate's columns: id, artist, artist_key, valence, arousal, TAG_COLUMNS, genre_id, year,
    language, duration, SOUND_COLUMNS (the candidate query adds co and path)."""
    return (
        f"{alias}id AS id, {alias}artist, {alias}artist_key, {alias}valence, {alias}arousal, {tag_columns(alias)}, "
        f"{alias}genre_id, {alias}year, {alias}language, {alias}duration, {sound_columns(alias)}"
    )


def in_list(column: str) -> str:
    """`column` is one of the values of one parameter, sql.values(list): the text does not change
    with the list's length."""
    return sql.dialect().in_list.format(column=column)


def allowed_sql(alias: str = "") -> str:
    """Warm start: the avoided genres are a hard filter inside every source, so a source's LIMIT
    counts only songs that may be listed (see the `avoided` CTE in candidates_sql)."""
    return f"COALESCE({alias}genre_id, 0) NOT IN (SELECT id FROM avoided)"


def candidates_sql() -> str:
    """The candidate query, with the same text for every listener and mood.

    Every source has a fixed place and its size is a parameter (LIMIT 0 leaves it out), so one
    prepared statement serves every list: one subquery per emotion (the expression indexes need
    the emotion's name in the SQL), two quadrant samples, FAVOURITE_GENRES genre slots with one
    subquery per emotion, liked artists, liked songs and the collaborative neighbours' likes.
    Every source leaves out the listener's avoided genres (the first parameter, sql.values(ids)).
    Columns: song_columns(), co (the collaborative score, 0 outside that source), path.
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
    start = f"(SELECT {sql.dialect().floor.format(value='MAX(id) * %s')} FROM {songs})"
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
    parts.append(
        f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND {allowed} AND {in_list('artist_key')} "
        "ORDER BY id LIMIT %s"
    )
    parts.append(f"SELECT {columns}, 0.0 AS co FROM {songs} WHERE active AND {allowed} AND {in_list('id')} LIMIT %s")
    co_sql, _ = collaborative_sql(0)
    parts.append(
        f"SELECT {song_columns('s.')}, co.score AS co FROM ({co_sql}) AS co JOIN {songs} s ON s.id = co.song_id "
        f"WHERE s.active AND {allowed_sql('s.')}"
    )
    union = " UNION ALL ".join(f"SELECT * FROM ({part}) AS part{i}" for i, part in enumerate(parts))
    return (
        f"WITH avoided(id) AS ({sql.dialect().rows_of_list}) "
        f"SELECT c.*, g.path FROM ({union}) AS c LEFT JOIN {genres} g ON g.id = c.genre_id WHERE c.id NOT IN "
        f"(SELECT song_id FROM {Rating._meta.db_table} WHERE user_id = %s AND value = -1)"
    )
