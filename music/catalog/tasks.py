"""Thin Celery wrappers around music services: a task takes ids, re-reads the rows, calls one service
and owns its retries."""

import logging

from celery import shared_task

from music.catalog.enrichment import songs_enrich
from music.catalog.models import Song

logger = logging.getLogger(__name__)

# One run asks about a few songs (the service allows ~20 requests a minute), then queues the
# rest as a new task: no worker process is held for minutes, and selfie analyses keep flowing.
ENRICH_SLICE_SECONDS = 20
# A refusing service (403/429) is asked again after a pause, a few times, then left alone.
ENRICH_PAUSE_SECONDS = 60
ENRICH_MAX_STOPS = 3


@shared_task(acks_late=True, soft_time_limit=ENRICH_SLICE_SECONDS + 25, time_limit=ENRICH_SLICE_SECONDS + 40)
def songs_enrich_task(song_ids: list[int], refresh: bool = True, stops: int = 0) -> None:
    songs = Song.objects.filter(pk__in=song_ids).order_by("id")
    report = songs_enrich(songs=songs, refresh=refresh, time_budget=ENRICH_SLICE_SECONDS)
    logger.info("songs_enrich_task: %s", report.summary())
    for song, reason in report.errors:
        logger.warning("songs_enrich_task: song %s (%s): %s", song.pk, song, reason)
    if not report.remaining:
        return
    if report.stopped:
        stops += 1
        if stops >= ENRICH_MAX_STOPS:
            logger.warning("songs_enrich_task: giving up on %s song(s): %s", len(report.remaining), report.stopped)
            return
    countdown = ENRICH_PAUSE_SECONDS if report.stopped else 0
    songs_enrich_task.apply_async((report.remaining, refresh, stops), countdown=countdown)
