"""Mood history reads: a user's finished check-ins, their aggregates and the music that went with them.

A check-in's mood is its *effective* emotion (detection.models.effective_emotion: the user's
correction when there is one, else the detected emotion). Check-ins and the lists made for them come
from detection.selectors, songs and feedback from music.library.selectors: this app owns no table and writes no SQL. Every aggregate is one
GROUP BY query, so the cost does not grow with per-row Python work as a history gets long, and
every one works on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from accounts.goals import MOVING_GOALS
from detection import selectors as detection_selectors
from live import selectors as live_selectors
from ml.labels import EMOTIONS
from music.library import selectors as music_selectors

# Goals whose songs try to move the mood rather than match it; "what lifted me" looks at these.
LIFT_GOALS = MOVING_GOALS
# A later check-in counts as the follow-up of another only within this time.
FOLLOW_UP_WITHIN = timedelta(hours=24)
# Bounds for dates a user may ask for: date arithmetic near year 1 or 9999 overflows.
DAY_VALIDATORS = [MinValueValidator(date(1900, 1, 1)), MaxValueValidator(date(2999, 12, 31))]
TRUNCATE = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


@dataclass(frozen=True)
class Period:
    """Inclusive local dates; None means open-ended."""

    date_from: date | None = None
    date_to: date | None = None

    @property
    def start(self) -> datetime | None:
        """The first instant of the period in the current time zone."""
        return (
            datetime.combine(self.date_from, time.min, tzinfo=timezone.get_current_timezone())
            if self.date_from
            else None
        )

    @property
    def end(self) -> datetime | None:
        """The first instant after the period."""
        if not self.date_to:
            return None
        return datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())

    @property
    def is_whole(self) -> bool:
        """No bounds: the whole history."""
        return self.date_from is None and self.date_to is None

    def bounds(self) -> Q:
        """created_at bounds (index-friendly, unlike created_at__date)."""
        q = Q()
        if self.start:
            q &= Q(created_at__gte=self.start)
        if self.end:
            q &= Q(created_at__lt=self.end)
        return q


def period_for(*, days: int | None, date_from: date | None = None, date_to: date | None = None) -> Period:
    """Explicit dates win; else the last `days` days up to today; else everything."""
    if date_from or date_to:
        return Period(date_from, date_to)
    if days:
        today = timezone.localdate()
        return Period(today - timedelta(days=days - 1), today)
    return Period()


def check_ins(*, user, period: Period = Period(), emotion: str = "") -> QuerySet:
    """The user's finished check-ins in the period (only those in `emotion`), newest first, with `effective`."""
    found = detection_selectors.check_ins_finished(user=user).filter(period.bounds())
    if emotion:
        found = found.filter(effective=emotion)
    return found.order_by("-created_at", "-id")


def _mood_counts(found: QuerySet, key=None) -> dict:
    """{key: {emotion: count}} from one GROUP BY (key, effective emotion) query."""
    rows = found.order_by()
    rows = rows.annotate(key=key).values("key", "effective") if key is not None else rows.values("effective")
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


def mood_distribution(*, user, period: Period) -> dict:
    counts = _mood_counts(check_ins(user=user, period=period)).get(None, dict.fromkeys(EMOTIONS, 0))
    total = sum(counts.values())
    return {"total": total, "counts": counts, "distribution": _shares(counts, total), "top_emotion": _top(counts)}


def history_first_day(*, user) -> date | None:
    """The local day of the user's first check-in, or None."""
    first = check_ins(user=user).order_by("created_at").values_list("created_at", flat=True).first()
    return timezone.localtime(first).date() if first else None


def mood_daily(*, user, period: Period, bucket: str = "day") -> list[dict]:
    """One entry per local day (or week, or month: its first day) with check-ins, oldest first:
    the mix of moods, the top mood and the count."""
    trunc = TRUNCATE[bucket]("created_at", output_field=DateField(), tzinfo=timezone.get_current_timezone())
    table = _mood_counts(check_ins(user=user, period=period), key=trunc)
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


def mood_by_hour(*, user, period: Period) -> list[dict]:
    """24 entries (local hour of the day): how many check-ins, and their moods."""
    table = _mood_counts(check_ins(user=user, period=period), key=ExtractHour("created_at"))
    hours = []
    for hour in range(24):
        counts = table.get(hour, dict.fromkeys(EMOTIONS, 0))
        hours.append({"hour": hour, "count": sum(counts.values()), "counts": counts, "top_emotion": _top(counts)})
    return hours


def mood_timeline(*, user, period: Period, limit: int = 400) -> tuple[list[dict], int]:
    """The latest `limit` check-ins as (time, mood, confidence) points, oldest first, and how many there are."""
    found = check_ins(user=user, period=period)
    points = list(found.values("id", "created_at", "effective", "top_emotion", "confidence")[:limit])
    points.reverse()
    return points, (len(points) if len(points) < limit else found.order_by().count())


def mood_recap(*, user, period: Period, limit: int = 5) -> dict:
    """ "This week you were mostly …; the songs you liked most" (the last 7 days, and the chosen period)."""
    today = timezone.localdate()
    week = Period(today - timedelta(days=6), today)
    this_week = mood_distribution(user=user, period=week)
    return {
        "week_from": week.date_from,
        "week_to": week.date_to,
        "week_check_ins": this_week["total"],
        "mostly": this_week["top_emotion"],
        "week_distribution": this_week["distribution"],
        "liked_this_week": music_selectors.most_liked(user=user, since=week.start, until=week.end, limit=limit),
        "liked_in_period": music_selectors.most_liked(user=user, since=period.start, until=period.end, limit=limit),
    }


