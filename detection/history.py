"""Mood history reads: a user's finished sessions, their aggregates and the music that went with them.

A session is one finished CheckIn. Its mood is the *effective* emotion: the user's correction
when there is one, else the detected top emotion. Every aggregate here is one SQL query
(conditional aggregation, grouped by day or hour), so the cost does not grow with per-row
Python work as a history gets long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.db.models import Count, DateField, Q, QuerySet, Value
from django.db.models.functions import Coalesce, ExtractHour, NullIf, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from ml.labels import EMOTIONS
from music.emotions import EMOTION_VA
from music.models import Feedback, FeedbackKind, Recommendation, RecommendationItem

from .models import CheckIn

# Goals whose songs try to move the mood rather than match it; "what lifted me" looks at these.
LIFT_GOALS = ("lift", "calm", "match_then_lift")
# A later check-in counts as the follow-up of a session only within this time.
FOLLOW_UP_WITHIN = timedelta(hours=24)
VALENCE: dict[str, float] = {name: EMOTION_VA[name][0] for name in EMOTIONS}
# Bounds for dates a user may ask for: date arithmetic near year 1 or 9999 overflows.
DAY_VALIDATORS = [MinValueValidator(date(1900, 1, 1)), MaxValueValidator(date(2999, 12, 31))]


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


def history_sessions(*, user, period: HistoryRange = HistoryRange(), emotion: str = "") -> QuerySet[CheckIn]:
    """The user's finished sessions in the period, newest first, annotated with `effective`."""
    sessions = (
        CheckIn.objects.filter(owner=user, status=CheckIn.Status.DONE)
        .filter(period.bounds())
        .annotate(effective=effective_emotion())
    )
    if emotion:
        sessions = sessions.filter(_is_mood(emotion))
    return sessions.order_by("-created_at", "-id")


def _is_mood(name: str) -> Q:
    """The effective emotion is `name`, in plain column terms."""
    return Q(corrected_emotion=name) | Q(corrected_emotion="", top_emotion=name)


def _mood_counts(sessions: QuerySet[CheckIn], key=None) -> dict:
    """{key: {emotion: count}} from one GROUP BY (key, effective emotion) query.

    Grouping by the mood, rather than one filtered COUNT per mood, keeps the SQL (and the
    ORM's work to build it) small; the pivot touches at most 8 rows per key."""
    rows = sessions.order_by()
    if key is not None:
        rows = rows.annotate(key=key).values("key", "effective")
    else:
        rows = rows.values("effective")
    table: dict = {}
    for row in rows.annotate(n=Count("id")).values_list(*(("key",) if key is not None else ()), "effective", "n"):
        *group, mood, n = row
        table.setdefault(group[0] if group else None, dict.fromkeys(EMOTIONS, 0))[mood] = n
    return table


def _shares(counts: dict[str, int], total: int) -> dict[str, float]:
    return {name: round(n / total, 4) if n else 0.0 for name, n in counts.items()}


def _top(counts: dict[str, int]) -> str | None:
    """Most frequent emotion; ties go to the earlier name in the project order."""
    best = max(EMOTIONS, key=counts.__getitem__)
    return best if counts[best] else None


def mood_distribution(*, user, period: HistoryRange) -> dict:
    counts = _mood_counts(history_sessions(user=user, period=period)).get(None, dict.fromkeys(EMOTIONS, 0))
    total = sum(counts.values())
    return {
        "total": total,
        "counts": counts,
        "distribution": _shares(counts, total),
        "top_emotion": _top(counts),
    }


def history_first_day(*, user) -> date | None:
    """The local day of the user's first session, or None."""
    first = history_sessions(user=user).order_by("created_at").values_list("created_at", flat=True).first()
    return timezone.localtime(first).date() if first else None


