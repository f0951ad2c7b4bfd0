"""A real worker process consumes tasks from Redis and writes to PostgreSQL."""

import os
import signal
from datetime import timedelta

import pytest
from axes.models import AccessLog
from django.utils import timezone

from accounts.tasks import login_records_purge_task
from tests.integration.tasks import record_attempt_task, record_backend_task
from tests.integration.workers import wait_until

pytestmark = pytest.mark.integration


def test_worker_consumes_a_task_from_redis_and_writes_to_postgresql(celery_workers, settings):
    workers = celery_workers(count=1, concurrency=1)
    old, recent = (
        AccessLog.objects.create(username="alice", ip_address="10.0.0.1", user_agent="x", path_info="/accounts/login/")
        for _ in range(2)
    )
    # attempt_time is auto_now_add: age the old record with an update.
    expired = timezone.now() - timedelta(days=settings.LOGIN_HISTORY_DAYS + 1)
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=expired)

    login_records_purge_task.delay()

    wait_until(lambda: not AccessLog.objects.filter(pk=old.pk).exists(), message=workers.logs)
    assert AccessLog.objects.filter(pk=recent.pk).exists()
    assert "accounts.tasks.login_records_purge_task" in workers.logs()


def test_a_task_whose_process_is_killed_runs_again(celery_workers, tmp_path):
    """Late acks + reject-on-worker-lost: a SIGKILLed pool process loses no task."""
    workers = celery_workers(count=1, concurrency=1, include=["tests.integration.tasks"])
    marker = tmp_path / "attempts"

    record_attempt_task.delay(str(marker), 30)

    first_pid = int(wait_until(lambda: marker.exists() and marker.read_text().split(), message=workers.logs)[0])
    assert first_pid in workers.child_pids()
    os.kill(first_pid, signal.SIGKILL)

    done = tmp_path / "attempts.done"
    wait_until(done.exists, timeout=60, message=workers.logs)
    pids = [int(pid) for pid in marker.read_text().split()]
    assert len(pids) == 2 and pids[1] != first_pid
    assert int(done.read_text()) == pids[1]


def test_a_worker_keeps_its_database_connection_from_task_to_task(celery_workers, tmp_path):
    """Celery's Django fixup would close the connection around every task; a new one per analysis
    cost a backend start and a re-plan of the recommender's prepared statements (symphony.celery)."""
    workers = celery_workers(count=1, concurrency=1, include=["tests.integration.tasks"])
    log = tmp_path / "backends"
    for _ in range(5):
        record_backend_task.delay(str(log))
    backends = wait_until(
        lambda: log.exists() and len(log.read_text().split()) == 5 and log.read_text().split(), message=workers.logs
    )
    assert len(set(backends)) == 1, backends
