"""Thin Celery wrappers around detection.services: take ids, call the service, own retries."""

import logging

from billiard.exceptions import TimeLimitExceeded
from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from . import files, services
from .messages import TOO_SLOW

logger = logging.getLogger(__name__)

# Errors worth a retry: the database or broker was briefly unreachable. Anything
# about the image itself fails the check-in at once inside the service.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError, ConnectionError, TimeoutError)
# Waits between retries: doubling from 1 s up to a minute, about three minutes in
# all, so a database restart or failover does not fail the analyses under way.
MAX_RETRIES = 8
MAX_RETRY_DELAY_S = 60


def retry_delay(retries: int) -> int:
    return min(2**retries, MAX_RETRY_DELAY_S)


class AnalysisTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Called in the worker's main process when the hard time limit killed the pool
        # process mid-task: nothing in the task could mark the check-in, so do it here.
        if isinstance(exc, TimeLimitExceeded) and args:
            services.check_in_fail(args[0], TOO_SLOW, release_images=True)


# Time limits come from settings (CELERY_TASK_SOFT_TIME_LIMIT / CELERY_TASK_TIME_LIMIT).
@shared_task(bind=True, base=AnalysisTask, acks_late=True, reject_on_worker_lost=True)
def check_in_analyze_task(self, check_in_id: int) -> None:
    # Each retry is a new message: it may start the analysis once more without a
    # worker having died on it, so it raises the attempt cap by one.
    max_attempts = settings.ANALYSIS_MAX_ATTEMPTS + self.request.retries
    try:
        services.check_in_analyze(check_in_id, max_attempts=max_attempts)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= MAX_RETRIES:
            logger.exception("Giving up on check-in %s after %s retries", check_in_id, MAX_RETRIES)
            services.check_in_fail(check_in_id, "The analysis failed because of a server problem. Please try again.")
            return
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries), max_retries=MAX_RETRIES) from exc
    except SoftTimeLimitExceeded:
        services.check_in_fail(check_in_id, TOO_SLOW, release_images=True)
    except Exception:
        # Never crash the worker on one bad check-in; say so to its owner.
        logger.exception("Analysis of check-in %s failed", check_in_id)
        services.check_in_fail(check_in_id, "Something went wrong while analysing this photo. Please try again.")


@shared_task(name="detection.tasks.submission_analyze_task", acks_late=True)
def submission_analyze_task_deprecated(submission_id: int) -> None:
    """The task's old name: messages queued before an upgrade are handed on. Remove next version."""
    check_in_analyze_task.delay(submission_id)


@shared_task(acks_late=True)
def purge_expired_images_task() -> int:
    return files.purge_expired_images()


@shared_task(acks_late=True)
def check_ins_stale_fail_task() -> int:
    return services.check_ins_stale_fail()
