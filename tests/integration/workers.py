"""Real Celery worker processes for integration tests (a pytest plugin, loaded
for every test by the root conftest.py, so app test folders can use it too).

Celery's eager mode runs a task inside the test process, so it cannot show what
a worker really does (serialisation, its own database connections, prefork
children, crashes). These fixtures start `celery -A symphony worker`
subprocesses against the same PostgreSQL test database and Redis broker the
test uses, and kill them when the test ends.

    def test_something(celery_workers):
        workers = celery_workers(count=1, concurrency=2)
        some_task.delay(...)
        workers.pids           # main worker processes
        workers.child_pids()   # prefork pool processes (e.g. to SIGKILL one mid-task)
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 90


def database_url() -> str:
    """The URL of the database pytest-django set up (test_<name>), for the workers."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        pytest.fail("integration tests need PostgreSQL: set DATABASE_URL=postgres://...")
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(db['NAME'], safe='')}"


def wait_until(condition: Callable[[], object], timeout: float = 30, interval: float = 0.1, message=""):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds
    with `message` (a string, or a callable such as `workers.logs` read at that moment)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    text = message() if callable(message) else message
    pytest.fail(f"condition not met within {timeout}s\n{text}")


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def child_pids(self) -> list[int]:
        """The prefork pool processes (Linux /proc), which run the tasks."""
        try:
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        except FileNotFoundError:
            return []
        return [int(pid) for pid in children]


@dataclass
class Workers:
    workers: list[Worker] = field(default_factory=list)

    @property
    def pids(self) -> list[int]:
        return [worker.pid for worker in self.workers]

    @property
    def names(self) -> list[str]:
        return [worker.name for worker in self.workers]

    def child_pids(self) -> list[int]:
        return [pid for worker in self.workers for pid in worker.child_pids()]

    def logs(self) -> str:
        return "\n".join(f"--- {worker.name}\n{worker.log()}" for worker in self.workers)


def _stop(worker: Worker) -> None:
    if worker.process.poll() is not None:
        return
    # Warm shutdown first (finish nothing new, exit), then kill the whole group:
    # each worker runs in its own session, so its pool children go with it.
    try:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture
def celery_workers(transactional_db, settings, tmp_path):
    """Factory: `celery_workers(count=1, concurrency=1, include=(), extra_args=(), cwd=ROOT, extra_env=None)` starts
    real prefork workers and waits until each one is ready to consume."""
    if not settings.CELERY_BROKER_URL:
        pytest.fail("integration tests need a broker: set CELERY_BROKER_URL=redis://...")

    from symphony.celery import app

    # Messages left by an earlier, interrupted run would be consumed by these workers.
    app.control.purge()

    started: list[Worker] = []
    # Workers run like deployed ones: without the browser tests' async-unsafe switch.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "symphony.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        # The test's private media folder, so files a task writes are where the test looks.
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL

    def start(count: int = 1, concurrency: int = 1, include=(), extra_args=(), cwd=ROOT, extra_env=None) -> Workers:
        # cwd and extra_env: a worker that shares nothing with the test but the database and Redis.
        worker_env = {**env, "PYTHONPATH": str(ROOT), **(extra_env or {})}
        batch = Workers()
        for _ in range(count):
            name = f"test-{uuid.uuid4().hex[:8]}@%h"
            log_path = tmp_path / f"celery-{len(started)}.log"
            command = [
                sys.executable, "-m", "celery", "-A", "symphony", "worker",
                "--pool", "prefork", "--concurrency", str(concurrency), "--hostname", name,
                "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            ]  # fmt: skip
            if include:
                command += ["--include", ",".join(include)]
            command += list(extra_args)
            with open(log_path, "wb") as log:
                process = subprocess.Popen(
                    command,
                    cwd=cwd,
                    env=worker_env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            worker = Worker(name=name.replace("%h", os.uname().nodename), process=process, log_path=log_path)
            started.append(worker)
            batch.workers.append(worker)
        for worker in batch.workers:
            wait_until(
                lambda w=worker: " ready." in w.log() or w.process.poll() is not None,
                timeout=READY_TIMEOUT_S,
                message=lambda w=worker: f"worker {w.name} not ready:\n{w.log()}",
            )
            if worker.process.poll() is not None:
                pytest.fail(f"worker {worker.name} exited with {worker.process.returncode}:\n{worker.log()}")
        return batch

    yield start

    for worker in started:
        _stop(worker)
