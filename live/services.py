"""Live mode's writes: start, stop and renew a session; record a reading and adapt the queue.

A reading arrives as a Mood (what was read, when, how sure), so that a reading made on the device
(no image sent) can be recorded like one made by the normal check-in API; today every reading
comes from a check-in (mood_from_check_in)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Goal
from detection import selectors as detection_selectors
from detection import services as detection_services
from detection.models import CheckIn
from music.library import selectors as library_selectors
from music.library import services as library_services
from music.recommendation.services import recommendation_create

from . import iso
from .models import INTERVAL_CHOICES, SESSION_LENGTH, LiveReading, LiveSession, Outcome

# Player events that mean a song was reached in the queue: it is never queued again in the session.
HEARD_KINDS = ("played", "skipped")


@dataclass(frozen=True)
class Mood:
    """One reading, wherever it was made. `emotions` is None when no face was read; `sure` is False
    for that and for a reading too unsure to act on (`why` says which, for the listener)."""

    taken_at: datetime
    emotions: dict[str, float] | None
    top_emotion: str
    confidence: float | None
    sure: bool
    why: str = ""


def mood_from_check_in(check_in: CheckIn) -> Mood:
    """A finished check-in as a reading: the effective mood (a correction wins), unsure below the
    result page's own confidence line (CheckIn.is_low_confidence) or when the analysis failed."""
    if not check_in.is_finished:
        raise ValidationError({"check_in": "That check-in is still being analysed; send it once it is done."})
    if check_in.status == CheckIn.Status.FAILED:
        return Mood(check_in.created_at, None, "", None, sure=False, why="no face was read")
    emotions = check_in.effective_distribution
    confidence = check_in.confidence
    why = f"the reading was unclear ({confidence:.0%} sure)" if check_in.is_low_confidence else ""
    return Mood(check_in.created_at, emotions, check_in.effective_emotion, confidence, sure=not why, why=why)


def session_start(*, user, recommendation, goal: str = "", interval_minutes: int | None = None) -> LiveSession:
    """Start live mode on a list the user is playing. A session already running for them ends: one at a time."""
    goal = goal or user.goal
    if goal not in Goal.values:
        raise ValidationError({"goal": f"Unknown goal {goal!r}; choose one of {', '.join(Goal.values)}."})
    choices = [minutes for minutes, _ in INTERVAL_CHOICES]
    interval_minutes = interval_minutes or LiveSession._meta.get_field("interval_minutes").default
    if interval_minutes not in choices:
        raise ValidationError({"interval_minutes": f"Choose {', '.join(map(str, choices))} minutes."})
    if recommendation is not None and recommendation.user_id != user.pk:
        raise ValidationError({"recommendation": "No such list."})
    now = timezone.now()
    with transaction.atomic():
        running = LiveSession.objects.filter(owner=user, ended_at__isnull=True, ends_at__gt=now)
        running.update(ended_at=now)
        return LiveSession.objects.create(
            owner=user, goal=goal, interval_minutes=interval_minutes, recommendation=recommendation,
            started_at=now, ends_at=now + SESSION_LENGTH,
        )  # fmt: skip


def session_stop(*, session: LiveSession) -> LiveSession:
    """Stop live mode now (again: nothing changes)."""
    if session.ended_at is None:
        session.ended_at = max(timezone.now(), session.started_at)
        session.save(update_fields=["ended_at"])
    return session


def session_renew(*, session: LiveSession) -> LiveSession:
    """Another SESSION_LENGTH from now, for a session still running; one that ended stays ended."""
    now = timezone.now()
    if not session.is_active(now):
        raise ValidationError("This live session has ended; start live mode again.", code="ended")
    session.ends_at = now + SESSION_LENGTH
    session.save(update_fields=["ends_at"])
    return session


def sessions_delete_all(*, user) -> int:
    """Forget every live session of the user with its readings; returns how many sessions went."""
    _, per_model = LiveSession.objects.filter(owner=user).delete()
    return per_model.get(LiveSession._meta.label, 0)


