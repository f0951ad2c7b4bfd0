"""No check_in stays queued or running for ever, and none keeps its images that way (audit finding M5)."""

from datetime import timedelta

import pytest
from billiard.exceptions import TimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.utils import timezone

from detection import tasks
from detection.models import CheckIn, CheckInFrame
from detection.tests import images
from detection.tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db


def with_frame(check_in: CheckIn) -> CheckIn:
    frame = CheckInFrame(check_in=check_in, index=0, width=512, height=512)
    frame.image.save("frame.jpg", ContentFile(images.face_jpeg()), save=False)
    frame.save()
    return check_in


def test_a_submission_past_its_attempt_cap_fails_and_releases_its_images(settings, django_capture_on_commit_callbacks):
    check_in = with_frame(CheckInFactory(attempts=settings.ANALYSIS_MAX_ATTEMPTS))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.check_in_analyze_task.apply(args=[check_in.pk])

    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.FAILED
    assert "stopped" in check_in.error
    assert check_in.attempts == settings.ANALYSIS_MAX_ATTEMPTS
    assert images.stored_files() == [] and not check_in.frames.exists()


def test_a_hard_time_limit_kill_fails_the_submission(django_capture_on_commit_callbacks):
    check_in = with_frame(CheckInFactory(status=CheckIn.Status.RUNNING, attempts=1))

    # What the worker's main process calls after it killed the pool process running the task.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.check_in_analyze_task.on_failure(TimeLimitExceeded(60), "task-id", (check_in.pk,), {}, None)

    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.FAILED
    assert "too long" in check_in.error
    assert images.stored_files() == []


def test_stale_queued_and_running_analyses_are_failed_and_their_images_released(
    settings, django_capture_on_commit_callbacks
):
    old = timezone.now() - settings.ANALYSIS_STALE_AFTER - timedelta(minutes=1)
    queued = with_frame(CheckInFactory())
    running = with_frame(CheckInFactory(status=CheckIn.Status.RUNNING, attempts=1))
    running.owner.keep_images = True  # kept images are for finished analyses, not stuck ones
    running.owner.save()
    CheckIn.objects.filter(pk__in=[queued.pk, running.pk]).update(created_at=old)
    fresh = with_frame(CheckInFactory())

    with django_capture_on_commit_callbacks(execute=True):
        failed = tasks.check_ins_stale_fail_task()

    assert failed == 2
    for check_in in (queued, running):
        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.FAILED
        assert not check_in.frames.exists()
    fresh.refresh_from_db()
    assert fresh.status == CheckIn.Status.QUEUED and fresh.frames.exists()
    assert len(images.stored_files()) == 1
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "detection.tasks.check_ins_stale_fail_task" in scheduled


def test_retries_outlast_two_minutes_of_database_downtime(monkeypatch):
    check_in = CheckInFactory()
    delays, calls = [], []
    outage_s = 120

    def down_for_two_minutes(check_in_id, **kwargs):
        # Time passes only through the retry delays: the database is back once they add up to the outage.
        calls.append(check_in_id)
        if sum(delays) < outage_s:
            raise OperationalError("database is down")

    task = tasks.check_in_analyze_task
    retry = task.retry

    def recording_retry(*args, **kwargs):
        delays.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr("detection.services.check_in_analyze", down_for_two_minutes)
    monkeypatch.setattr(task, "retry", recording_retry)
    monkeypatch.setitem(task.app.conf, "task_eager_propagates", False)

    task.apply(args=[check_in.pk], throw=False)

    check_in.refresh_from_db()
    assert sum(delays) >= outage_s, delays
    assert check_in.status == CheckIn.Status.QUEUED, check_in.error  # not failed: it ran after the outage
    assert len(calls) == len(delays) + 1
