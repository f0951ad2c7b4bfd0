"""One fixed listening scenario for the recommender, built the same way on any database.

music/tests/test_both_databases.py builds it in the test's PostgreSQL database and, through main(),
in a fresh SQLite database in a subprocess, then compares the lists. Every id the recommender
orders by is fixed here (songs, listeners), every time is an age from now and every list has a
seed, so both runs read the same data: any difference is the database's.

Run on its own: DATABASE_URL=sqlite:////tmp/x.sqlite3 python -c "from music.tests.scenario import main; main()"
(migrates that database, builds the scenario and prints the lists as JSON)."""

import json
import random
from datetime import timedelta

SONGS = 240
GENRES = ("rock", "metal", "soul", "ambient", "jazz", "folk")
ME, NEWCOMER, COLD, PICKY = 1001, 1002, 1003, 1004
CROWD = tuple(range(1010, 1060))
# Liked by me, the newcomer and the first 36 of the crowd: more listeners than COLLAB_LIKERS, so the
# cap decides who counts as a neighbour. The crowd beyond the cap also likes HIDDEN, which only
# they like: it is a collaborative candidate exactly when the per-song cap does not hold.
POPULAR, HIDDEN, POPULAR_LIKERS = 7, 233, 36
# (listener, mood, goal, seed, words): several listeners, moods and goals, asked in this order.
CASES = (
    (ME, {"sadness": 0.6, "fear": 0.25, "neutral": 0.15}, "match", 1, ""),
    (NEWCOMER, {"sadness": 0.5, "happiness": 0.5}, "match", 2, ""),
    (ME, {"happiness": 0.5, "surprise": 0.3, "neutral": 0.2}, "match_then_lift", 3, ""),
    (COLD, {"anger": 0.7, "fear": 0.3}, "calm", 4, ""),
    (PICKY, {"sadness": 1.0}, "lift", 5, ""),
    (ME, {"neutral": 0.7, "sadness": 0.3}, "match", 6, "some 70s soul"),
    (NEWCOMER, {"happiness": 0.8, "surprise": 0.2}, "lift", 7, ""),
)


