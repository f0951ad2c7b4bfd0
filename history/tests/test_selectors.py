"""Mood history aggregates on hand-built data: corrections, local days and hours, periods, recap, "what lifted me"."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from detection.models import CheckIn
from detection.tests.factories import CheckInFactory
from history import selectors
from history.tests.builders import check_in_at
from ml.labels import EMOTIONS
from music.models import Recommendation, RecommendationItem
from music.tests.factories import SongFactory

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_distribution_counts_the_correction_instead_of_the_detected_mood(user):
    check_in_at(user, utc(2026, 3, 1, 12), "happiness")
    check_in_at(user, utc(2026, 3, 2, 12), "happiness", corrected="sadness")
    check_in_at(user, utc(2026, 3, 3, 12), "anger")
    CheckInFactory(owner=user, failed=True)
    CheckInFactory(owner=user)  # still queued: not finished yet

    result = selectors.mood_distribution(user=user, period=selectors.Period())

    assert result["total"] == 3
    assert result["counts"] == {**dict.fromkeys(EMOTIONS, 0), "happiness": 1, "sadness": 1, "anger": 1}
    assert result["distribution"]["sadness"] == pytest.approx(1 / 3, abs=1e-4)
    assert sum(result["distribution"].values()) == pytest.approx(1, abs=1e-3)
    # A three-way tie goes to the earliest name in the project order.
    assert result["top_emotion"] == "happiness"


def test_an_empty_period_has_zero_shares_and_no_top_mood(user):
    result = selectors.mood_distribution(user=user, period=selectors.Period())
    assert result["total"] == 0
    assert set(result["distribution"].values()) == {0.0}
    assert result["top_emotion"] is None


def test_days_and_hours_are_local_to_the_current_time_zone(user, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    # 23:30 UTC on 10 March is 00:30 on 11 March in Berlin (UTC+1 in winter).
    check_in_at(user, utc(2026, 3, 10, 23, 30), "sadness")
    check_in_at(user, utc(2026, 3, 11, 9, 0), "happiness")
    check_in_at(user, utc(2026, 3, 11, 10, 0), "happiness")

    with timezone.override("Europe/Berlin"):
        daily = selectors.mood_daily(user=user, period=selectors.Period())
        hours = selectors.mood_by_hour(user=user, period=selectors.Period())

    assert [(d["date"], d["count"], d["top_emotion"]) for d in daily] == [(date(2026, 3, 11), 3, "happiness")]
    assert daily[0]["counts"]["sadness"] == 1
    assert daily[0]["emotions"]["happiness"] == pytest.approx(2 / 3, abs=1e-4)
    assert len(hours) == 24
    assert hours[0]["count"] == 1 and hours[0]["top_emotion"] == "sadness"
    assert hours[10]["count"] == 1 and hours[11]["count"] == 1
    assert sum(h["count"] for h in hours) == 3


def test_a_period_includes_its_first_and_last_local_day_whole(user):
    with timezone.override("Europe/Berlin"):
        inside_first = check_in_at(user, utc(2026, 3, 9, 23, 30), "fear")  # 10 March, 00:30 in Berlin
        inside_last = check_in_at(user, utc(2026, 3, 12, 22, 59), "anger")  # 12 March, 23:59
        check_in_at(user, utc(2026, 3, 9, 22, 30), "neutral")  # 9 March, 23:30: before
        check_in_at(user, utc(2026, 3, 12, 23, 0), "neutral")  # 13 March, 00:00: after
        period = selectors.Period(date(2026, 3, 10), date(2026, 3, 12))
        found = set(selectors.check_ins(user=user, period=period).values_list("pk", flat=True))
    assert found == {inside_first.pk, inside_last.pk}


def test_the_emotion_filter_uses_the_effective_mood(user):
    corrected = check_in_at(user, utc(2026, 3, 1, 12), "happiness", corrected="fear")
    check_in_at(user, utc(2026, 3, 2, 12), "happiness")
    found = list(selectors.check_ins(user=user, emotion="fear"))
    assert found == [corrected]
    assert found[0].effective == "fear"


def test_another_users_check_ins_never_count(user, outsider):
    check_in_at(outsider, utc(2026, 3, 1, 12), "anger")
    check_in_at(user, utc(2026, 3, 1, 12), "happiness")
    summary = selectors.mood_summary(user=user, period=selectors.Period())
    assert summary["total"] == 1
    assert summary["counts"]["anger"] == 0


def test_the_recap_names_this_weeks_main_mood_and_most_liked_songs(user):
    now = timezone.now()
    favourite, other = SongFactory(title="Favourite"), SongFactory(title="Other")
    check_in_at(user, now - timedelta(days=1), "sadness", goal="match", songs=[favourite, other],
            feedback={favourite: ["like"], other: ["like"]})  # fmt: skip
    check_in_at(
        user, now - timedelta(days=2), "sadness", goal="match", songs=[favourite], feedback={favourite: ["like"]}
    )
    check_in_at(user, now - timedelta(days=3), "happiness")
    check_in_at(user, now - timedelta(days=20), "anger")  # before this week

    recap = selectors.mood_recap(user=user, period=selectors.Period())

    assert recap["mostly"] == "sadness"
    assert recap["week_check_ins"] == 3
    assert [(s["title"], s["likes"]) for s in recap["liked_this_week"]] == [("Favourite", 2), ("Other", 1)]


def test_what_lifted_me_compares_the_next_check_ins_valence(user):
    helpful, neutral_song = SongFactory(title="Helpful"), SongFactory(title="Meh")
    base = utc(2026, 3, 1, 9)
    # sadness (valence -0.7) with a lift goal, followed 3 hours later by happiness (0.8): helped.
    lifted = check_in_at(user, base, "sadness", goal="lift", songs=[helpful, neutral_song],
                     feedback={helpful: ["like", "played"], neutral_song: ["skipped"]})  # fmt: skip
    check_in_at(user, base + timedelta(hours=3), "happiness", goal="calm")
    # happiness with a calm goal, followed by anger the next morning: worse.
    check_in_at(user, base + timedelta(hours=20), "anger", goal="match")
    # A lift goal with a follow-up only two days later: no follow-up, not counted.
    check_in_at(user, base + timedelta(days=5), "sadness", goal="lift")
    check_in_at(user, base + timedelta(days=7), "happiness")
    # A match goal is not about changing the mood: not counted even with a follow-up.
    check_in_at(user, base + timedelta(days=10), "sadness", goal="match")
    check_in_at(user, base + timedelta(days=10, hours=1), "happiness")

    lifted_summary = selectors.mood_lifted(user=user, period=selectors.Period())

    assert lifted_summary["check_ins"] == 2
    assert lifted_summary["helped"] == 1
    assert lifted_summary["worse"] == 1
    assert lifted_summary["same"] == 0
    assert [e["check_in"] for e in lifted_summary["examples"]] == [lifted.pk]
    assert lifted_summary["examples"][0]["change"] == pytest.approx(1.5)
    assert [s["title"] for s in lifted_summary["liked_songs"]] == ["Helpful"]


def test_what_lifted_me_finds_a_follow_up_just_after_the_period(user):
    base = utc(2026, 3, 1, 22)
    check_in_at(user, base, "fear", goal="lift")
    check_in_at(user, base + timedelta(hours=3), "neutral")  # the next day, outside the period
    period = selectors.Period(date(2026, 3, 1), date(2026, 3, 1))
    with timezone.override("UTC"):
        result = selectors.mood_lifted(user=user, period=period)
    assert result["check_ins"] == 1 and result["helped"] == 1


def test_check_ins_come_with_their_latest_song_list_and_feedback_in_a_fixed_number_of_queries(
    user, django_assert_max_num_queries
):
    song = SongFactory()
    check_ins = [
        check_in_at(user, utc(2026, 3, day, 12), "sadness", goal="lift", songs=[song, SongFactory()],
                feedback={song: ["played", "like"]})
        for day in range(1, 16)
    ]  # fmt: skip
    corrected = check_ins[0]
    list_rec = Recommendation.objects.create(user=user, goal="calm", emotions={"fear": 1.0}, seed=2)
    corrected.recommendations.add(list_rec)
    RecommendationItem.objects.create(recommendation=list_rec, rank=1, song=song, score=1, explanation="x")

    page = list(selectors.check_ins(user=user))
    with django_assert_max_num_queries(4):
        selectors.check_ins_with_music(user=user, check_ins=page)

    by_id = {s.pk: s for s in page}
    assert by_id[check_ins[1].pk].songs[0]["feedback"] == ["played", "like"]
    assert by_id[check_ins[1].pk].feedback_counts["like"] == 1
    # After a correction a new list is made: the check-in shows the latest one.
    assert by_id[corrected.pk].recommendation.goal == "calm"
    assert len(by_id[corrected.pk].songs) == 1


def test_the_timeline_keeps_the_latest_check_ins_oldest_first(user):
    for day in range(1, 6):
        check_in_at(user, utc(2026, 3, day, 12), "happiness", confidence=day / 10)
    points, total = selectors.mood_timeline(user=user, period=selectors.Period(), limit=3)
    assert total == 5
    assert [p["confidence"] for p in points] == [0.3, 0.4, 0.5]
    assert CheckIn.objects.count() == 5
