#!/usr/bin/env python
"""Recommendation latency at scale: 100,000 songs, 10,000 users, 1,000,000 feedback events.

    DATABASE_URL=postgres://... python benchmarks/recommend_scale.py --json

Works in its own database, `<name of DATABASE_URL's database>_recbench`, created fresh on the same
server and dropped at the end (keep it with --keep), so it never touches real data. Refuses
SQLite: the bar is about PostgreSQL and its indexes.

Steps: import a generated 100,000-row catalog CSV through the real importer (timed:
`import_100k_s`); create 10,000 users; COPY 1,000,000 feedback events in which listeners favour
a few "scenes" of the catalog (so likes co-occur like real taste does) plus a popular head;
derive the like/dislike ratings; ANALYZE. Then time `music.services.recommendation_create`
(a list of 10, stored, as the app does it) for the users with the richest history and for
brand-new users. Prints JSON: rich_p50_ms, rich_p95_ms, cold_p50_ms, cold_p95_ms, import_100k_s (and some context:
CPU time per list, load average, sizes).
"""

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from benchdb import NotPostgres, log, percentile, scratch_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EMOTIONS = ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt")
GENRES = ("pop", "rock", "hip-hop", "jazz", "classical", "electronic", "folk", "metal", "soul", "country")
KINDS = ("like", "dislike", "played", "skipped")
KIND_P = (0.25, 0.05, 0.5, 0.2)


def catalog_csv(n: int, rng: random.Random) -> bytes:
    out = io.StringIO()
    out.write("title,artist,album,year,genre,duration,tags,valence,arousal,active\n")
    for i in range(n):
        names = rng.sample(EMOTIONS, rng.choice((1, 2, 2, 3)))
        tags = ";".join(f"{name}:{rng.uniform(0.2, 1.0):.2f}" for name in names)
        va = f"{rng.uniform(-1, 1):.2f},{rng.uniform(-1, 1):.2f}" if i % 10 == 0 else ","
        out.write(
            f"Track {i},Artist {i // 5},Album {i // 12},{rng.randint(1960, 2024)},{rng.choice(GENRES)},"
            f"{rng.randint(90, 420)},{tags},{va},true\n"
        )
    return out.getvalue().encode()