def build() -> None:
    """Songs, listeners, likes and dislikes, plays and skips, past lists and stated preferences."""
    from django.utils import timezone

    from accounts.models import User
    from music.catalog.services import genres_seed
    from music.emotions import EMOTIONS
    from music.library.services import preferences_update
    from music.models import Genre, Song
    from music.recommendation.services import recommendation_create

    rng = random.Random(20261207)
    genres_seed()
    genres = [Genre.objects.get(name=name) for name in GENRES]
    for i in range(1, SONGS + 1):
        tags = {name: round(rng.uniform(0.2, 1.0), 2) for name in rng.sample(EMOTIONS, rng.choice((1, 1, 2, 3)))}
        if i % 6 == 0:  # many songs tied at 1.0: the id breaks the tie
            tags[next(iter(tags))] = 1.0
        sound = (
            dict(audio_energy=rng.random(), danceability=rng.random(), acousticness=rng.random(),
                 audio_valence=rng.random(), tempo=rng.uniform(60, 180), mode=i % 2)
            if i % 3 else {}
        )  # fmt: skip
        Song(
            id=i, title=f"Song {i}", artist=f"Artist {i // 3}", genre=None if i % 11 == 0 else genres[i % len(genres)],
            year=1960 + (i * 7) % 60, language=("en", "fr", "es", "")[i % 4], duration=120 + (i * 37) % 240,
            emotions=tags, **sound,
        ).save()  # fmt: skip
    users = {
        pk: User(id=pk, username=f"listener{pk}", email=f"listener{pk}@example.com", goal="match")
        for pk in (ME, NEWCOMER, COLD, PICKY, *CROWD)
    }
    User.objects.bulk_create(users.values())
    now = timezone.now()
    minutes = iter(rng.sample(range(60, 60 * 24 * 60), 3000))  # distinct ages, so every order is total

    disliked = (3, 4, 50, 51, 120)
    liked = rng.sample([s for s in range(1, SONGS + 1) if s not in {POPULAR, HIDDEN, *disliked}], 33)
    # 34 likes, more than COLLAB_SEEDS: only the newest count as seeds.
    ratings = [(ME, song, 1, next(minutes)) for song in liked] + [(ME, POPULAR, 1, 30), (NEWCOMER, POPULAR, 1, 45)]
    ratings += [(ME, song, -1, next(minutes)) for song in disliked]
    for n, pk in enumerate(CROWD):
        theirs = set(rng.sample(range(1, SONGS), 50 if n == 0 else 20)) - {POPULAR, HIDDEN}  # 50: over the cap
        if n < POPULAR_LIKERS:
            theirs.add(POPULAR)
        if 30 <= n < POPULAR_LIKERS:
            theirs.add(HIDDEN)
        ratings += [(pk, song, -1 if song % 13 == 0 else 1, next(minutes)) for song in sorted(theirs)]
    _ratings(ratings, now)

    events = [(ME, rng.randrange(1, SONGS + 1), rng.choice(("played", "played", "skipped")), next(minutes) // 4)
              for _ in range(40)]  # fmt: skip
    _feedback(events, now)
    # Past lists, the newest last; a play after the second one makes it a list acted on.
    for n, (age, mood) in enumerate(((4320, "happiness"), (2880, "sadness"), (1440, "neutral"), (300, "fear"))):
        rec = recommendation_create(user=users[ME], emotions={mood: 1.0}, goal="match", seed=100 + n)
        rec.created_at = now - timedelta(minutes=age)
        rec.save(update_fields=["created_at"])
        if n == 1:
            _feedback([(ME, rec.items.get(rank=3).song_id, "played", 600)], now)
    preferences_update(
        user=users[PICKY], likes_genres=["soul"], avoid_genres=["rock"], likes_artists=["Artist 5"], eras=[1970, 1989]
    )


def _ratings(rows, now) -> None:
    from music.models import Rating

    made = Rating.objects.bulk_create(Rating(user_id=u, song_id=s, value=v) for u, s, v, _ in rows)
    for rating, (*_, age) in zip(made, rows, strict=True):
        rating.updated_at = now - timedelta(minutes=age)
    Rating.objects.bulk_update(made, ["updated_at"])  # auto_now would stamp every row with now


def _feedback(rows, now) -> None:
    from music.models import Feedback

    made = Feedback.objects.bulk_create(Feedback(user_id=u, song_id=s, kind=k) for u, s, k, _ in rows)
    for event, (*_, age) in zip(made, rows, strict=True):
        event.created_at = now - timedelta(minutes=age)
    Feedback.objects.bulk_update(made, ["created_at"])


def lists() -> dict:
    """What the recommender makes of the scenario: the collaborative scores of two listeners, the
    past lists build() made, and each case's list; a list is [song id, score, explanation] rows."""
    from accounts.models import User
    from music.models import Recommendation
    from music.recommendation import queries, services, sql

    def rows(rec) -> list:
        return [[item.song_id, item.score, item.explanation] for item in rec.items.order_by("rank")]

    collaborative = {
        str(pk): [[row.song_id, float(row.score)] for row in sql.rows(*queries.collaborative_sql(pk))]
        for pk in (ME, NEWCOMER)
    }
    past = [rows(rec) for rec in Recommendation.objects.filter(user_id=ME).order_by("created_at")]
    made = []
    for pk, mood, goal, seed, words in CASES:
        asks = services.asks_read(words) if words else None
        user = User.objects.get(pk=pk)
        made.append(rows(services.recommendation_create(user=user, emotions=mood, goal=goal, seed=seed, asks=asks)))
    return {"collaborative": collaborative, "past": past, "lists": made}


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    build()
    print(json.dumps(lists()))


if __name__ == "__main__":
    main()
