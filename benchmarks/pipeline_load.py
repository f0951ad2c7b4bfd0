"""Load benchmark of the selfie pipeline on the real stack.

Starts gunicorn on 127.0.0.1 with bin/web, the one command the README and the Procfile run
(HOST and PORT set), and production settings (DEBUG off, behind
a TLS-terminating proxy that this script plays), uses PostgreSQL and Redis (bin/services starts them), and
real Celery workers with 2 and then 4 pool processes, with the images travelling through the
shared-nothing image store (detection.store: Redis, then the database backend with 2 workers, for
the difference). N users submit selfies through the API with token auth and poll until each is
analysed. Prints, per phase, throughput (check_ins/s), p50/p95 seconds from submit to `done`, CPU
per check-in by process kind, and beside them the analysis itself measured in the same run:

    python benchmarks/pipeline_load.py --json
    {"workers_2": {"users": 10, "throughput_per_s": ..., "p95_s": ..., "pipeline_ms_p50": 15.1,
     "cpu_ms_per_check_in": {...}, "overhead_ratio": ..., "cpu_limit_per_s": ...}, "workers_4": {...},
     "database_store_workers_2": {...}, "pipeline_ms_p50": <median of the phases'>}

pipeline_ms_p50 is the in-process detector + model time of the same selfie, one thread, as
benchmarks/inference.py measures it (median of recognizer.analyze(bytes)), timed before each phase. overhead_ratio is the
CPU of every process per check-in (web, worker, PostgreSQL, Redis) over pipeline_ms_p50: 1.0 would
be a check-in costing nothing but its analysis. cpu_limit_per_s = cores x 1000 / that CPU: the
check-ins per second this machine could take with every core busy.

Profile (cProfile of the web's check_in_create and the worker's check_in_analyze, 30 selfies each,
in-process on PostgreSQL; 2026-12-08, load average 5-6), tottime, top lines:
  before (web decoded and re-encoded, files on a shared disk, worker ~14 statements a result):
    web     1.57 s / 30: psycopg wait 0.33 s (INSERT check-in + frame, BEGIN/COMMIT), JPEG decode
            + re-encode in sanitize_image 0.49 s, file write
    worker  7.7 s / 30 (wall on a loaded machine): psycopg wait 2.3 s over 600 calls (SELECT FOR
            UPDATE x2, UPDATE, frames read, faces DELETE/INSERT, frames DELETE, row UPDATE, songs),
            TFLite Invoke 1.8 s, BlazeFace scan 1.4 s, file read
  2026-12-07, quiet, the shipped catalogue loaded (cProfile with a CPU clock, in-process):
    worker task, wall 84 ms for 30 ms CPU: psycopg wait in Django's connect() and in the first
            candidate query of each task (a new backend each time: Celery's fixup closed the
            connection) -> connection kept: wall 31 ms, 2 workers drain 45/s (were 19/s)
    worker  check_in_analyze 39 ms CPU: faces_read 16 (TFLite Invoke, BlazeFace scan, JPEG decode),
            recommendation_create 11.5 (recommend 26%, candidates_for 25%, the list's INSERTs 21%,
            history_for 14%, stated_for 11%), the start and result statements the rest
    web     the held POST: ORM compile (as_sql, pre_sql_setup) about half, DRF fields a quarter,
            token authentication 2 queries -> 1 (knox's cleanup read every token of the user)

Everything stays on loopback; every loop is bounded by a count or a deadline.
"""

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchdb import stack_env
from processcpu import cpu_seconds, cpu_used

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
# Status requests wait server-side for the result (long polling), so a user sends a
# handful of requests per selfie instead of one every few milliseconds.
WAIT_S = 5
RESULT_TIMEOUT_S = 120


def selfie_jpeg() -> bytes:
    from PIL import Image
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(env: dict, users: int) -> list[str]:
    """Migrate, load the shipped catalogue (as bin/run does: every check-in's list is chosen from it),
    and create `users` consenting users with no history yet (each run starts alike); returns their
    API tokens."""
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "seed_catalog"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    script = f"""
import json
from django.utils import timezone
from accounts.tokens import api_token_create
from accounts.consent import CONSENT_VERSION
from accounts.models import User
from detection.models import CheckIn
from music.library.models import Recommendation
tokens = []
for i in range({users}):
    user, _ = User.objects.get_or_create(username=f"bench{{i}}", defaults={{"email": f"bench{{i}}@example.com"}})
    user.consent_version, user.consent_at, user.keep_images = CONSENT_VERSION, timezone.now(), False
    user.save()
    CheckIn.objects.filter(owner=user).delete()
    Recommendation.objects.filter(user=user).delete()
    tokens.append(api_token_create(user)[0])
print(json.dumps(tokens))
"""
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


