"""Live mode's reads, always scoped to a user: sessions, their readings, and each session's path
(readings on the valence/arousal plane with the songs heard between them)."""

from django.db.models import Prefetch, QuerySet

from music.library import selectors as library_selectors

from . import iso
from .models import LiveReading, LiveSession, Outcome

# After this many unsure readings in a row the page suggests picking the mood by hand.
NOT_SURE_BEFORE_MANUAL = 2


def session_list(*, user) -> QuerySet[LiveSession]:
    readings = LiveReading.objects.select_related("playing")
    return LiveSession.objects.filter(owner=user).prefetch_related(Prefetch("readings", queryset=readings))


def session_get(*, user, session_id: int) -> LiveSession | None:
    if not user.is_authenticated:
        return None
    return session_list(user=user).filter(pk=session_id).first()


def reading_get(*, user, reading_id: int) -> LiveReading | None:
    if not user.is_authenticated:
        return None
    return LiveReading.objects.filter(session__owner=user, pk=reading_id).select_related("recommendation").first()


def suggest_manual(readings: list[LiveReading]) -> bool:
    """Whether the last readings were all unsure: the camera is not helping, offer the mood picker."""
    last = readings[-NOT_SURE_BEFORE_MANUAL:]
    return len(last) == NOT_SURE_BEFORE_MANUAL and all(r.outcome == Outcome.NOT_SURE for r in last)


def session_lists(session: LiveSession) -> list[int]:
    """The session's queues: the list it started on and those its readings made."""
    ids = [session.recommendation_id, *(r.recommendation_id for r in session.readings.all())]
    return list(dict.fromkeys(i for i in ids if i is not None))


def session_path(session: LiveSession) -> dict:
    """The session as a path: its sure readings in order, the songs heard (played or skipped) with the
    reading before them, and the change from the first sure reading to the last, told against the goal.
    One query beyond the prefetched readings."""
    readings = list(session.readings.all())
    events = library_selectors.listening_events(
        user=session.owner_id, recommendation_ids=session_lists(session), since=session.started_at
    )
    points = [r for r in readings if r.sure]
    songs = []
    for event in events:
        if event["kind"] not in ("played", "skipped") or (session.finished_at and event["at"] > session.finished_at):
            continue
        after = [r for r in points if r.taken_at <= event["at"]]
        songs.append({**event, "after_reading": after[-1].pk if after else None})
    return {"readings": readings, "points": points, "songs": songs, "change": _change(session, points)}


def _change(session: LiveSession, points: list[LiveReading]) -> dict | None:
    if not points:
        return None
    first, last = points[0].point, points[-1].point
    aim = iso.goal_point(session.goal)
    toward = None
    if aim is not None and len(points) > 1:
        toward = iso.distance(last, aim) < iso.distance(first, aim)
    return {
        "from": {"valence": first[0], "arousal": first[1], "emotion": points[0].top_emotion},
        "to": {"valence": last[0], "arousal": last[1], "emotion": points[-1].top_emotion},
        "valence": round(last[0] - first[0], 3),
        "arousal": round(last[1] - first[1], 3),
        "toward_goal": toward,
    }


def sessions_lifted(*, user, since=None, until=None, limit: int = 5) -> dict:
    """ "What lifted me", from live sessions: for each pair of sure readings in a row that moved
    towards the session's goal (lift or calm), the songs played between them. Two queries."""
    sessions = session_list(user=user).exclude(goal="match")
    if since is not None:
        sessions = sessions.filter(started_at__gte=since)
    if until is not None:
        sessions = sessions.filter(started_at__lt=until)
    sessions = list(sessions)
    lists = {list_id: s for s in sessions for list_id in session_lists(s)}
    events = library_selectors.listening_events(user=user, recommendation_ids=list(lists))
    counts: dict[int, dict] = {}
    moves = helped = 0
    for session in sessions:
        aim = iso.goal_point(session.goal)
        points = [r for r in session.readings.all() if r.sure]
        mine = [e for e in events if lists[e["recommendation"]] is session and e["kind"] == "played"]
        for before, after in zip(points, points[1:], strict=False):
            moves += 1
            if iso.distance(after.point, aim) >= iso.distance(before.point, aim):
                continue
            helped += 1
            for event in mine:
                if before.taken_at <= event["at"] < after.taken_at:
                    song = counts.setdefault(event["song"], {"id": event["song"], "title": event["title"],
                                                             "artist": event["artist"], "moves": 0})  # fmt: skip
                    song["moves"] += 1
    ranked = sorted(counts.values(), key=lambda s: (-s["moves"], s["artist"], s["title"]))
    return {"sessions": len(sessions), "moves": moves, "helped": helped, "songs": ranked[:limit]}


def sessions_export(*, user) -> list[dict]:
    """Every live session of the user with its readings (registered with accounts.data_rights)."""
    return [
        {
            "id": s.pk, "goal": s.goal, "interval_minutes": s.interval_minutes,
            "recommendation": s.recommendation_id, "started_at": s.started_at.isoformat(),
            "ends_at": s.ends_at.isoformat(), "ended_at": s.ended_at.isoformat() if s.ended_at else None,
            "readings": [
                {"id": r.pk, "check_in": r.check_in_id, "taken_at": r.taken_at.isoformat(), "emotions": r.emotions,
                 "top_emotion": r.top_emotion, "confidence": r.confidence, "valence": r.valence,
                 "arousal": r.arousal, "outcome": r.outcome, "target": r.target, "playing": r.playing_id,
                 "recommendation": r.recommendation_id, "message": r.message}
                for r in s.readings.all()
            ],
        }
        for s in session_list(user=user)
    ]  # fmt: skip