def mood_lifted(*, user, period: Period, limit: int = 5) -> dict:
    """ "What lifted me": after check-ins whose songs aimed to lift or calm, did the next check-in
    (within a day) feel better? Valence per emotion comes from the music app (its circumplex).

    The follow-up of the period's last check-in may lie after the period, so check-ins are read up
    to a day past its end. Two queries (the check-ins, the goals of their latest lists) and one
    pass in Python over pairs of neighbours: the same on every database."""
    found = detection_selectors.check_ins_finished(user=user)
    if period.start:
        found = found.filter(created_at__gte=period.start)
    if period.end:
        found = found.filter(created_at__lt=period.end + FOLLOW_UP_WITHIN)
    rows = list(found.order_by("created_at", "id").values_list("id", "created_at", "effective"))
    goals = detection_selectors.check_in_goals(user=user, since=period.start)
    valence = music_selectors.EMOTION_VALENCE
    pairs = []
    for (check_in_id, at, emotion), (_, next_at, next_emotion) in zip(rows, rows[1:], strict=False):
        if period.end and at >= period.end:
            break
        goal = goals.get(check_in_id)
        if goal in LIFT_GOALS and next_at - at <= FOLLOW_UP_WITHIN:
            change = round(valence[next_emotion] - valence[emotion], 3)
            pairs.append({"check_in": check_in_id, "created_at": at, "emotion": emotion,
                          "next_emotion": next_emotion, "goal": goal, "change": change})  # fmt: skip
    helped = [pair for pair in pairs if pair["change"] > 0]
    return {
        "check_ins": len(pairs),
        "helped": len(helped),
        "same": sum(1 for pair in pairs if pair["change"] == 0),
        "worse": sum(1 for pair in pairs if pair["change"] < 0),
        "average_change": round(sum(p["change"] for p in pairs) / len(pairs), 3) if pairs else None,
        "examples": helped[::-1][:limit],
        "liked_songs": music_selectors.most_liked(
            user=user,
            recommendation_ids=detection_selectors.check_in_list_ids(
                check_in_ids=[pair["check_in"] for pair in helped]
            ),
            limit=limit,
        ),
        # Live sessions too: the songs played before a reading that moved towards the goal.
        "sessions": live_selectors.sessions_lifted(user=user, since=period.start, until=period.end, limit=limit),
    }


def live_sessions(*, user, period: Period, limit: int = 5) -> list[dict]:
    """The period's newest live sessions, each with its path (live.selectors.session_path)."""
    found = live_selectors.session_list(user=user)
    if period.start:
        found = found.filter(started_at__gte=period.start)
    if period.end:
        found = found.filter(started_at__lt=period.end)
    return [{"session": session, **live_selectors.session_path(session)} for session in found[:limit]]


def mood_summary(*, user, period: Period) -> dict:
    """Every aggregate of the history page and API for one period."""
    return {
        "from": period.date_from,
        "to": period.date_to,
        **mood_distribution(user=user, period=period),
        "daily": mood_daily(user=user, period=period),
        "hours": mood_by_hour(user=user, period=period),
        "recap": mood_recap(user=user, period=period),
        "lifted": mood_lifted(user=user, period=period),
    }


def check_ins_with_music(*, user, check_ins: list) -> list:
    """Attach to each check-in its latest list (`.recommendation`) and its songs with the feedback
    given on them (`.songs`: [{rank, song: {id, title, artist}, feedback: [kinds]}]).
    Three queries for a page of check-ins, whatever its length."""
    latest = detection_selectors.check_in_lists(user=user, check_in_ids=[c.pk for c in check_ins])
    rec_ids = [rec.pk for rec in latest.values()]
    songs = music_selectors.list_songs(recommendation_ids=rec_ids)
    kinds = music_selectors.feedback_kinds(user=user, recommendation_ids=rec_ids)
    for check_in in check_ins:
        rec = latest.get(check_in.pk)
        check_in.recommendation = rec
        check_in.songs = [
            {
                "rank": rank,
                "song": {"id": song_id, "title": title, "artist": artist},
                "feedback": kinds.get((rec.pk, song_id), []),
            }
            for rank, song_id, title, artist in (songs.get(rec.pk, []) if rec else [])
        ]
        check_in.feedback_counts = {
            kind: sum(1 for song in check_in.songs if kind in song["feedback"])
            for kind in music_selectors.FEEDBACK_KINDS
        }
    return check_ins


def check_ins_export(*, user, period: Period = Period()) -> list:
    """Every check-in in the period with its music, newest first (for CSV and JSON export)."""
    return check_ins_with_music(user=user, check_ins=list(check_ins(user=user, period=period)))


def check_in_get(*, user, check_in_id: int):
    """One finished check-in of the user with its music, or None (another user's is indistinguishable
    from a missing one)."""
    if not user.is_authenticated:
        return None
    found = check_ins(user=user).filter(pk=check_in_id).first()
    if found is not None:
        check_ins_with_music(user=user, check_ins=[found])
    return found
