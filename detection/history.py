"""Mood history reads: a user's finished sessions, their aggregates and the music that went with them.

A session is one finished Submission. Its mood is the *effective* emotion: the user's correction
when there is one, else the detected top emotion. Every aggregate here is one SQL query
(conditional aggregation, grouped by day or hour), so the cost does not grow with per-row
Python work as a history gets long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, ExtractHour, NullIf, TruncDate
from django.utils import timezone

from ml.labels import EMOTIONS
from music.emotions import EMOTION_VA
from music.models import Feedback, FeedbackKind, Recommendation, RecommendationItem, Song

from .models import Submission

# Goals whose songs try to move the mood rather than match it; "what lifted me" looks at these.
LIFT_GOALS = ("lift", "calm", "match_then_lift")
# A later check-in counts as the follow-up of a session only within this time.
FOLLOW_UP_WITHIN = timedelta(hours=24)
VALENCE: dict[str, float] = {name: EMOTION_VA[name][0] for name in EMOTIONS}


def effective_emotion():
    """SQL for the session's mood: the correction wins over the detected emotion."""
    return Coalesce(NullIf("corrected_emotion", Value("")), "top_emotion")


@dataclass(frozen=True)
class HistoryRange:
    """Inclusive local dates; None means open-ended."""

    date_from: date | None = None
    date_to: date | None = None

    def bounds(self) -> Q:
        """created_at bounds in the current time zone (index-friendly, unlike created_at__date)."""
        q = Q()
        tz = timezone.get_current_timezone()
        if self.date_from:
            q &= Q(created_at__gte=datetime.combine(self.date_from, time.min, tzinfo=tz))
        if self.date_to:
            q &= Q(created_at__lt=datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=tz))
        return q


def history_range_for(*, days: int | None, date_from: date | None = None, date_to: date | None = None) -> HistoryRange:
    """Explicit dates win; else the last `days` days up to today; else everything."""
    if date_from or date_to:
        return HistoryRange(date_from, date_to)
    if days:
        today = timezone.localdate()
        return HistoryRange(today - timedelta(days=days - 1), today)
    return HistoryRange()


def history_sessions(*, user, period: HistoryRange = HistoryRange(), emotion: str = "") -> QuerySet[Submission]:
    """The user's finished sessions in the period, newest first, annotated with `effective`."""
    sessions = (
        Submission.objects.filter(owner=user, status=Submission.Status.DONE)
        .filter(period.bounds())
        .annotate(effective=effective_emotion())
    )
    if emotion:
        sessions = sessions.filter(effective=emotion)
    return sessions.order_by("-created_at", "-id")


def _per_emotion_counts() -> dict:
    return {name: Count("id", filter=Q(effective=name)) for name in EMOTIONS}


