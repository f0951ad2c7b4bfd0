"""Tasks used only by integration tests (workers load them with --include)."""

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task
def record_attempt_task(path: str, hold_seconds: float) -> None:
    """Append this process's pid to `path`; on the first attempt, hold for a while
    so a test can kill the process mid-task."""
    marker = Path(path)
    first = not marker.exists()
    with marker.open("a") as f:
        f.write(f"{os.getpid()}\n")
    if first:
        time.sleep(hold_seconds)
    Path(f"{path}.done").write_text(str(os.getpid()))


@shared_task
def record_backend_task(path: str) -> None:
    """Append the PostgreSQL backend serving this task's database connection to `path`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    with Path(path).open("a") as f:
        f.write(f"{backend}\n")
