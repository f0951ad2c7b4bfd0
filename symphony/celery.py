"""The Celery app.

Its settings live in symphony.settings under CELERY_ (one settings file,
environment first), each commented there with why:
- late acks + reject-on-worker-lost: a task whose process dies is re-queued, not lost;
- prefetch 1: a slow analysis never holds back a message another process could run;
- soft then hard time limits: a stuck analysis fails cleanly, then is killed;
- JSON serialisation only: nothing from the broker is unpickled;
- Redis visibility timeout above the hard limit: no task runs twice while still running
  (symphony.checks warns when it is not);
- no result backend: results are rows in PostgreSQL (CheckIn.status and friends);
- one database connection per worker process, kept across tasks as web processes keep theirs;
- no CELERY_BROKER_URL: tasks run eagerly, in-process (the producer they take is in-memory).
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symphony.settings")

app = Celery("symphony")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_configure.connect
def _embedded_broker(sender, **kwargs):
    """Eager mode (no CELERY_BROKER_URL) still takes a producer for every .delay(); with no URL kombu
    falls back to AMQP without a host and logs "No hostname was supplied" on the first upload. The
    in-memory transport is what eager mode means: nothing leaves the process, nothing is dialled."""
    if not sender.conf.broker_url:
        sender.conf.broker_url = "memory://localhost//"


@task_prerun.connect
@task_postrun.connect
def _database_connection_keep(task=None, **kwargs):
    """Around a task, what Django does around a request: close the connection only when it is too
    old (CONN_MAX_AGE) or broken, so a worker keeps one warm connection (CELERY_DB_REUSE_MAX stops
    Celery closing it every time). An eager task runs inside the caller's request or test: not ours."""
    if task is not None and not getattr(task.request, "is_eager", False):
        from django.db import close_old_connections

        close_old_connections()


app.autodiscover_tasks()
# The music app keeps its tasks in its catalogue area, not in music/tasks.py.
app.autodiscover_tasks(["music.catalog"])
