"""Thin Celery wrappers around detection.services (STYLE.md §3)."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from . import services

logger = logging.getLogger(__name__)

# Errors worth a retry: the database or broker was briefly unreachable. Anything
# about the image itself fails the submission at once inside the service.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError, ConnectionError, TimeoutError)
MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=30, time_limit=60)
def submission_analyze_task(self, submission_id: int) -> None:
    try:
        services.submission_analyze(submission_id)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= MAX_RETRIES:
            logger.exception("Giving up on submission %s after %s retries", submission_id, MAX_RETRIES)
            services.submission_fail(
                submission_id, "The analysis failed because of a server problem. Please try again."
            )
            return
        raise self.retry(exc=exc, countdown=2**self.request.retries, max_retries=MAX_RETRIES) from exc
    except SoftTimeLimitExceeded:
        services.submission_fail(submission_id, "The analysis took too long. Please try again with a smaller photo.")
    except Exception:
        # Never crash the worker on one bad submission; say so to its owner.
        logger.exception("Analysis of submission %s failed", submission_id)
        services.submission_fail(submission_id, "Something went wrong while analysing this photo. Please try again.")


@shared_task(acks_late=True)
def purge_expired_images_task() -> int:
    return services.purge_expired_images()