def _clock(at: datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M")


def _queue_state(session: LiveSession, readings: list[LiveReading]):
    """The queue's list now, the target it was made for (a point, or None), and the mood to compare
    a new reading with (the last sure reading, else the mood the first list was made for)."""
    moved = [r for r in readings if r.outcome == Outcome.MOVED]
    start = session.recommendation
    start_mood = start.emotions if start is not None and start.emotions else None
    current = moved[-1].recommendation if moved else start
    if moved:
        target = moved[-1].target_point
    else:
        target = iso.point(iso.step(start_mood, session.goal)) if start_mood else None
    sure = [r for r in readings if r.sure]
    before = sure[-1].point if sure else (iso.point(start_mood) if start_mood else None)
    return current, target, before


def _session_songs(session: LiveSession, readings: list[LiveReading]) -> set[int]:
    """Songs the player reached in this session (played or skipped in one of its lists)."""
    lists = {session.recommendation_id, *(r.recommendation_id for r in readings)} - {None}
    events = library_selectors.listening_events(user=session.owner, recommendation_ids=lists, since=session.started_at)
    return {event["song"] for event in events if event["kind"] in HEARD_KINDS}


def reading_record(
    *, session: LiveSession, mood: Mood, check_in: CheckIn | None = None, playing=None, heard: Collection[int] = ()
) -> LiveReading:
    """Record a reading and adapt the queue: a sure reading whose iso step lands elsewhere than the
    queue's target re-ranks the songs not yet played (the recommender's rules: no repeats, one song
    per artist, taste); the song playing stays. An unsure one, or one that changes nothing, says so."""
    if check_in is not None:
        if check_in.owner_id != session.owner_id:
            raise ValidationError({"check_in": "No such check-in."})
        if LiveReading.objects.filter(check_in=check_in).exists():
            raise ValidationError({"check_in": "That check-in is already a reading."})
    if mood.taken_at < session.started_at:
        raise ValidationError({"check_in": "That reading was taken before live mode started."})
    with transaction.atomic():
        # One reading at a time per session: each one builds on the one before.
        session = (
            LiveSession.objects.select_for_update(of=("self",))
            .select_related("owner", "recommendation")
            .get(pk=session.pk)
        )
        if not session.is_active():
            raise ValidationError("This live session has ended; start live mode again.", code="ended")
        readings = list(session.readings.select_related("recommendation"))
        reading = LiveReading(
            session=session, check_in=check_in, taken_at=mood.taken_at, emotions=mood.emotions,
            top_emotion=mood.top_emotion, confidence=mood.confidence, playing=playing,
        )  # fmt: skip
        if check_in is not None:
            # The list the analysis made for this check-in was never shown: live mode makes its own.
            lists = detection_selectors.check_in_list_ids(check_in_ids=[check_in.pk])
            library_services.lists_delete(user=session.owner, recommendation_ids=lists)
        _adapt(session, readings, reading, mood, heard)
        reading.save()
    return reading


def _adapt(session: LiveSession, readings: list[LiveReading], reading: LiveReading, mood: Mood, heard) -> None:
    at = _clock(mood.taken_at)
    if not mood.sure:
        reading.outcome = Outcome.NOT_SURE
        reading.message = f"Not sure at {at}: {mood.why}. The queue stays as it is."
        return
    reading.valence, reading.arousal = (round(v, 4) for v in iso.point(mood.emotions))
    current, target_now, before = _queue_state(session, readings)
    target = iso.step(mood.emotions, session.goal)
    target_point = iso.point(target)
    if target_now is not None and iso.distance(target_point, target_now) < iso.SAME_MOOD:
        reading.outcome = Outcome.UNCHANGED
        reading.message = f"You looked about the same at {at}: the queue stays as it is."
        return
    played = {*heard, *_session_songs(session, readings)} | ({reading.playing_id} if reading.playing_id else set())
    queued = {item.song_id for item in current.items.all()} - played if current is not None else set()
    reason = iso.reason(mood.emotions, before, session.goal, at)
    rec = recommendation_create(
        user=session.owner, emotions=mood.emotions, goal=session.goal, target=target,
        detected=True, reason=reason, played=played, queued=queued,
    )  # fmt: skip
    if reading.check_in is not None:
        # The reading's check-in shows this list in the history.
        detection_services.check_in_list_add(check_in=reading.check_in, recommendation=rec)
    reading.outcome, reading.recommendation, reading.target = Outcome.MOVED, rec, target
    reading.target_valence, reading.target_arousal = (round(v, 4) for v in target_point)
    count = rec.items.count()
    reading.message = f"{reason[0].upper()}{reason[1:]}. {count} songs queued after the one playing."
