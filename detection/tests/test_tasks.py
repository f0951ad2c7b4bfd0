import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from detection import tasks
from detection.models import CheckIn
from detection.tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db


def test_a_transient_database_error_is_retried_then_succeeds(monkeypatch):
    check_in = CheckInFactory()
    calls = []

    def flaky(check_in_id, **kwargs):
        calls.append(check_in_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")

    # Fault injection at the service boundary: the database dropping out is what we simulate.
    monkeypatch.setattr("detection.services.check_in_analyze", flaky)

    # apply() without re-raising runs eager retries in place, as a worker would re-run them.
    tasks.check_in_analyze_task.apply(args=[check_in.pk], throw=False)

    assert calls == [check_in.pk, check_in.pk]


def test_a_persistent_transient_error_gives_up_with_a_message(monkeypatch):
    check_in = CheckInFactory()

    def down(check_in_id, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr("detection.services.check_in_analyze", down)
    # Eager retries re-apply with the app default; keep each retry from re-raising.
    monkeypatch.setitem(tasks.check_in_analyze_task.app.conf, "task_eager_propagates", False)

    tasks.check_in_analyze_task.apply(args=[check_in.pk], throw=False)

    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.FAILED
    assert "server problem" in check_in.error


def test_an_unexpected_error_fails_fast_without_retry(monkeypatch):
    check_in = CheckInFactory()
    calls = []

    def broken(check_in_id, **kwargs):
        calls.append(check_in_id)
        raise ValueError("cannot decode")

    monkeypatch.setattr("detection.services.check_in_analyze", broken)
    tasks.check_in_analyze_task.delay(check_in.pk)

    assert calls == [check_in.pk]
    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.FAILED
    assert check_in.error.startswith("Something went wrong")


def test_hitting_the_soft_time_limit_fails_the_check_in(monkeypatch):
    check_in = CheckInFactory()

    def slow(check_in_id, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("detection.services.check_in_analyze", slow)
    tasks.check_in_analyze_task.delay(check_in.pk)

    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.FAILED
    assert "too long" in check_in.error


def test_the_task_is_late_acked_with_time_limits():
    task = tasks.check_in_analyze_task
    assert task.acks_late and task.reject_on_worker_lost
    assert 0 < task.soft_time_limit < task.time_limit


def test_a_task_for_a_deleted_check_in_does_nothing(monkeypatch):
    other = CheckInFactory()
    gone = CheckInFactory()
    gone_id = gone.pk
    gone.delete()
    failed = []
    monkeypatch.setattr("detection.services.check_in_fail", lambda *args: failed.append(args))

    tasks.check_in_analyze_task.delay(gone_id)  # must neither raise nor touch anything else

    assert failed == []
    assert not CheckIn.objects.filter(pk=gone_id).exists()
    other.refresh_from_db()
    assert (other.status, other.attempts) == (CheckIn.Status.QUEUED, 0)


def test_the_purge_task_is_registered_under_the_beat_name(settings):
    name = settings.CELERY_BEAT_SCHEDULE["purge-expired-face-images"]["task"]
    assert tasks.purge_expired_images_task.name == name
    assert tasks.purge_expired_images_task.delay().get() == 0
