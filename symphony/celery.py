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
- no CELERY_BROKER_URL: tasks run eagerly, in-process (the producer they take is in-memory).
"""

import os

from celery import Celery

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


app.autodiscover_tasks()
# The music app keeps its tasks in its catalogue area, not in music/tasks.py.
app.autodiscover_tasks(["music.catalog"])
