"""The least a check-in can cost on this stack: the parts every check-in needs, each measured alone.

pipeline_load.py measures what a check-in costs; this measures what it cannot cost less than, on
the same stack and in the same run, beside the analysis itself (pipeline_ms_p50, as
pipeline_load.py and inference.py time it):

    python benchmarks/check_in_floor.py --json
    {"pipeline_ms_p50": 15.3, "request": {"cpu_ms": ..., "by_process": {...}}, "task": {...},
     "recommendation": {...}, "floor_ms": ..., "floor_ratio": ..., "overhead_ratio_bar": 2.0}

- request: the smallest authenticated API request, a check-in's status (GET .../status/: DRF, token
  authentication, one indexed query), through bin/web's gunicorn; 10 clients at once. A check-in
  needs at least one request.
- task: the smallest Celery task (celery.accumulate, which does nothing), published from this
  process and run by a worker with 2 pool processes, with the settings' acks_late and prefetch.
  A check-in needs at least one task.
- recommendation: choosing and storing one list of 10 songs from the shipped catalogue
  (music.recommendation.services.recommendation_create), in a Django process of its own, with the
  CPU of its PostgreSQL backend. Every check-in comes with one.
- rows: a check-in's rows as the worker writes them (insert, start, its face, its result, the link
  to its list), in the same process.
- answer: the finished check-in and its list serialized by the API, already read.

floor_ms is their sum with the analysis; floor_ratio = floor_ms / pipeline_ms_p50 is the
overhead_ratio a check-in would have if it cost nothing else: no upload and its checks, no image
store, no wait, no reading of the answer. Everything stays on loopback; every loop is bounded by a count or a
deadline.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchdb import stack_env
from pipeline_load import (
    PYTHON,
    ROOT,
    ensure_database,
    free_port,
    pipeline_ms_p50,
    prepare,
    request,
    selfie_jpeg,
    serve,
    start_worker,
    stop,
    wait_for,
    worker_ready,
)
from processcpu import cpu_seconds, cpu_used

BAR = 2.0  # the overhead_ratio asked of a check-in (docs/scaling.md)
PARTS = ("request", "task", "recommendation", "rows", "answer")


def _per(used: dict[str, float], count: int) -> dict[str, float]:
    return {name: round(seconds * 1000 / count, 2) for name, seconds in used.items() if seconds}


def _part(by_process: dict[str, float], count: int) -> dict:
    return {"count": count, "cpu_ms": round(sum(by_process.values()), 2), "by_process": by_process}


def request_floor(base: str, tokens: list[str], web_pgid: int, database: str, rounds: int) -> dict:
    """CPU per status request: each client reads its own check-in's status `rounds` times."""
    said = json.dumps({"emotion": "neutral"}).encode()
    ids = [request(base, token, "/api/v1/checkins/", said, "application/json")[1]["id"] for token in tokens]

    def client(token_and_id):
        token, check_in_id = token_and_id
        for _ in range(rounds):
            request(base, token, f"/api/v1/checkins/{check_in_id}/status/")

    pairs = list(zip(tokens, ids, strict=True))
    with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        list(pool.map(lambda pair: [request(base, pair[0], f"/api/v1/checkins/{pair[1]}/status/")], pairs))
    before = cpu_seconds({"web": web_pgid}, database)
    with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        list(pool.map(client, pairs))
    count = len(pairs) * rounds
    return _part(_per(cpu_used(before, cpu_seconds({"web": web_pgid}, database)), count), count)


def task_floor(env: dict, database: str, count: int, tmp: Path) -> dict:
    """CPU per empty task: publish `count` at once, wait until the worker has acknowledged them all."""
    import redis
    from celery import Celery

    broker = redis.Redis.from_url(env["CELERY_BROKER_URL"])
    os.environ["CELERY_BROKER_URL"] = env["CELERY_BROKER_URL"]  # Celery reads it before any argument
    app = Celery()
    worker = start_worker(env, 2, tmp / "worker-floor.log")
    try:
        wait_for(lambda: worker_ready(env), 90, "the Celery worker")

        def drained() -> bool:
            return broker.llen("celery") == 0 and broker.hlen("unacked") == 0

        for _ in range(20):  # warm-up: every pool process runs one first
            app.send_task("celery.accumulate", args=[1], ignore_result=True)
        wait_for(drained, 60, "the warm-up tasks")
        before, own = cpu_seconds({"worker": worker.pid}, database), time.process_time()
        for _ in range(count):
            app.send_task("celery.accumulate", args=[1], ignore_result=True)
        published = time.process_time() - own
        wait_for(drained, 120, "the tasks")
        used = cpu_used(before, cpu_seconds({"worker": worker.pid}, database))
    finally:
        stop(worker)
    return _part(_per({**used, "publisher": published}, count), count)


