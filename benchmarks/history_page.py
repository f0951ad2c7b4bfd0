#!/usr/bin/env python
"""Mood history speed with a long history: five years of daily check-ins for one user.

    DATABASE_URL=postgres://... python benchmarks/history_page.py --json

Works in its own database, `<name of DATABASE_URL's database>_histbench`, created fresh on the
same server and dropped at the end (keep it with --keep), so it never touches real data. Refuses
SQLite: the bar is about PostgreSQL and its indexes.

Builds one user with about 2,000 finished sessions over five years (one or two a day, some
corrected), a 10-song recommendation per session with a goal, and feedback on about a third of
the songs; plus 50 other users with 200 sessions each, so the tables are not the user's alone.
Then times, with Django's test client in-process (server time, no network), the history page,
GET /api/v1/history/summary/ (`api`: every aggregate) and the first page of
GET /api/v1/history/checkins/ (`list`) over the whole history (`?range=all`: the heaviest view)
and over the default 30 days. Prints JSON: page_p50_ms, page_p95_ms, api_p50_ms, api_p95_ms,
list_p50_ms, list_p95_ms (the whole history), the same for 30 days with a `_30d` suffix, the median CPU time of this process per
request (`*_cpu_p50_ms`: Python work, without the database's), response sizes, data sizes and
the load average (wall times on a busy machine include waiting for a core). Bar: p95 <= 300 ms.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from benchdb import NotPostgres, log, percentile, scratch_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EMOTIONS = ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt")
MOOD_WEIGHTS = (30, 25, 6, 15, 8, 3, 8, 5)
from accounts.goals import GOALS  # noqa: E402  (the repository is on the path only now)


def distribution(top: str, rng: random.Random) -> tuple[dict, float]:
    weights = {name: rng.random() * 0.3 for name in EMOTIONS}
    weights[top] = 1.0 + rng.random() * 2
    total = sum(weights.values())
    probabilities = {name: round(w / total, 6) for name, w in weights.items()}
    return probabilities, probabilities[top]


def sessions_for(user, count: int, days: int, rng: random.Random, now):
    from detection.models import CheckIn

    rows = []
    for i in range(count):
        when = now - timedelta(days=days * i / count, hours=rng.uniform(0, 12))
        top = rng.choices(EMOTIONS, MOOD_WEIGHTS)[0]
        emotions, confidence = distribution(top, rng)
        corrected = rng.choice(EMOTIONS) if rng.random() < 0.08 else ""
        rows.append(
            CheckIn(
                owner=user, kind="upload", status="done", emotions=emotions, top_emotion=top,
                confidence=confidence, corrected_emotion=corrected, created_at=when, started_at=when, finished_at=when,
            )
        )  # fmt: skip
    return rows


def build(args) -> dict:
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from detection.models import CheckIn
    from music.models import Feedback, Recommendation

    # Timestamps are part of the data here: let bulk_create keep the ones given.
    for model in (CheckIn, Recommendation, Feedback):
        model._meta.get_field("created_at").auto_now_add = False

    rng = random.Random(7)
    now = timezone.now()
    song_ids = make_songs(args.songs, rng)
    user = User.objects.create_user("longtime", "longtime@example.org", "bench-password-123", goal="match_then_lift")
    others = User.objects.bulk_create(
        User(username=f"other{i}", email=f"other{i}@example.org", password="!") for i in range(args.other_users)
    )
    log(f"creating {args.sessions:,} sessions over {args.years} years, plus {args.other_users} other users…")
    mine = CheckIn.objects.bulk_create(sessions_for(user, args.sessions, 365 * args.years, rng, now), batch_size=2000)
    for other in others:
        CheckIn.objects.bulk_create(sessions_for(other, args.other_sessions, 365, rng, now), batch_size=2000)

    log("creating recommendations, items and feedback…")
    items, feedback = lists_for(user, mine, song_ids, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "user": user,
        "sessions": len(mine),
        "recommendation_items": items,
        "feedback_events": feedback,
        "other_sessions": args.other_users * args.other_sessions,
    }


def make_songs(count: int, rng: random.Random) -> list[int]:
    from music.models import Genre, Song

    pop, _ = Genre.objects.get_or_create(name="pop")
    songs = [
        Song(title=f"Track {i}", artist=f"Artist {i // 4}", genre=pop, emotions={rng.choice(EMOTIONS): 1.0})
        for i in range(count)
    ]
    for song in songs:
        song.refresh_derived()  # the unique key and valence; bulk_create skips save()
    Song.objects.bulk_create(songs, batch_size=2000)
    return [s.pk for s in Song.objects.order_by("id")]


def lists_for(user, sessions: list, song_ids: list[int], rng: random.Random) -> tuple[int, int]:
    """A 10-song list with a goal for each session, feedback on about a third of the songs and the
    ratings that follow; returns how many items and feedback events were made."""
    from detection.models import CheckInRecommendation
    from music.models import Feedback, Rating, Recommendation, RecommendationItem

    recs = Recommendation.objects.bulk_create(
        (
            Recommendation(
                user=user, goal=rng.choice(GOALS), emotions=s.emotions, seed=1, created_at=s.created_at,
            )
            for s in sessions
        ),
        batch_size=2000,
    )  # fmt: skip
    CheckInRecommendation.objects.bulk_create(
        (CheckInRecommendation(check_in=s, recommendation=rec) for s, rec in zip(sessions, recs, strict=True)),
        batch_size=5000,
    )
    items, feedback, ratings = [], [], {}
    for rec in recs:
        picked = rng.sample(song_ids, 10)
        items += [
            RecommendationItem(recommendation=rec, rank=r, song_id=sid, score=1.0, explanation="bench")
            for r, sid in enumerate(picked, start=1)
        ]
        for sid in picked:
            if rng.random() < 0.33:
                kind = rng.choices(("like", "dislike", "played", "skipped"), (3, 1, 5, 2))[0]
                feedback.append(
                    Feedback(user=user, song_id=sid, kind=kind, recommendation=rec, created_at=rec.created_at)
                )
                if kind in ("like", "dislike"):
                    ratings[sid] = 1 if kind == "like" else -1
    RecommendationItem.objects.bulk_create(items, batch_size=5000)
    Feedback.objects.bulk_create(feedback, batch_size=5000)
    Rating.objects.bulk_create(Rating(user=user, song_id=sid, value=v) for sid, v in ratings.items())
    return len(items), len(feedback)


def timed(client, url: str, samples: int) -> tuple[list[float], list[float]]:
    """Wall milliseconds per request, and this process's CPU milliseconds (the database's are not in it)."""
    for _ in range(3):  # warm caches (templates, query plans)
        assert client.get(url, secure=True).status_code == 200, url
    wall, cpu = [], []
    for _ in range(samples):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, secure=True)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return wall, cpu


def measure(user, samples: int) -> dict:
    from django.test import Client
    from django.utils import timezone

    client = Client()
    client.force_login(user)
    result = {}
    for suffix, query in (("", "?range=all"), ("_30d", "?range=30")):
        # The API's default is the whole history; 30 days are the same dates the page uses.
        api_query = "" if suffix == "" else f"?from={timezone.localdate() - timedelta(days=29)}"
        urls = (
            ("page", "/history/" + query),
            ("api", "/api/v1/history/summary/" + api_query),
            ("list", "/api/v1/history/checkins/" + api_query),
        )
        for name, url in urls:
            wall, cpu = timed(client, url, samples)
            result[f"{name}_p50_ms{suffix}"] = round(statistics.median(wall), 1)
            result[f"{name}_p95_ms{suffix}"] = round(percentile(wall, 95), 1)
            result[f"{name}_cpu_p50_ms{suffix}"] = round(statistics.median(cpu), 1)
        if suffix == "":
            result["page_bytes"] = len(client.get("/history/" + query, secure=True).content)
            result["api_bytes"] = len(client.get("/api/v1/history/summary/", secure=True).content)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print only the JSON result on stdout")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=2000, help="sessions of the measured user")
    parser.add_argument("--songs", type=int, default=3000)
    parser.add_argument("--other-users", type=int, default=50)
    parser.add_argument("--other-sessions", type=int, default=200)
    parser.add_argument("--samples", type=int, default=60, help="timed requests per URL")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    # 4 x (3 + samples) history API requests in a minute or two: over the per-user history rate
    # (120/min), which guards a shared server. The benchmark times the answers, not the limit.
    os.environ.setdefault("HISTORY_THROTTLE_RATE", "100000/min")
    result: dict = {}
    try:
        with scratch_database("history_page.py", "histbench", keep=args.keep):
            from django.conf import settings

            # Static URLs without a collectstatic run: the manifest lookup is not what is measured.
            settings.STORAGES = {
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
            started = time.perf_counter()
            built = build(args)
            log(f"data built in {time.perf_counter() - started:.0f} s; timing {args.samples} requests per URL…")
            result = measure(built.pop("user"), args.samples)
            result.update(built)
            result["load_average_1m"] = round(os.getloadavg()[0], 2)
    except NotPostgres as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
