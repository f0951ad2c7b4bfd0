import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from detection import tasks
from detection.models import Submission
from detection.tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db


def test_a_transient_database_error_is_retried_then_succeeds(monkeypatch):
    submission = SubmissionFactory()
    calls = []

    def flaky(submission_id):
        calls.append(submission_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")

    # Fault injection at the service boundary: the database dropping out is what we simulate.
    monkeypatch.setattr("detection.services.submission_analyze", flaky)

    # apply() without re-raising runs eager retries in place, as a worker would re-run them.
    tasks.submission_analyze_task.apply(args=[submission.pk], throw=False)

    assert calls == [submission.pk, submission.pk]


def test_a_persistent_transient_error_gives_up_with_a_message(monkeypatch):
    submission = SubmissionFactory()

    def down(submission_id):
        raise OperationalError("database is down")

    monkeypatch.setattr("detection.services.submission_analyze", down)
    # Eager retries re-apply with the app default; keep each retry from re-raising.
    monkeypatch.setitem(tasks.submission_analyze_task.app.conf, "task_eager_propagates", False)

    tasks.submission_analyze_task.apply(args=[submission.pk], throw=False)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert "server problem" in submission.error


def test_an_unexpected_error_fails_fast_without_retry(monkeypatch):
    submission = SubmissionFactory()
    calls = []

    def broken(submission_id):
        calls.append(submission_id)
        raise ValueError("cannot decode")

    monkeypatch.setattr("detection.services.submission_analyze", broken)
    tasks.submission_analyze_task.delay(submission.pk)

    assert calls == [submission.pk]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert submission.error.startswith("Something went wrong")


def test_hitting_the_soft_time_limit_fails_the_submission(monkeypatch):
    submission = SubmissionFactory()

    def slow(submission_id):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("detection.services.submission_analyze", slow)
    tasks.submission_analyze_task.delay(submission.pk)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert "too long" in submission.error


def test_the_task_is_late_acked_with_time_limits():
    task = tasks.submission_analyze_task
    assert task.acks_late and task.reject_on_worker_lost
    assert 0 < task.soft_time_limit < task.time_limit


def test_a_task_for_a_deleted_submission_does_nothing():
    tasks.submission_analyze_task.delay(123456789)
    assert not Submission.objects.exists()


def test_the_purge_task_is_registered_under_the_beat_name(settings):
    name = settings.CELERY_BEAT_SCHEDULE["purge-expired-face-images"]["task"]
    assert tasks.purge_expired_images_task.name == name
    assert tasks.purge_expired_images_task.delay().get() == 0