# Runs in `manage.py shell`: each part COUNT times after a warm-up, with this process's CPU and its
# PostgreSQL backend's.
IN_DJANGO = """
import itertools, json, os, time
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from accounts.models import User
from detection import selectors
from detection.api import CheckInOutputSerializer
from detection.models import CheckIn, CheckInRecommendation, FaceResult
from music.library.models import Recommendation
from music.recommendation.services import recommendation_create

def backend_cpu():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

user, mood = User.objects.get(username="bench0"), {"happiness": 0.7, "neutral": 0.3}
# Lists to link, made beforehand: choosing and storing one is the recommendation part.
spare = iter([Recommendation.objects.create(user=user, goal="match", emotions=mood, seed=1) for _ in range(COUNT + 21)])

# Spread over the 10 users, as the load benchmark's check-ins are: the newest lists are part of each
# user's history, and a long one costs a little more.
listeners = itertools.cycle(User.objects.filter(username__startswith="bench").order_by("pk")[:10])

def recommendation():
    recommendation_create(user=next(listeners), emotions=mood, detected=True)

def rows(listed=None):
    check_in = CheckIn.objects.create(owner=user, kind="upload")
    CheckIn.objects.filter(pk=check_in.pk).update(status="running", started_at=timezone.now())
    with transaction.atomic():
        face = FaceResult.objects.create(check_in=check_in, frame_index=0, x=0, y=0, width=9, height=9,
                                         probabilities=mood, top_emotion="happiness", confidence=0.7)
        CheckIn.objects.filter(pk=check_in.pk).update(status="done", finished_at=timezone.now(), emotions=mood,
                                                      top_emotion="happiness", selected_face=face)
        CheckInRecommendation.objects.create(check_in=check_in, recommendation=listed or next(spare))
    return check_in

# The answer to a check-in with a face and a list of 10 songs, read beforehand (as a held submit reads it).
shown = selectors.check_in_get(user=user, check_in_id=rows(recommendation_create(user=user, emotions=mood)).pk)
context = {"request": Request(APIRequestFactory().get("/")), "recommendations": {shown.pk: selectors.check_in_recommendation(shown)}}

def answer():
    CheckInOutputSerializer(shown, context=context).data

report = {}
for name, part in [("recommendation", recommendation), ("rows", rows), ("answer", answer)]:
    for _ in range(20):
        part()
    database, own = backend_cpu(), time.process_time()
    for _ in range(COUNT):
        part()
    report[name] = {"django": time.process_time() - own, "postgres": backend_cpu() - database}
print(json.dumps(report))
"""


def django_floor(env: dict, count: int) -> dict:
    """The recommendation, the rows and the answer, each measured alone in one Django process."""
    script = IN_DJANGO.replace("COUNT", str(count))
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return {name: _part(_per(used, count), count) for name, used in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    parser.add_argument("--count", type=int, default=600, help="requests, tasks and lists measured")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/symphony_bench")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    subprocess.run([str(ROOT / "bin" / "services")], check=True, stdout=sys.stderr)
    ensure_database(args.database_url)
    tmp = Path(tempfile.mkdtemp(prefix="check-in-floor-"))
    database = args.database_url.rsplit("/", 1)[1]
    env = {**stack_env(database_url=args.database_url, broker_url=args.broker_url, redis_url=args.redis_url,
                       media=tmp / "media"), "IMAGE_STORE": "redis"}  # fmt: skip
    tokens = prepare(env, 10)
    report: dict = {"load_avg_1m_start": round(os.getloadavg()[0], 2), "pipeline_ms_p50": None}
    report["pipeline_ms_p50"] = pipeline_ms_p50(selfie_jpeg(), tmp)
    rounds = max(1, args.count // len(tokens))
    report["request"] = serve(
        env, free_port(), tmp, lambda base, pid: request_floor(base, tokens, pid, database, rounds)
    )
    report["task"] = task_floor(env, database, args.count, tmp)
    report.update(django_floor(env, args.count))
    parts = sum(report[name]["cpu_ms"] for name in PARTS)
    report["floor_ms"] = round(report["pipeline_ms_p50"] + parts, 2)
    report["floor_ratio"] = round(report["floor_ms"] / report["pipeline_ms_p50"], 2)
    report["overhead_ratio_bar"] = BAR
    print(json.dumps(report) if args.json else json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
