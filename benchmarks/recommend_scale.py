#!/usr/bin/env python
"""Recommendation latency at scale: songs, users and feedback events on PostgreSQL.

    DATABASE_URL=postgres://... python benchmarks/recommend_scale.py --json          # 100k / 10k / 1M
    DATABASE_URL=postgres://... python benchmarks/recommend_scale.py --json \\
        --songs 1000000 --users 100000 --events 10000000

Works in its own database, `<name of DATABASE_URL's database>_recbench`, created fresh on the same
server and dropped at the end (keep it with --keep), so it never touches real data. Refuses
SQLite: the bar is about PostgreSQL and its indexes.

Build (each step timed, `build_s` in all):
1. the first 100,000 songs (or all, if fewer) go through the real CSV importer, genres and
   languages included (timed: `import_100k_s`); the rest are generated the same way and loaded
   with COPY, their derived columns (key, valence/arousal, quadrant) computed by the model's own
   functions, the table's secondary indexes dropped for the load and rebuilt afterwards. Songs come in "scenes" of 500 (a block of the catalogue sharing mostly one genre of
   the vocabulary), so that listeners' tastes have genres;
2. users with one COPY;
3. feedback events, generated with numpy and loaded with binary COPY: each listener has two
   home scenes (80% of their events) and a popular head; kinds like 25%, dislike 5%, played
   50%, skipped 20%, over 90 days;
4. ratings (the latest like or dislike per listener and song) computed from those events, binary
   COPY. Songs, events and ratings are loaded without the tables' indexes and unique and
   foreign-key constraints, which are then rebuilt with the very same definitions (and checked);
5. 20 past lists of 10 songs (from their own history) for each listener timed as "rich", so the
   taste model reads songs shown and left alone as it would in use;
6. VACUUM ANALYZE, as autovacuum would do after bulk loads.

Then `music.recommendation.services.recommendation_create` (a list of 10, stored, as the app does it) is timed
for the listeners with the most events ("rich") and for brand-new users ("cold"). Prints JSON:
rich_p50_ms, rich_p95_ms, cold_p50_ms, cold_p95_ms, import_100k_s, build_s, and context: the time
of each build step, this process's CPU time per list, the load average, sizes.
"""

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from benchdb import NotPostgres, log, percentile, scratch_database
from bulkload import bulk_load, copy_binary, copy_lines
from scale_catalog import AUDIO, EMOTIONS, KIND_P, KINDS, LANGUAGES, SCENE, Catalog, catalog_csv, tags_dict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

IMPORTED = 100_000  # songs that go through the real importer
PAST_LISTS = 20
DAYS = 90