def build(args, np) -> float:
    from django.db import connection

    from accounts.models import User
    from music.models import Song
    from music.services import song_import

    rng = random.Random(1)
    data = catalog_csv(args.songs, rng)
    log(f"importing {args.songs:,} catalog rows ({len(data) / 1e6:.1f} MB)…")
    started = time.perf_counter()
    report = song_import(data=data)
    import_seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"catalog import failed: {report.errors[:3]}")
    song_ids = np.array(Song.objects.order_by("id").values_list("id", flat=True))

    log(f"creating {args.users:,} users…")
    User.objects.bulk_create(
        (User(username=f"bench{i}", email=f"bench{i}@example.org", password="!", goal="match_then_lift")
         for i in range(args.users)),
        batch_size=5000,
    )  # fmt: skip
    user_ids = np.array(User.objects.filter(username__startswith="bench").order_by("id").values_list("id", flat=True))

    log(f"generating {args.events:,} feedback events…")
    gen = np.random.default_rng(2)
    # Events per user: a long tail, so some listeners have rich histories.
    weights = gen.lognormal(0, 1.0, len(user_ids))
    per_user = np.maximum(1, np.round(weights / weights.sum() * args.events)).astype(int)
    event_users = np.repeat(user_ids, per_user)[: args.events]
    n = len(event_users)
    scene_size = 500
    scenes = max(1, len(song_ids) // scene_size)
    home = gen.integers(0, scenes, size=(len(user_ids), 2))
    user_index = np.repeat(np.arange(len(user_ids)), per_user)[:n]
    in_scene = gen.random(n) < 0.8
    scene = home[user_index, gen.integers(0, 2, n)]
    scene_song = scene * scene_size + gen.integers(0, scene_size, n)
    popular = np.minimum(gen.zipf(1.3, n) - 1, len(song_ids) - 1)  # a popular head, capped
    song_index = np.where(in_scene, np.minimum(scene_song, len(song_ids) - 1), popular)
    kinds = gen.choice(len(KINDS), size=n, p=KIND_P)
    seconds_ago = gen.integers(0, 90 * 86400, n)
    now = time.time()
    lines = "\n".join(
        f"{u}\t{s}\t{KINDS[k]}\t{now - t:.0f}"
        for u, s, k, t in zip(event_users.tolist(), song_ids[song_index].tolist(), kinds.tolist(), seconds_ago.tolist(), strict=True)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_events (user_id bigint, song_id bigint, kind text, ts double precision)"
        )
        with cursor.cursor.copy("COPY bench_events FROM STDIN") as copy:
            copy.write(lines)
        cursor.execute(
            "INSERT INTO music_feedback (user_id, song_id, kind, created_at) "
            "SELECT user_id, song_id, kind, to_timestamp(ts) FROM bench_events"
        )
        cursor.execute(
            "INSERT INTO music_rating (user_id, song_id, value, updated_at) "
            "SELECT DISTINCT ON (user_id, song_id) user_id, song_id, CASE kind WHEN 'like' THEN 1 ELSE -1 END, "
            "to_timestamp(ts) FROM bench_events WHERE kind IN ('like', 'dislike') "
            "ORDER BY user_id, song_id, ts DESC"
        )
        cursor.execute("DROP TABLE bench_events")
        # What autovacuum does to a live database after bulk loads: planner statistics and the
        # visibility map that lets the co-occurrence query use index-only scans.
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM music_feedback")
        log(f"feedback rows: {cursor.fetchone()[0]:,}")
    return import_seconds


def measure(args, np) -> dict:
    from django.db import connection
    from django.db.models import Count

    from accounts.models import User
    from music.services import recommendation_create

    gen = np.random.default_rng(3)

    def distribution():
        values = gen.dirichlet(np.full(len(EMOTIONS), 0.4))
        return dict(zip(EMOTIONS, values.tolist(), strict=True))

    cpu: dict[str, list[float]] = {}

    def timed(users, label: str = "") -> list[float]:
        times = []
        for i, user in enumerate(users):
            started, started_cpu = time.perf_counter(), time.process_time()
            recommendation_create(user=user, emotions=distribution(), seed=i)
            times.append((time.perf_counter() - started) * 1000)
            cpu.setdefault(label, []).append((time.process_time() - started_cpu) * 1000)
        return times

    rich = list(
        User.objects.filter(username__startswith="bench")
        .annotate(n=Count("song_feedback"))
        .order_by("-n")[: args.samples]
    )
    log(f"rich users: {rich[0].n}–{rich[-1].n} feedback events each")
    cold = User.objects.bulk_create(
        User(username=f"cold{i}", email=f"cold{i}@example.org", password="!") for i in range(args.samples)
    )
    cold = list(User.objects.filter(username__startswith="cold"))
    timed(rich[:20] + cold[:20])  # warm caches and connections
    connection.queries_log.clear()
    load_before = os.getloadavg()[0]
    rich_ms = timed(rich, "rich")
    cold_ms = timed(cold, "cold")
    return {
        "rich_p50_ms": round(statistics.median(rich_ms), 2),
        "rich_p95_ms": round(percentile(rich_ms, 95), 2),
        "cold_p50_ms": round(statistics.median(cold_ms), 2),
        "cold_p95_ms": round(percentile(cold_ms, 95), 2),
        # Context for the wall-clock figures: this process's own CPU time per list (the database
        # server's is not included) and the machine's load while timing.
        "rich_cpu_p50_ms": round(statistics.median(cpu["rich"]), 2),
        "cold_cpu_p50_ms": round(statistics.median(cpu["cold"]), 2),
        "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpu_count": os.cpu_count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print only the JSON result on stdout")
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200, help="lists timed per group")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    import numpy as np

    try:
        with scratch_database("recommend_scale.py", "recbench", keep=args.keep):
            started = time.perf_counter()
            import_seconds = build(args, np)
            log(f"data built in {time.perf_counter() - started:.0f} s; timing {args.samples} lists per group…")
            result = measure(args, np)
            result["import_100k_s"] = round(import_seconds * 100_000 / args.songs, 2)
            result.update({"songs": args.songs, "users": args.users, "feedback_events": args.events})
    except NotPostgres as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