WEB = ROOT / "bin" / "web"  # the one gunicorn command, as the README and the Procfile run it


def _gunicorn_line() -> str:
    """bin/web's gunicorn arguments, for the report."""
    command = WEB.read_text().split("exec .venv/bin/gunicorn ", 1)[1]
    return " ".join(command.replace("\\\n", " ").split())


# What the TLS-terminating proxy in front of production adds to every request.
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}


def request(
    base: str, token: str, path: str, body: bytes | None = None, content_type: str | None = None, prefer: str = ""
):
    headers = {"Authorization": f"Token {token}", "Accept": "application/json", **PROXY_HEADERS}
    if content_type:
        headers["Content-Type"] = content_type
    if prefer:
        headers["Prefer"] = prefer
    req = urllib.request.Request(base + path, data=body, headers=headers, method="POST" if body else "GET")
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.status, json.loads(response.read())


def one_check_in(base: str, token: str, image: bytes, held: bool = True) -> tuple[float, str]:
    """Submit a selfie and wait for its result. `held`: the submit itself waits (`Prefer: wait`), as an
    API client should; else a submit and then long polls of the check-in, as before that existed."""
    body, content_type = multipart("image", "selfie.jpg", image)
    started = time.perf_counter()
    prefer = f"wait={WAIT_S}" if held else ""
    status, created = request(base, token, "/api/v1/checkins/", body, content_type, prefer=prefer)
    if status == 201 and created["status"] in ("done", "failed"):
        return time.perf_counter() - started, created["status"]
    if status != 202:
        raise RuntimeError(f"submit answered {status}: {created}")
    deadline = started + RESULT_TIMEOUT_S
    while time.perf_counter() < deadline:
        _, detail = request(base, token, f"{created['url']}?wait={WAIT_S}")
        if detail["status"] in ("done", "failed"):
            return time.perf_counter() - started, detail["status"]
    raise RuntimeError(f"check_in {created['id']} not finished after {RESULT_TIMEOUT_S}s")


def user_session(base: str, token: str, image: bytes, rounds: int, held: bool) -> list[tuple[float, str]]:
    return [one_check_in(base, token, image, held) for _ in range(rounds)]