TRUNCATE = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def mood_daily(*, user, period: HistoryRange, bucket: str = "day") -> list[dict]:
    """One entry per local day (or week, or month: its first day) with sessions, oldest first:
    the mix of moods, the top mood and the count."""
    trunc = TRUNCATE[bucket]("created_at", output_field=DateField(), tzinfo=timezone.get_current_timezone())
    table = _mood_counts(history_sessions(user=user, period=period), key=trunc)
    daily = []
    for day in sorted(table):
        counts = table[day]
        count = sum(counts.values())
        daily.append(
            {
                "date": day,
                "count": count,
                "counts": counts,
                "emotions": _shares(counts, count),
                "top_emotion": _top(counts),
            }
        )
    return daily


def mood_by_hour(*, user, period: HistoryRange) -> list[dict]:
    """24 entries (local hour of the day): how many sessions, and their moods."""
    table = _mood_counts(history_sessions(user=user, period=period), key=ExtractHour("created_at"))
    hours = []
    for hour in range(24):
        counts = table.get(hour, dict.fromkeys(EMOTIONS, 0))
        hours.append({"hour": hour, "count": sum(counts.values()), "counts": counts, "top_emotion": _top(counts)})
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


def _valence_sql(column: str) -> tuple[str, list]:
    whens = " ".join(["WHEN %s THEN %s::float8"] * len(VALENCE))
    return f"(CASE {column} {whens} END)", [value for item in VALENCE.items() for value in item]


def _lifted_sql(*, user_id: int, period: HistoryRange) -> tuple[str, list]:
    """Sessions with a mood-changing goal and a follow-up, with the valence change to that follow-up.

    LEAD runs over the user's whole history, so the follow-up of the last session in the
    period may lie after it; only the period filter on the session itself applies. The goal
    is that of the session's latest song list (a correction makes a new one), looked up per
    pair through the index on check_in_id."""
    check_in = connection.ops.quote_name(CheckIn._meta.db_table)
    recommendation = connection.ops.quote_name(Recommendation._meta.db_table)
    params: list = [user_id, CheckIn.Status.DONE, user_id, FOLLOW_UP_WITHIN]
    period_sql = ""
    tz = timezone.get_current_timezone()
    if period.date_from:
        period_sql += " AND s.created_at >= %s"
        params.append(datetime.combine(period.date_from, time.min, tzinfo=tz))
    if period.date_to:
        period_sql += " AND s.created_at < %s"
        params.append(datetime.combine(period.date_to + timedelta(days=1), time.min, tzinfo=tz))
    after, after_params = _valence_sql("next_emotion")
    before, before_params = _valence_sql("emotion")
    params += [*after_params, *before_params, list(LIFT_GOALS)]
    sql = f"""
        WITH s AS (
            SELECT id, created_at, emotion,
                   LEAD(emotion) OVER w AS next_emotion, LEAD(created_at) OVER w AS next_at
            FROM (
                SELECT id, created_at, COALESCE(NULLIF(corrected_emotion, ''), top_emotion) AS emotion
                FROM {check_in} WHERE owner_id = %s AND status = %s
            ) mine
            WINDOW w AS (ORDER BY created_at, id)
        ),
        g AS (
            SELECT s.*, (
                SELECT r.goal FROM {recommendation} r WHERE r.check_in_id = s.id AND r.user_id = %s
                ORDER BY r.created_at DESC, r.id DESC LIMIT 1
            ) AS goal
            FROM s WHERE s.next_at IS NOT NULL AND s.next_at - s.created_at <= %s{period_sql}
        )
        SELECT id, created_at, emotion, next_emotion, goal, {after} - {before} AS change
        FROM g WHERE goal = ANY(%s)
    """  # noqa: S608 - table names are ours, every value is a parameter
    return sql, params


