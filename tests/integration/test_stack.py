"""bin/stack: the whole stack from one command (PostgreSQL, Redis, gunicorn, a worker and beat),
serving a check-in end to end over HTTP, and stopping every process it started on Ctrl-C or SIGTERM.

It runs on a free port, its own database and the test's Redis, so it never meets a developer's
stack on 127.0.0.1:8000."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from detection.tests import images
from tests.integration.workers import ROOT, database_url, wait_until

pytestmark = pytest.mark.integration
START_TIMEOUT_S = 240  # a fresh database is migrated first


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (Linux /proc), however deep."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except FileNotFoundError:
            continue
        for child in map(int, children):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


class Stack:
    def __init__(self, tmp_path: Path, database: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / f"stack-{self.port}.log"
        # Like a developer's shell: no test-only switches, the test's own services.
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        env |= {
            "PORT": str(self.port),
            "DATABASE_URL": database,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "REDIS_URL": settings.REDIS_URL or "",
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "media"),
            "STACK_DIR": str(tmp_path / "stack"),
            "WEB_CONCURRENCY": "1",
            # Two Celery workers (bin/stack's WORKER_PROCESSES): each with a node name of its own.
            "WORKER_PROCESSES": "2",
            "PYTHONUNBUFFERED": "1",
        }
        with open(self.log_path, "wb") as log:
            # Its own session, like a terminal's foreground job: Ctrl-C signals this whole group.
            self.process = subprocess.Popen(
                [str(ROOT / "bin" / "stack")], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def request(self, method: str, path: str, body=None, token: str = "", content_type="application/json"):
        data = json.dumps(body).encode() if content_type == "application/json" and body is not None else body
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if token:
            request.add_header("Authorization", f"Token {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def healthy(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"bin/stack exited with {self.process.returncode}:\n{self.log()}")
        try:
            return self.request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def stack_database(transactional_db):
    """A database of its own for the stack (bin/stack creates and migrates it), dropped afterwards."""
    name = f"{settings.DATABASES['default']['NAME']}_stack_{uuid.uuid4().hex[:6]}"
    url = database_url().rsplit("/", 1)[0] + "/" + name
    yield url
    db = settings.DATABASES["default"]
    server = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"],
    }
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name)))


@pytest.fixture
def stack(tmp_path, stack_database):
    started = []

    def start() -> Stack:
        started.append(Stack(tmp_path, stack_database))
        wait_until(started[-1].healthy, timeout=START_TIMEOUT_S, interval=0.5, message=started[-1].log)
        return started[-1]

    yield start
    for one in started:
        one.stop()


def multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_bin_stack_analyses_a_photo_sent_to_its_api_and_ctrl_c_stops_everything(stack, model_required):
    running = stack()

    # Sign up, agree to face analysis and send a selfie, as an API client would.
    name = f"stack{uuid.uuid4().hex[:8]}"
    assert running.request("POST", "/api/v1/auth/signup/", {"username": name, "email": f"{name}@example.com",
                                                              "password": "a-long-stack-password"})[0] == 201  # fmt: skip
    token = running.request("POST", "/api/v1/auth/token/", {"username": name, "password": "a-long-stack-password"})[1]
    token = token["token"]
    version = running.request("GET", "/api/v1/consent/", token=token)[1]["version"]
    assert running.request("POST", "/api/v1/me/consent/", {"version": version}, token=token)[0] == 200
    body, content_type = multipart("image", "me.jpg", images.face_jpeg())
    code, created = running.request("POST", "/api/v1/checkins/", body, token=token, content_type=content_type)
    assert code == 202, created

    # The worker process analyses it; the page would poll this small status answer.
    def finished():
        return running.request("GET", f"/api/v1/checkins/{created['id']}/status/?wait=5", token=token)[1]["finished"]

    wait_until(finished, timeout=120, message=running.log)
    check_in = running.request("GET", f"/api/v1/checkins/{created['id']}/", token=token)[1]
    assert check_in["status"] == "done", check_in["error"]
    assert check_in["top_emotion"] == "happiness"
    assert len(check_in["recommendation"]["items"]) == 10

    # gunicorn (master and worker), the Celery worker (and its pool), beat, and honcho's helpers.
    processes = descendants(running.process.pid)
    assert len(processes) >= 6, running.log()
    os.killpg(running.process.pid, signal.SIGINT)  # what Ctrl-C in its terminal sends
    assert running.process.wait(timeout=60) is not None
    wait_until(lambda: not any(alive(pid) for pid in processes), timeout=20, message=running.log)
    assert (
        "web.1 stopped" in running.log() and "worker.1 stopped" in running.log() and "beat.1 stopped" in running.log()
    )
    assert "worker.2 stopped" in running.log()
    assert "DuplicateNodenameWarning" not in running.log()


def test_sigterm_to_bin_stack_alone_stops_every_process_it_started(stack):
    running = stack()
    processes = descendants(running.process.pid)
    assert len(processes) >= 6, running.log()
    started = time.monotonic()
    os.kill(running.process.pid, signal.SIGTERM)  # e.g. `kill <pid>` or a process supervisor
    running.process.wait(timeout=60)
    wait_until(lambda: not any(alive(pid) for pid in processes), timeout=20, message=running.log)
    assert time.monotonic() - started < 40