def copy_songs(np, catalog: Catalog, start: int, stop: int, chunk: int = 100_000) -> None:
    """COPY generated songs: every column the model has, in COPY's text format, built a chunk at
    a time; key, valence/arousal and quadrant follow the model's rules (checked on a sample)."""
    from django.db import connection
    from django.utils import timezone

    from music.emotions import quadrant_of, va_from_tags
    from music.models import Genre, Song, song_key

    genre_ids = dict(Genre.objects.values_list("name", "id"))
    genre_of = np.array([genre_ids[name] for name in catalog.genres])
    fields = [f for f in Song._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    now = timezone.now().isoformat()

    def text(value) -> str:
        return "\\N" if value is None else ("t" if value else "f") if isinstance(value, bool) else str(value)

    generated = [
        "title", "artist", "album", "year", "genre_id", "language", "duration", "emotions", "valence", "arousal",
        "va_manual", "quadrant", "active", "key", "artist_key", "created_at", "updated_at", *AUDIO,
    ]  # fmt: skip
    template = "\t".join(
        f"{{{f.column}}}" if f.column in generated else text(f.get_default()).replace("{", "{{").replace("}", "}}")
        for f in fields
    ) + "\n"  # fmt: skip
    for i in np.random.default_rng(5).integers(start, stop, 50):
        tags = catalog.tags_of(i)
        valence, arousal = catalog.va[i] if catalog.manual[i] else va_from_tags(tags)
        assert abs(valence - catalog.va[i, 0]) < 2e-4 and abs(arousal - catalog.va[i, 1]) < 2e-4, i
        assert song_key(f"Artist {i // 5}", f"Track {i}") == f"artist{i // 5}\x1ftrack{i}"
    quadrants = np.where(
        catalog.va[:, 1] >= 0, np.where(catalog.va[:, 0] >= 0, "happy", "tense"),
        np.where(catalog.va[:, 0] >= 0, "relaxed", "sad"),
    )  # fmt: skip
    assert all(quadrant_of(*catalog.va[i]) == quadrants[i] for i in range(start, min(stop, start + 50)))
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Song._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for first in range(start, stop, chunk):
            part = slice(first, min(stop, first + chunk))
            columns_of_part = zip(
                range(part.start, part.stop), catalog.year[part].tolist(), genre_of[catalog.genre[part]].tolist(),
                catalog.language[part].tolist(), catalog.duration[part].tolist(), catalog.tags[part].tolist(),
                catalog.va[part].tolist(), catalog.manual[part].tolist(), quadrants[part].tolist(), strict=True,
            )  # fmt: skip
            copy.write(
                "".join(
                    template.format(
                        title=f"Track {i}", artist=f"Artist {i // 5}", album=f"Album {i // 12}", year=year,
                        genre_id=genre, language=LANGUAGES[language], duration=duration,
                        emotions=json.dumps(tags_dict(tags)), valence=va[0], arousal=va[1],
                        va_manual="t" if manual else "f", quadrant=quadrant, active="t",
                        key=f"artist{i // 5}\x1ftrack{i}", artist_key=f"artist{i // 5}", created_at=now,
                        updated_at=now, **{name: catalog.audio[name][i] for name in AUDIO},
                    )
                    for i, year, genre, language, duration, tags, va, manual, quadrant in columns_of_part
                )
            )  # fmt: skip


def copy_users(count: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User

    fields = [f for f in User._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults = {f.column: f.get_default() for f in fields}
    now, password = timezone.now(), make_password(None)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {User._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for i in range(count):
            values = {
                **defaults, "username": f"bench{i}", "email": f"bench{i}@example.org", "password": password,
                "date_joined": now, "goal": "match_then_lift",
            }  # fmt: skip
            copy.write_row([values[f.column] for f in fields])


def events(args, np, song_ids, user_ids):
    """(user index, song index, kind, seconds ago) arrays: listeners favour two scenes and a head."""
    gen = np.random.default_rng(2)
    weights = gen.lognormal(0, 1.0, len(user_ids))
    per_user = np.maximum(1, np.round(weights / weights.sum() * args.events)).astype(np.int64)
    user_index = np.repeat(np.arange(len(user_ids)), per_user)[: args.events]
    n = len(user_index)
    scenes = max(1, len(song_ids) // SCENE)
    home = gen.integers(0, scenes, size=(len(user_ids), 2))
    in_scene = gen.random(n) < 0.8
    scene_song = home[user_index, gen.integers(0, 2, n)] * SCENE + gen.integers(0, SCENE, n)
    popular = np.minimum(gen.zipf(1.3, n) - 1, len(song_ids) - 1)
    song_index = np.where(in_scene, np.minimum(scene_song, len(song_ids) - 1), popular)
    kinds = gen.choice(len(KINDS), size=n, p=KIND_P).astype(np.int8)
    seconds_ago = gen.integers(60, DAYS * 86400, n)
    return user_index, song_index, kinds, seconds_ago


@contextlib.contextmanager
def timed_step(steps: dict[str, float], name: str) -> Iterator[None]:
    """Time one build step into `steps` (seconds, rounded) and log it."""
    started = time.perf_counter()
    yield
    steps[name] = round(time.perf_counter() - started, 1)
    log(f"  {name}: {steps[name]} s")


def build(args, np) -> dict:
    from django.db import connection

    from accounts.models import User
    from music.models import Genre, Rating, Song

    steps: dict[str, float] = {}
    catalog = Catalog(np, list(Genre.objects.order_by("path").values_list("name", flat=True)), args.songs)
    import_seconds = load_catalog(args, np, catalog, steps)
    song_ids = np.array(Song.objects.order_by("id").values_list("id", flat=True))

    log(f"COPY of {args.users:,} users…")
    with timed_step(steps, "copy_users"):
        copy_users(args.users)
        bench = User.objects.filter(username__startswith="bench")
        user_ids = np.array(bench.order_by("id").values_list("id", flat=True))

    log(f"generating and COPYing {args.events:,} feedback events…")
    with timed_step(steps, "copy_events"):
        drawn = events(args, np, song_ids, user_ids)
        stamps = int(time.time()) - drawn[3]
        copy_feedback(np, song_ids, user_ids, drawn, stamps)

    log("ratings: the latest like or dislike per listener and song…")
    with timed_step(steps, "copy_ratings"):
        copy_ratings(np, song_ids, user_ids, drawn, stamps)

    log(f"{PAST_LISTS} past lists for each of the {args.samples} richest listeners…")
    with timed_step(steps, "past_lists"):
        rich = copy_past_lists(args, np, song_ids, user_ids, drawn)

    log("VACUUM ANALYZE…")
    with timed_step(steps, "vacuum_analyze"), connection.cursor() as cursor:
        # Planner statistics everywhere; the visibility map that lets the co-occurrence query use
        # index-only scans on the ratings.
        cursor.execute(f"VACUUM ANALYZE {Rating._meta.db_table}")
        cursor.execute("ANALYZE")
    return {"import_seconds": import_seconds, "steps": steps, "rich_user_ids": user_ids[rich].tolist()}


def load_catalog(args, np, catalog: Catalog, steps: dict[str, float]) -> float:
    """The first IMPORTED songs through the real importer, the rest with COPY; returns the importer's seconds."""
    from music.catalog.importing import song_import
    from music.models import Song

    imported = min(args.songs, IMPORTED)
    data = catalog_csv(catalog, 0, imported)
    log(f"importing {imported:,} catalog rows through the importer ({len(data) / 1e6:.1f} MB)…")
    with timed_step(steps, "import_songs"):
        started = time.perf_counter()
        report = song_import(data=data)
        if not report.ok:
            raise SystemExit(f"catalog import failed: {report.errors[:3]}")
        # Unrounded: a small smoke-size import takes well under the 0.1 s the step log shows.
        import_seconds = time.perf_counter() - started
    if args.songs > imported:
        log(f"COPY of {args.songs - imported:,} more songs…")
        with timed_step(steps, "copy_songs"), bulk_load(Song._meta.db_table):
            copy_songs(np, catalog, imported, args.songs)
    return import_seconds


def copy_feedback(np, song_ids, user_ids, drawn, stamps) -> None:
    from music.models import Feedback

    user_index, song_index, kinds, _ = drawn
    with bulk_load(Feedback._meta.db_table):
        for k, kind in enumerate(KINDS):  # one COPY per kind, so every row has the same layout
            rows = np.flatnonzero(kinds == k)
            copy_binary(
                np, Feedback._meta.db_table,
                [("user_id", "int8", user_ids[user_index[rows]]), ("song_id", "int8", song_ids[song_index[rows]]),
                 ("kind", "text", kind.encode()), ("created_at", "timestamptz", stamps[rows])],
                len(rows),
            )  # fmt: skip


def copy_ratings(np, song_ids, user_ids, drawn, stamps) -> None:
    """The latest like or dislike of each listener and song among the events."""
    from music.models import Rating

    user_index, song_index, kinds, seconds_ago = drawn
    rated = np.flatnonzero(kinds < 2)
    order = rated[np.lexsort((-seconds_ago[rated], song_index[rated], user_index[rated]))]
    pair = user_index[order].astype(np.int64) * len(song_ids) + song_index[order]
    last = order[np.append(pair[1:] != pair[:-1], True)]
    with bulk_load(Rating._meta.db_table):
        copy_binary(
            np, Rating._meta.db_table,
            [("user_id", "int8", user_ids[user_index[last]]), ("song_id", "int8", song_ids[song_index[last]]),
             ("value", "int2", np.where(kinds[last] == 0, 1, -1)), ("updated_at", "timestamptz", stamps[last])],
            len(last),
        )  # fmt: skip


def copy_past_lists(args, np, song_ids, user_ids, drawn):
    """PAST_LISTS lists of 10 of their own songs for each of the richest listeners; returns their indexes."""
    from music.models import Recommendation, RecommendationItem

    user_index, song_index, _, _ = drawn
    counts = np.bincount(user_index, minlength=len(user_ids))
    rich = np.argsort(-counts, kind="stable")[: args.samples]
    gen = np.random.default_rng(4)
    list_rows, item_rows = [], []
    for u in rich.tolist():
        theirs = song_ids[song_index[user_index == u]]
        for j in range(PAST_LISTS):
            ago = int(gen.integers(60, DAYS * 86400))
            made = np.datetime_as_string(np.datetime64(int(time.time()) - ago, "s"), unit="s")
            list_rows.append(f'{user_ids[u]}\tmatch_then_lift\t{{"sadness": 1.0}}\t{j}\t{made}+00\n')
            item_rows.append(gen.choice(theirs, size=min(10, len(theirs)), replace=False).tolist())
    copy_lines(Recommendation._meta.db_table, "user_id, goal, emotions, seed, created_at", ["".join(list_rows)])
    list_ids = list(
        Recommendation.objects.filter(user_id__in=user_ids[rich].tolist()).order_by("id").values_list("id", flat=True)
    )
    items = "".join(
        f"{rec}\t{rank}\t{song}\t0\tbenchmark\n"
        for rec, picked in zip(list_ids, item_rows, strict=True)
        for rank, song in enumerate(picked, start=1)
    )
    copy_lines(RecommendationItem._meta.db_table, "recommendation_id, rank, song_id, score, explanation", [items])
    return rich


def measure(args, np, rich_ids) -> dict:
    from django.db import connection

    from accounts.models import User
    from music.recommendation.services import recommendation_create

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

    by_id = User.objects.in_bulk(rich_ids)
    rich = [by_id[i] for i in rich_ids]
    User.objects.bulk_create(
        User(username=f"cold{i}", email=f"cold{i}@example.org", password="!") for i in range(args.samples)
    )
    cold = list(User.objects.filter(username__startswith="cold"))
    warm_rich, warm_cold = rich[: args.samples // 10], cold[: args.samples // 10]
    timed(warm_rich + warm_cold)  # warm caches and connections (these users are timed again later)
    connection.queries_log.clear()
    load_before = os.getloadavg()[0]
    rich_ms = timed(rich, "rich")
    cold_ms = timed(cold, "cold")
    return {
        **taste_fit_times(rich[:50]),
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


def taste_fit_times(users) -> dict:
    """The taste model is refitted from the history on every list (nothing stored to go stale):
    its share of a rich listener's list, timed on its own."""
    from music.recommendation.fitting import fit
    from music.recommendation.selectors import history_for

    fit_ms, observations = [], []
    for user in users:
        history = history_for(user=user)
        started = time.perf_counter()
        fit(history.observations)
        fit_ms.append((time.perf_counter() - started) * 1000)
        observations.append(len(history.observations))
    return {
        "taste_fit_p50_ms": round(statistics.median(fit_ms), 2),
        "taste_fit_p95_ms": round(percentile(fit_ms, 95), 2),
        "taste_observations_p50": int(statistics.median(observations)),
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
            built = build(args, np)
            build_seconds = time.perf_counter() - started
            log(f"data built in {build_seconds:.0f} s; timing {args.samples} lists per group…")
            result = measure(args, np, built["rich_user_ids"])
            result["import_100k_s"] = round(built["import_seconds"] * IMPORTED / min(args.songs, IMPORTED), 2)
            result["build_s"] = round(build_seconds, 1)
            result["build_steps_s"] = built["steps"]
            result.update({"songs": args.songs, "users": args.users, "feedback_events": args.events})
    except NotPostgres as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
