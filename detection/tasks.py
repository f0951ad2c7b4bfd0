"""Thin Celery wrappers around detection.services: take ids, call the service, own retries."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from . import services

logger = logging.getLogger(__name__)

# Errors worth a retry: the database or broker was briefly unreachable. Anything
# about the image itself fails the check-in at once inside the service.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError, ConnectionError, TimeoutError)
MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=30, time_limit=60)
def check_in_analyze_task(self, check_in_id: int) -> None:
    try:
        services.check_in_analyze(check_in_id)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= MAX_RETRIES:
            logger.exception("Giving up on check-in %s after %s retries", check_in_id, MAX_RETRIES)
            services.check_in_fail(check_in_id, "The analysis failed because of a server problem. Please try again.")
            return
        raise self.retry(exc=exc, countdown=2**self.request.retries, max_retries=MAX_RETRIES) from exc
    except SoftTimeLimitExceeded:
        services.check_in_fail(check_in_id, "The analysis took too long. Please try again with a smaller photo.")
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
    return services.purge_expired_images()
