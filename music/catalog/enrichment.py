"""Catalogue enrichment: previews, artwork, duration and Apple Music ids from the iTunes Search API.

`songs_enrich()` is the one workflow behind `manage.py enrich_catalog`, the admin action and the
API. It asks the service about one song at a time (rate-limited by music.catalog.itunes.Client) and writes
each song on its own, only after its answer was read and checked: a timeout, an HTTP error or a
malformed answer leaves the song exactly as it was, to be asked again on the next run.

Resumable: a song that was looked up before (matched, unmatched or ambiguous) is skipped unless
`refresh`. A match fills the fields that are empty; `refresh` also replaces the iTunes-sourced
ones (preview, artwork, Apple Music id), since preview addresses change over time. A duration
entered by a curator is never overwritten.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from music.catalog import itunes
from music.catalog.models import Enrichment, Song

# Several failures in a row mean the service (or the network) is down: stop instead of
# spending the whole catalogue on timeouts.
MAX_CONSECUTIVE_ERRORS = 5
# One request or admin action queues at most this many songs (the service answers ~20 a minute);
# the whole catalogue is a job for manage.py enrich_catalog.
ENRICH_MAX_SONGS = 50
REFRESHED_FIELDS = ("preview_url", "artwork_url", "apple_music_id")


@dataclass
class EnrichReport:
    dry_run: bool = False
    looked_up: int = 0
    matched: int = 0
    changed: int = 0  # matched songs whose fields changed (or would)
    unmatched: list[tuple[Song, str]] = field(default_factory=list)
    ambiguous: list[tuple[Song, str]] = field(default_factory=list)
    errors: list[tuple[Song, str]] = field(default_factory=list)
    skipped: int = 0  # enriched before, not asked again
    remaining: list[int] = field(default_factory=list)  # not reached (limit, time budget or a stop)
    stopped: str = ""  # why the run stopped early, if it did
    requests: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        verb = "would be updated" if self.dry_run else "updated"
        text = (
            f"Looked up {self.looked_up} song(s) with {self.requests} request(s) in {self.seconds:.1f} s: "
            f"{self.matched} matched ({self.changed} {verb}), {len(self.unmatched)} unmatched, "
            f"{len(self.ambiguous)} ambiguous, {len(self.errors)} error(s); {self.skipped} skipped (enriched before)"
        )
        if self.remaining:
            text += f"; {len(self.remaining)} not reached"
        if self.stopped:
            text += f". Stopped: {self.stopped}. Run again to resume"
        return text + "."


def client_from_settings(**overrides) -> itunes.Client:
    options = {
        "country": settings.ITUNES_COUNTRY,
        "per_minute": settings.ITUNES_REQUESTS_PER_MINUTE,
        "timeout": settings.ITUNES_TIMEOUT_SECONDS,
    }
    options.update({k: v for k, v in overrides.items() if v is not None})
    base_url = options.pop("base_url", None) or settings.ITUNES_SEARCH_URL
    return itunes.Client(base_url, **options)


def _changes(song: Song, track: itunes.Track, refresh: bool) -> dict:
    values = {"preview_url": track.preview_url, "artwork_url": track.artwork_url, "apple_music_id": track.track_id}
    changes = {
        name: value
        for name, value in values.items()
        if value and value != getattr(song, name) and (refresh or not getattr(song, name))
    }
    if track.duration and not song.duration:
        changes["duration"] = track.duration
    return changes


def _save(song: Song, status: str, changes: dict) -> None:
    """One song, one transaction, only the named fields: a concurrent edit of other fields survives."""
    now = timezone.now()
    with transaction.atomic():
        Song.objects.filter(pk=song.pk).update(**changes, enrichment=status, enriched_at=now, updated_at=now)
    for name, value in changes.items():
        setattr(song, name, value)
    song.enrichment, song.enriched_at = status, now


def _answer_use(song: Song, tracks, report: EnrichReport, *, refresh: bool, dry_run: bool) -> None:
    """Match one song against the catalogue's answer, count it, and save what a match gives."""
    result = itunes.match(song.artist, song.title, song.duration, tracks)
    changes = {}
    if result.status == Enrichment.MATCHED:
        report.matched += 1
        changes = _changes(song, result.track, refresh)
        report.changed += bool(changes)
    elif result.status == Enrichment.AMBIGUOUS:
        report.ambiguous.append((song, result.reason))
    else:
        report.unmatched.append((song, result.reason))
    if not dry_run:
        _save(song, result.status, changes)


def songs_enrich(
    *,
    songs: Iterable[Song] | None = None,
    client: itunes.Client | None = None,
    refresh: bool = False,
    dry_run: bool = False,
    limit: int | None = None,
    time_budget: float | None = None,
    progress: Callable[[int, EnrichReport], None] | None = None,
) -> EnrichReport:
    """Look songs up and fill what a confident match gives. See the module docstring.

    `songs` defaults to the whole catalogue in id order; `limit` caps the songs looked up this
    run; `time_budget` (seconds) stops before starting a song once spent, listing the rest in
    `remaining`; `progress(done, report)` is called after each song looked up.
    """
    client = client or client_from_settings()
    report = EnrichReport(dry_run=dry_run)
    started = time.monotonic()
    queue = list(songs if songs is not None else Song.objects.order_by("id"))
    consecutive_errors = 0
    for index, song in enumerate(queue):
        if song.enrichment and not refresh:
            report.skipped += 1
            continue
        out_of_time = time_budget is not None and time.monotonic() - started >= time_budget
        if (limit is not None and report.looked_up >= limit) or out_of_time or report.stopped:
            report.remaining = [s.pk for s in queue[index:] if refresh or not s.enrichment]
            break
        report.looked_up += 1
        try:
            tracks = client.search(song.artist, song.title)
        except itunes.ServiceRefused as exc:
            report.errors.append((song, str(exc)))
            report.stopped = str(exc)
            report.looked_up -= 1
            report.remaining = [s.pk for s in queue[index:] if refresh or not s.enrichment]
            break
        except itunes.ServiceError as exc:
            report.errors.append((song, str(exc)))
            consecutive_errors += 1
            if consecutive_errors >= MAX_CONSECUTIVE_ERRORS:
                report.stopped = f"{consecutive_errors} failures in a row, the last: {exc}"
                report.remaining = [s.pk for s in queue[index + 1 :] if refresh or not s.enrichment]
                break
        else:
            consecutive_errors = 0
            _answer_use(song, tracks, report, refresh=refresh, dry_run=dry_run)
        if progress:
            progress(report.looked_up, report)
    report.requests = client.requests
    report.seconds = time.monotonic() - started
    return report
