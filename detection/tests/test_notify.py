"""Long polls sleep until the worker announces the result (detection.notify), and never depend on it."""

import os
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from detection import notify, selectors, services
from detection.models import CheckIn
from detection.tests.factories import CheckInFactory

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL; the first pass of bin/test sets it)"
)


def _finish_later(check_in_id: int, announce: bool, delay: float = 0.3) -> threading.Thread:
    def finish():
        time.sleep(delay)
        CheckIn.objects.filter(pk=check_in_id).update(status="failed", error="We couldn't find a face.")
        if announce:
            notify.finished_announce(check_in_id)
        connection.close()

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_waiter_wakes_on_the_announcement_not_on_its_next_read(monkeypatch):
    # Re-reads an hour apart: only the announcement can end the wait early.
    monkeypatch.setattr(notify, "RECHECK_S", 3600)
    check_in = CheckInFactory()
    thread = _finish_later(check_in.pk, announce=True)
    started = time.monotonic()
    assert selectors.check_in_wait_finished(check_in_id=check_in.pk, timeout=15)
    thread.join()
    assert time.monotonic() - started < 10


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_lost_announcement_costs_a_waiter_one_re_read_interval(monkeypatch):
    monkeypatch.setattr(notify, "RECHECK_S", 0.5)
    check_in = CheckInFactory()
    thread = _finish_later(check_in.pk, announce=False)
    assert selectors.check_in_wait_finished(check_in_id=check_in.pk, timeout=15)
    thread.join()


@pytest.mark.django_db(transaction=True)
def test_without_redis_or_with_redis_down_waiters_poll_the_row(settings):
    for url in (None, "redis://127.0.0.1:1/0"):  # nothing listens on port 1
        settings.REDIS_URL = url
        check_in = CheckInFactory()
        thread = _finish_later(check_in.pk, announce=True, delay=0.2)
        assert selectors.check_in_wait_finished(check_in_id=check_in.pk, timeout=15)
        thread.join()
        assert not selectors.check_in_wait_finished(check_in_id=CheckInFactory().pk, timeout=0.2)


@pytest.mark.django_db
def test_the_worker_announces_every_finish_after_its_commit(monkeypatch, on_commit):
    heard = []
    monkeypatch.setattr(notify, "finished_announce", heard.append)
    failing = CheckInFactory()
    with on_commit():
        services.check_in_fail(failing.pk, "We couldn't find a face.")
        assert heard == []  # not before the commit: a waiter would read the old row
    assert heard == [failing.pk]


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_waiter_woken_by_the_announcement_reads_the_check_in_whole_at_once(monkeypatch):
    # Its status once (the read that starts the wait), then at the wake-up the row and its faces;
    # not its status a second time, nor its kept frames (it has none).
    monkeypatch.setattr(notify, "RECHECK_S", 3600)
    check_in = CheckInFactory()
    thread = _finish_later(check_in.pk, announce=True)
    with CaptureQueriesContext(connection) as queries:
        found = selectors.check_in_get(user=check_in.owner, check_in_id=check_in.pk, wait=15)
    thread.join()
    assert found.status == "failed" and list(found.faces.all()) == [] and not found.frames.all()
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == 3, statements
    assert '"detection_checkin"."status" AS "status"' in statements[0]