def start_worker(env: dict, concurrency: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "symphony", "worker", "--pool", "prefork", "--concurrency", str(concurrency),
         "--hostname", f"bench-{uuid.uuid4().hex[:6]}@%h", "--loglevel", "WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return process


def worker_ready(env: dict) -> bool:
    out = subprocess.run(
        [PYTHON, "-m", "celery", "-A", "symphony", "inspect", "ping", "--timeout", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    return "pong" in out.stdout


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=10)


def pipeline_ms_p50(image: bytes, tmp: Path, repeats: int = 60) -> float:
    """The analysis alone, in a fresh process on one thread, as benchmarks/inference.py times it."""
    script = f"""
import statistics, sys, time
from ml.inference import get_recognizer
image = open({str(tmp / "selfie.jpg")!r}, "rb").read()
recognizer = get_recognizer()
for _ in range(5):
    recognizer.analyze(image)
samples = []
for _ in range({repeats}):
    start = time.perf_counter(); recognizer.analyze(image); samples.append((time.perf_counter() - start) * 1000)
print(round(statistics.median(samples), 2))
"""
    (tmp / "selfie.jpg").write_bytes(image)
    out = subprocess.run([PYTHON, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def phase(
    env: dict,
    base: str,
    tokens: list[str],
    image: bytes,
    concurrency: int,
    rounds: int,
    tmp: Path,
    web_pgid: int,
    held: bool = True,
) -> dict:
    worker = start_worker(env, concurrency, tmp / f"worker-{env['IMAGE_STORE']}-{concurrency}.log")
    try:
        wait_for(lambda: worker_ready(env), 90, "the Celery worker")
        # Warm-up: every pool process loads the model once (lazily, after the fork).
        with ThreadPoolExecutor(max_workers=concurrency * 2) as pool:
            list(pool.map(lambda t: one_check_in(base, t, image), tokens[: concurrency * 2]))
        # Other work on this small machine (model training, test runs) shows up here.
        load_before = os.getloadavg()[0]
        groups = {"web": web_pgid, "worker": worker.pid}
        database = env["DATABASE_URL"].rsplit("/", 1)[1]
        cpu_before, own_before = cpu_seconds(groups, database), time.process_time()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
            sessions = list(pool.map(lambda t: user_session(base, t, image, rounds, held), tokens))
        elapsed = time.perf_counter() - started
        cpu_after, own_after = cpu_seconds(groups, database), time.process_time()
    finally:
        stop(worker)
    results = [item for session in sessions for item in session]
    latencies = sorted(latency for latency, _ in results)
    failed = sum(1 for _, status in results if status != "done")
    return {
        "users": len(tokens),
        "check_ins": len(results),
        "failed": failed,
        "throughput_per_s": round(len(results) / elapsed, 2),
        "p50_s": round(statistics.median(latencies), 3),
        "p95_s": round(latencies[max(0, int(round(0.95 * len(latencies))) - 1)], 3),
        "load_avg_1m_before": round(load_before, 2),
        # Where the two cores went, per check-in: the users' throughput is bounded by their sum.
        "cpu_ms_per_check_in": {
            **{name: round(used * 1000 / len(results), 1) for name, used in cpu_used(cpu_before, cpu_after).items()},
            "load_generator": round((own_after - own_before) * 1000 / len(results), 1),
        },
        "cpus": os.cpu_count(),
        "image_store": env["IMAGE_STORE"],
        "requests_per_check_in": "1 (Prefer: wait)" if held else "2 (submit, then long poll)",
    }


def capacity(row: dict, pipeline_ms: float) -> None:
    """Add overhead_ratio and cpu_limit_per_s: what every process spends per check-in, against the analysis."""
    total = sum(ms for name, ms in row["cpu_ms_per_check_in"].items() if name != "load_generator")
    row["cpu_ms_total"] = round(total, 1)
    row["overhead_ratio"] = round(total / pipeline_ms, 2)
    row["cpu_limit_per_s"] = round(row["cpus"] * 1000 / total, 1)


def serve(env: dict, port: int, tmp: Path, run):
    """Start gunicorn with `env` (a fresh server per image store), call run(base, pgid), stop it."""
    server = subprocess.Popen(
        [str(WEB)],
        cwd=ROOT, env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
        stdout=open(tmp / f"gunicorn-{env['IMAGE_STORE']}.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def server_up() -> bool:
        try:
            probe = urllib.request.Request(base + "/healthz", headers=PROXY_HEADERS)
            return urllib.request.urlopen(probe, timeout=2).status == 200
        except (urllib.error.URLError, OSError):
            return False

    try:
        wait_for(server_up, 60, "gunicorn")
        return run(base, server.pid)
    finally:
        stop(server)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=6, help="selfies each user submits, one after another")
    parser.add_argument("--only", help="run just this phase (e.g. workers_2), for a quick look")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/symphony_bench"),
    )
    parser.add_argument("--broker-url", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    return parser.parse_args()


def main() -> None:
    args = arguments()
    subprocess.run([str(ROOT / "bin" / "services")], check=True, stdout=sys.stderr)
    ensure_database(args.database_url)
    tmp = Path(tempfile.mkdtemp(prefix="pipeline-load-"))
    port = free_port()
    env = stack_env(database_url=args.database_url, broker_url=args.broker_url, redis_url=args.redis_url,
                    media=tmp / "media")  # fmt: skip
    import redis

    for url in (args.broker_url, args.redis_url):
        redis.Redis.from_url(url).flushdb()
    tokens = prepare(env, args.users)
    image = selfie_jpeg()

    report: dict = {"load_avg_1m_start": round(os.getloadavg()[0], 2)}
    # (name, image store, worker processes, whether the submit itself waits for the result)
    phases = [("workers_2", "redis", 2, True), ("workers_4", "redis", 4, True),
              ("database_store_workers_2", "database", 2, True), ("two_requests_workers_2", "redis", 2, False)]  # fmt: skip
    for name, store, n, held in [p for p in phases if args.only in (None, p[0])]:
        store_env = {**env, "IMAGE_STORE": store}
        # Timed right before each phase: on a shared machine the analysis itself drifts too.
        pipeline_ms = pipeline_ms_p50(image, tmp)
        report[name] = serve(store_env, port, tmp, lambda base, pid, n=n, e=store_env, h=held: phase(
            e, base, tokens, image, n, args.rounds, tmp, pid, h))  # fmt: skip
        report[name]["pipeline_ms_p50"] = pipeline_ms
        capacity(report[name], pipeline_ms)
    report["pipeline_ms_p50"] = statistics.median(
        row["pipeline_ms_p50"] for row in report.values() if isinstance(row, dict)
    )
    report["gunicorn"] = _gunicorn_line()
    if args.json:
        print(json.dumps(report))
    else:
        for name, row in report.items():
            print(f"{name}: {row}")
        print(f"logs: {tmp}")


if __name__ == "__main__":
    main()