def mood_lifted(*, user, period: HistoryRange, limit: int = 5) -> dict | None:
    """ "What lifted me": after sessions whose songs aimed to lift or calm, did the next check-in
    (within a day) feel better? Valence per emotion comes from the music app's circumplex.

    None on databases other than PostgreSQL (window and interval SQL)."""
    if connection.vendor != "postgresql":
        return None
    inner, params = _lifted_sql(user_id=user.pk, period=period)
    # One pass over the pairs: the counts, the sessions that helped, and the latest few of them.
    sql = f"""
        WITH l AS ({inner})
        SELECT count(*), count(*) FILTER (WHERE change > 0), count(*) FILTER (WHERE change = 0),
               count(*) FILTER (WHERE change < 0), avg(change),
               array_agg(id) FILTER (WHERE change > 0),
               (SELECT json_agg(e) FROM (
                   SELECT id, created_at, emotion, next_emotion, goal, change FROM l
                   WHERE change > 0 ORDER BY created_at DESC LIMIT %s) e)
        FROM l
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        total, helped, same, worse, average, helped_ids, examples = cursor.fetchone()
    liked = _liked_songs(Feedback.objects.filter(user=user, recommendation__check_in_id__in=helped_ids or []), limit)
    return {
        "sessions": total,
        "helped": helped,
        "same": same,
        "worse": worse,
        "average_change": round(average, 3) if average is not None else None,
        "examples": [
            {
                "session": e["id"],
                "created_at": datetime.fromisoformat(e["created_at"]),
                "emotion": e["emotion"],
                "next_emotion": e["next_emotion"],
                "goal": e["goal"],
                "change": round(e["change"], 3),
            }
            for e in examples or []
        ],
        "liked_songs": liked,
    }


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


def sessions_with_music(*, user, sessions: list[CheckIn]) -> list[CheckIn]:
    """Attach to each session its latest recommendation (`.recommendation`) and the songs with the
    feedback given on them (`.songs`: [{rank, song: {id, title, artist}, feedback: [kinds]}]).
    Three queries for a page of sessions, whatever its length; rows, not model instances, for the
    songs (a page holds ten per session)."""
    ids = [s.pk for s in sessions]
    latest: dict[int, Recommendation] = {}
    for rec in (
        Recommendation.objects.filter(user=user, check_in_id__in=ids)
        .only("id", "user_id", "check_in_id", "goal", "created_at")
        .order_by("created_at", "id")
    ):
        latest[rec.check_in_id] = rec  # later ones (after a correction) replace earlier ones
    rec_ids = [r.pk for r in latest.values()]
    items: dict[int, list[tuple]] = {}
    for row in (
        RecommendationItem.objects.filter(recommendation_id__in=rec_ids)
        .order_by("recommendation_id", "rank")
        .values_list("recommendation_id", "rank", "song_id", "song__title", "song__artist")
    ):
        items.setdefault(row[0], []).append(row[1:])
    kinds: dict[tuple[int, int], list[str]] = {}
    for rec_id, song_id, kind in (
        Feedback.objects.filter(user=user, recommendation_id__in=rec_ids)
        .order_by("created_at", "id")
        .values_list("recommendation_id", "song_id", "kind")
    ):
        seen = kinds.setdefault((rec_id, song_id), [])
        if kind not in seen:
            seen.append(kind)
    for session in sessions:
        rec = latest.get(session.pk)
        session.recommendation = rec
        session.songs = [
            {
                "rank": rank,
                "song": {"id": song_id, "title": title, "artist": artist},
                "feedback": kinds.get((rec.pk, song_id), []),
            }
            for rank, song_id, title, artist in (items.get(rec.pk, []) if rec else [])
        ]
        session.feedback_counts = {
            kind: sum(1 for song in session.songs if kind in song["feedback"]) for kind in FeedbackKind.values
        }
    return sessions


def history_export(*, user, period: HistoryRange = HistoryRange()) -> list[CheckIn]:
    """Every session in the period with its music, newest first (for CSV and JSON export)."""
    sessions = list(history_sessions(user=user, period=period))
    return sessions_with_music(user=user, sessions=sessions)


def history_session_get(*, user, session_id: int) -> CheckIn | None:
    """One finished session of the user, or None: another user's is indistinguishable from a missing one."""
    if not user.is_authenticated:
        return None
    session = history_sessions(user=user).filter(pk=session_id).first()
    if session is not None:
        sessions_with_music(user=user, sessions=[session])
    return session
