"""Mood history aggregates on hand-built data: corrections, local days and hours, periods, recap, "what lifted me"."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from detection import history
from detection.models import CheckIn
from detection.tests.factories import CheckInFactory
from detection.tests.history_builders import session
from music.tests.factories import SongFactory

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_distribution_counts_the_correction_instead_of_the_detected_mood(user):
    session(user, utc(2026, 3, 1, 12), "happiness")
    session(user, utc(2026, 3, 2, 12), "happiness", corrected="sadness")
    session(user, utc(2026, 3, 3, 12), "anger")
    CheckInFactory(owner=user, failed=True)
    CheckInFactory(owner=user)  # still queued: not a session yet

    result = history.mood_distribution(user=user, period=history.HistoryRange())

    assert result["total"] == 3
    assert result["counts"] == {**dict.fromkeys(history.EMOTIONS, 0), "happiness": 1, "sadness": 1, "anger": 1}
    assert result["distribution"]["sadness"] == pytest.approx(1 / 3, abs=1e-4)
    assert sum(result["distribution"].values()) == pytest.approx(1, abs=1e-3)
    # A three-way tie goes to the earliest name in the project order.
    assert result["top_emotion"] == "happiness"


def test_an_empty_period_has_zero_shares_and_no_top_mood(user):
    result = history.mood_distribution(user=user, period=history.HistoryRange())
    assert result["total"] == 0
    assert set(result["distribution"].values()) == {0.0}
    assert result["top_emotion"] is None


def test_days_and_hours_are_local_to_the_current_time_zone(user, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    # 23:30 UTC on 10 March is 00:30 on 11 March in Berlin (UTC+1 in winter).
    session(user, utc(2026, 3, 10, 23, 30), "sadness")
    session(user, utc(2026, 3, 11, 9, 0), "happiness")
    session(user, utc(2026, 3, 11, 10, 0), "happiness")

    with timezone.override("Europe/Berlin"):
        daily = history.mood_daily(user=user, period=history.HistoryRange())
        hours = history.mood_by_hour(user=user, period=history.HistoryRange())

    assert [(d["date"], d["count"], d["top_emotion"]) for d in daily] == [(date(2026, 3, 11), 3, "happiness")]
    assert daily[0]["counts"]["sadness"] == 1
    assert daily[0]["emotions"]["happiness"] == pytest.approx(2 / 3, abs=1e-4)
    assert len(hours) == 24
    assert hours[0]["count"] == 1 and hours[0]["top_emotion"] == "sadness"
    assert hours[10]["count"] == 1 and hours[11]["count"] == 1
    assert sum(h["count"] for h in hours) == 3


def test_a_period_includes_its_first_and_last_local_day_whole(user):
    with timezone.override("Europe/Berlin"):
        inside_first = session(user, utc(2026, 3, 9, 23, 30), "fear")  # 10 March, 00:30 in Berlin
        inside_last = session(user, utc(2026, 3, 12, 22, 59), "anger")  # 12 March, 23:59
        session(user, utc(2026, 3, 9, 22, 30), "neutral")  # 9 March, 23:30: before
        session(user, utc(2026, 3, 12, 23, 0), "neutral")  # 13 March, 00:00: after
        period = history.HistoryRange(date(2026, 3, 10), date(2026, 3, 12))
        found = set(history.history_sessions(user=user, period=period).values_list("pk", flat=True))
    assert found == {inside_first.pk, inside_last.pk}


def test_the_emotion_filter_uses_the_effective_mood(user):
    corrected = session(user, utc(2026, 3, 1, 12), "happiness", corrected="fear")
    session(user, utc(2026, 3, 2, 12), "happiness")
    found = list(history.history_sessions(user=user, emotion="fear"))
    assert found == [corrected]
    assert found[0].effective == "fear"


def test_another_users_sessions_never_count(user, outsider):
    session(outsider, utc(2026, 3, 1, 12), "anger")
    session(user, utc(2026, 3, 1, 12), "happiness")
    summary = history.mood_summary(user=user, period=history.HistoryRange())
    assert summary["total"] == 1
    assert summary["counts"]["anger"] == 0


def test_the_recap_names_this_weeks_main_mood_and_most_liked_songs(user):
    now = timezone.now()
    favourite, other = SongFactory(title="Favourite"), SongFactory(title="Other")
    session(user, now - timedelta(days=1), "sadness", goal="match", songs=[favourite, other],
            feedback={favourite: ["like"], other: ["like"]})  # fmt: skip
    session(user, now - timedelta(days=2), "sadness", goal="match", songs=[favourite], feedback={favourite: ["like"]})
    session(user, now - timedelta(days=3), "happiness")
    session(user, now - timedelta(days=20), "anger")  # before this week

    recap = history.mood_recap(user=user, period=history.HistoryRange())

    assert recap["mostly"] == "sadness"
    assert recap["week_sessions"] == 3
    assert [(s["title"], s["likes"]) for s in recap["liked_this_week"]] == [("Favourite", 2), ("Other", 1)]


def test_what_lifted_me_compares_the_next_sessions_valence(user):
    helpful, neutral_song = SongFactory(title="Helpful"), SongFactory(title="Meh")
    base = utc(2026, 3, 1, 9)
    # sadness (valence -0.7) with a lift goal, followed 3 hours later by happiness (0.8): helped.
    lifted = session(user, base, "sadness", goal="lift", songs=[helpful, neutral_song],
                     feedback={helpful: ["like", "played"], neutral_song: ["skipped"]})  # fmt: skip
    session(user, base + timedelta(hours=3), "happiness", goal="calm")
    # happiness with a calm goal, followed by anger the next morning: worse.
    session(user, base + timedelta(hours=20), "anger", goal="match")
    # A lift goal with a follow-up only two days later: no follow-up, not counted.
    session(user, base + timedelta(days=5), "sadness", goal="lift")
    session(user, base + timedelta(days=7), "happiness")
    # A match goal is not about changing the mood: not counted even with a follow-up.
    session(user, base + timedelta(days=10), "sadness", goal="match")
    session(user, base + timedelta(days=10, hours=1), "happiness")

    lifted_summary = history.mood_lifted(user=user, period=history.HistoryRange())

    assert lifted_summary["sessions"] == 2
    assert lifted_summary["helped"] == 1
    assert lifted_summary["worse"] == 1
    assert lifted_summary["same"] == 0
    assert [e["session"] for e in lifted_summary["examples"]] == [lifted.pk]
    assert lifted_summary["examples"][0]["change"] == pytest.approx(1.5)
    assert [s["title"] for s in lifted_summary["liked_songs"]] == ["Helpful"]


def test_what_lifted_me_finds_a_follow_up_just_after_the_period(user):
    base = utc(2026, 3, 1, 22)
    session(user, base, "fear", goal="lift")
    session(user, base + timedelta(hours=3), "neutral")  # the next day, outside the period
    period = history.HistoryRange(date(2026, 3, 1), date(2026, 3, 1))
    with timezone.override("UTC"):
        result = history.mood_lifted(user=user, period=period)
    assert result["sessions"] == 1 and result["helped"] == 1


def test_sessions_come_with_their_latest_song_list_and_feedback_in_a_fixed_number_of_queries(
    user, django_assert_max_num_queries
):
    song = SongFactory()
    sessions = [
        session(user, utc(2026, 3, day, 12), "sadness", goal="lift", songs=[song, SongFactory()],
                feedback={song: ["played", "like"]})
        for day in range(1, 16)
    ]  # fmt: skip
    corrected = sessions[0]
    session_rec = history.Recommendation.objects.create(
        user=user, check_in_id=corrected.pk, goal="calm", emotions={"fear": 1.0}, seed=2
    )
    history.RecommendationItem.objects.create(recommendation=session_rec, rank=1, song=song, score=1, explanation="x")

    page = list(history.history_sessions(user=user))
    with django_assert_max_num_queries(4):
        history.sessions_with_music(user=user, sessions=page)

    by_id = {s.pk: s for s in page}
    assert by_id[sessions[1].pk].songs[0]["feedback"] == ["played", "like"]
    assert by_id[sessions[1].pk].feedback_counts["like"] == 1
    # After a correction a new list is made: the session shows the latest one.
    assert by_id[corrected.pk].recommendation.goal == "calm"
    assert len(by_id[corrected.pk].songs) == 1


def test_the_timeline_keeps_the_latest_sessions_oldest_first(user):
    for day in range(1, 6):
        session(user, utc(2026, 3, day, 12), "happiness", confidence=day / 10)
    points, total = history.mood_timeline(user=user, period=history.HistoryRange(), limit=3)
    assert total == 5
    assert [p["confidence"] for p in points] == [0.3, 0.4, 0.5]
    assert CheckIn.objects.count() == 5