def _shares(counts: dict[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {name: round(counts.get(name, 0) / total, 4) if total else 0.0 for name in EMOTIONS}


def _top(counts: dict[str, int]) -> str | None:
    """Most frequent emotion; ties go to the earlier name in the project order."""
    best = max(EMOTIONS, key=lambda name: counts.get(name, 0))
    return best if counts.get(best, 0) else None


def mood_distribution(*, user, period: HistoryRange) -> dict:
    row = history_sessions(user=user, period=period).order_by().aggregate(total=Count("id"), **_per_emotion_counts())
    counts = {name: row[name] for name in EMOTIONS}
    return {"total": row["total"], "counts": counts, "distribution": _shares(counts), "top_emotion": _top(counts)}


def mood_daily(*, user, period: HistoryRange) -> list[dict]:
    """One entry per local day with sessions: the day's mix of moods, its top mood and count."""
    rows = (
        history_sessions(user=user, period=period)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day")
        .annotate(count=Count("id"), **_per_emotion_counts())
        .order_by("day")
    )
    daily = []
    for row in rows:
        counts = {name: row[name] for name in EMOTIONS}
        daily.append(
            {
                "date": row["day"],
                "count": row["count"],
                "counts": counts,
                "emotions": _shares(counts),
                "top_emotion": _top(counts),
            }
        )
    return daily


def mood_by_hour(*, user, period: HistoryRange) -> list[dict]:
    """24 entries (local hour of the day): how many sessions, and their moods."""
    rows = {
        row["hour"]: row
        for row in history_sessions(user=user, period=period)
        .annotate(hour=ExtractHour("created_at"))
        .order_by()
        .values("hour")
        .annotate(count=Count("id"), **_per_emotion_counts())
    }
    hours = []
    for hour in range(24):
        row = rows.get(hour)
        counts = {name: (row[name] if row else 0) for name in EMOTIONS}
        hours.append({"hour": hour, "count": row["count"] if row else 0, "counts": counts, "top_emotion": _top(counts)})
    return hours


def mood_timeline(*, user, period: HistoryRange, limit: int = 400) -> tuple[list[dict], int]:
    """The latest `limit` sessions as (time, mood, confidence) points, oldest first, and how many there are."""
    sessions = history_sessions(user=user, period=period)
    points = list(sessions.values("id", "created_at", "effective", "top_emotion", "confidence")[:limit])
    points.reverse()
    return points, (len(points) if len(points) < limit else sessions.order_by().count())


def _liked_songs(feedback: QuerySet[Feedback], limit: int) -> list[dict]:
    rows = (
        feedback.filter(kind=FeedbackKind.LIKE)
        .order_by()
        .values("song_id", "song__title", "song__artist")
        .annotate(likes=Count("id"))
        .order_by("-likes", "song__artist", "song__title")[:limit]
    )
    return [
        {"id": r["song_id"], "title": r["song__title"], "artist": r["song__artist"], "likes": r["likes"]} for r in rows
    ]


def mood_recap(*, user, period: HistoryRange, limit: int = 5) -> dict:
    """ "This week you were mostly …; the songs you liked most" (the last 7 days, and the chosen period)."""
    today = timezone.localdate()
    week = HistoryRange(today - timedelta(days=6), today)
    this_week = mood_distribution(user=user, period=week)
    feedback = Feedback.objects.filter(user=user)
    return {
        "week_from": week.date_from,
        "week_to": week.date_to,
        "week_sessions": this_week["total"],
        "mostly": this_week["top_emotion"],
        "week_distribution": this_week["distribution"],
        "liked_this_week": _liked_songs(feedback.filter(week.bounds()), limit),
        "liked_in_period": _liked_songs(feedback.filter(period.bounds()), limit),
    }


def _lifted_sql(*, user_id: int, period: HistoryRange) -> tuple[str, list]:
    """Sessions with a mood-changing goal and a follow-up, with the valence change to that follow-up.

    LEAD runs over the user's whole history, so the follow-up of the last session in the
    period may lie after it; only the period filter on the session itself applies."""
    submission = connection.ops.quote_name(Submission._meta.db_table)
    recommendation = connection.ops.quote_name(Recommendation._meta.db_table)
    params: list = [value for item in VALENCE.items() for value in item]
    params += [user_id, Submission.Status.DONE, FOLLOW_UP_WITHIN]
    period_sql = ""
    tz = timezone.get_current_timezone()
    if period.date_from:
        period_sql += " AND s.created_at >= %s"
        params.append(datetime.combine(period.date_from, time.min, tzinfo=tz))
    if period.date_to:
        period_sql += " AND s.created_at < %s"
        params.append(datetime.combine(period.date_to + timedelta(days=1), time.min, tzinfo=tz))
    params.append(list(LIFT_GOALS))
    sql = f"""
        WITH v(name, valence) AS (VALUES {", ".join(["(%s, %s::float8)"] * len(VALENCE))}),
        s AS (
            SELECT id, created_at, COALESCE(NULLIF(corrected_emotion, ''), top_emotion) AS emotion,
                   LEAD(COALESCE(NULLIF(corrected_emotion, ''), top_emotion)) OVER w AS next_emotion,
                   LEAD(created_at) OVER w AS next_at
            FROM {submission} WHERE owner_id = %s AND status = %s
            WINDOW w AS (ORDER BY created_at, id)
        ),
        g AS (
            SELECT s.*, (
                SELECT r.goal FROM {recommendation} r WHERE r.submission_id = s.id
                ORDER BY r.created_at DESC, r.id DESC LIMIT 1
            ) AS goal
            FROM s WHERE s.next_at IS NOT NULL AND s.next_at - s.created_at <= %s{period_sql}
        )
        SELECT g.id, g.created_at, g.emotion, g.next_emotion, g.goal, vn.valence - ve.valence AS change
        FROM g JOIN v ve ON ve.name = g.emotion JOIN v vn ON vn.name = g.next_emotion
        WHERE g.goal = ANY(%s)
    """  # noqa: S608 - table names are ours, every value is a parameter
    return sql, params


def mood_lifted(*, user, period: HistoryRange, limit: int = 5) -> dict | None:
    """ "What lifted me": after sessions whose songs aimed to lift or calm, did the next check-in
    (within a day) feel better? Valence per emotion comes from the music app's circumplex.

    None on databases other than PostgreSQL (window and interval SQL)."""
    if connection.vendor != "postgresql":
        return None
    inner, params = _lifted_sql(user_id=user.pk, period=period)
    recommendation = connection.ops.quote_name(Recommendation._meta.db_table)
    feedback = connection.ops.quote_name(Feedback._meta.db_table)
    summary_sql = f"""
        WITH l AS ({inner})
        SELECT count(*), count(*) FILTER (WHERE change > 0), count(*) FILTER (WHERE change = 0),
               count(*) FILTER (WHERE change < 0), avg(change)
        FROM l
    """  # noqa: S608
    songs_sql = f"""
        WITH l AS ({inner})
        SELECT f.song_id, count(*) AS likes FROM {feedback} f
        JOIN {recommendation} r ON r.id = f.recommendation_id
        WHERE f.user_id = %s AND f.kind = %s AND r.submission_id IN (SELECT id FROM l WHERE change > 0)
        GROUP BY f.song_id ORDER BY likes DESC, f.song_id LIMIT %s
    """  # noqa: S608
    examples_sql = f"""
        WITH l AS ({inner})
        SELECT id, created_at, emotion, next_emotion, goal, change FROM l
        WHERE change > 0 ORDER BY created_at DESC LIMIT %s
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(summary_sql, params)
        total, helped, same, worse, average = cursor.fetchone()
        cursor.execute(songs_sql, [*params, user.pk, FeedbackKind.LIKE, limit])
        likes = dict(cursor.fetchall())
        cursor.execute(examples_sql, [*params, limit])
        examples = [
            {"session": row[0], "created_at": row[1], "emotion": row[2], "next_emotion": row[3], "goal": row[4],
             "change": round(row[5], 3)}
            for row in cursor.fetchall()
        ]  # fmt: skip
    return {
        "sessions": total,
        "helped": helped,
        "same": same,
        "worse": worse,
        "average_change": round(average, 3) if average is not None else None,
        "examples": examples,
        "liked_songs": _songs_by_likes(likes, limit),
    }


def _songs_by_likes(likes: dict[int, int], limit: int) -> list[dict]:
    top = sorted(likes.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    found = Song.objects.in_bulk([song_id for song_id, _ in top])
    return [
        {"id": song_id, "title": found[song_id].title, "artist": found[song_id].artist, "likes": count}
        for song_id, count in top
        if song_id in found
    ]


def mood_summary(*, user, period: HistoryRange) -> dict:
    """Every aggregate of the history page and API for one period."""
    distribution = mood_distribution(user=user, period=period)
    return {
        "from": period.date_from,
        "to": period.date_to,
        **distribution,
        "daily": mood_daily(user=user, period=period),
        "hours": mood_by_hour(user=user, period=period),
        "recap": mood_recap(user=user, period=period),
        "lifted": mood_lifted(user=user, period=period),
    }


def sessions_with_music(*, user, sessions: list[Submission]) -> list[Submission]:
    """Attach to each session its latest recommendation (`.recommendation`) and the songs with the
    feedback given on them (`.songs`: [{rank, song, feedback: [kinds]}]). A fixed number of
    queries for a page of sessions, whatever its length."""
    ids = [s.pk for s in sessions]
    latest: dict[int, Recommendation] = {}
    recommendations = (
        Recommendation.objects.filter(user=user, submission_id__in=ids)
        .order_by("created_at", "id")
        .prefetch_related(_items_prefetch())
    )
    for rec in recommendations:
        latest[rec.submission_id] = rec  # later ones (after a correction) replace earlier ones
    kinds: dict[tuple[int, int], list[str]] = {}
    for rec_id, song_id, kind in (
        Feedback.objects.filter(user=user, recommendation_id__in=[r.pk for r in latest.values()])
        .order_by("created_at", "id")
        .values_list("recommendation_id", "song_id", "kind")
    ):
        seen = kinds.setdefault((rec_id, song_id), [])
        if kind not in seen:
            seen.append(kind)
    for session in sessions:
        rec = latest.get(session.pk)
        session.recommendation = rec
        session.songs = (
            [
                {"rank": item.rank, "song": item.song, "feedback": kinds.get((rec.pk, item.song_id), [])}
                for item in rec.items.all()
            ]
            if rec
            else []
        )
        session.feedback_counts = {
            kind: sum(1 for song in session.songs if kind in song["feedback"]) for kind in FeedbackKind.values
        }
    return sessions


def _items_prefetch():
    return Prefetch("items", queryset=RecommendationItem.objects.select_related("song").order_by("rank"))


def history_export(*, user, period: HistoryRange = HistoryRange()) -> list[Submission]:
    """Every session in the period with its music, newest first (for CSV and JSON export)."""
    sessions = list(history_sessions(user=user, period=period))
    return sessions_with_music(user=user, sessions=sessions)


def history_session_get(*, user, session_id: int) -> Submission | None:
    """One finished session of the user, or None: another user's is indistinguishable from a missing one."""
    if not user.is_authenticated:
        return None
    session = history_sessions(user=user).filter(pk=session_id).first()
    if session is not None:
        sessions_with_music(user=user, sessions=[session])
    return session
