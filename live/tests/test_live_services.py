"""Live mode's services against the database: the queue adapts to readings by the recommender's rules."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from live import iso, selectors, services
from live.models import SESSION_LENGTH, LiveReading, LiveSession
from live.tests.factories import failed_check_in, live_session, reading, webcam_check_in
from music.catalog.models import Song
from music.library.models import Recommendation
from music.library.services import listening_event_create
from music.tests.factories import load_starter_catalog


@pytest.fixture
def catalog(db):
    load_starter_catalog()


def songs_of(recommendation) -> list[int]:
    return [item.song_id for item in recommendation.items.order_by("rank")]


def test_live_reading_requeues_the_unplayed_songs_for_the_iso_step_and_never_the_heard_ones(user, catalog):
    session = live_session(user, "sadness", "lift")
    first = songs_of(session.recommendation)
    playing, heard = first[1], first[:1]
    listening_event_create(user=user, song=session.recommendation.items.get(song_id=first[0]).song, kind="played",
                           position=31, recommendation=session.recommendation)  # fmt: skip

    found = reading(session, webcam_check_in(user, "happiness"), playing=Song.objects.get(pk=playing), heard=heard)

    assert found.outcome == "moved"
    queued = songs_of(found.recommendation)
    assert queued and playing not in queued and first[0] not in queued
    # The target is one bounded step from the reading towards lift, and the list was made for it.
    assert iso.distance(found.point, found.target_point) <= iso.MAX_STEP + 1e-3
    # The list was made for the reading, with the session's goal, every rank aiming at the step.
    assert found.recommendation.goal == "lift" and found.recommendation.emotions["happiness"] == pytest.approx(0.7)
    # Each new song's explanation opens with the reading it answers, in local time.
    at = timezone.localtime(found.taken_at).strftime("%H:%M")
    explanation = found.recommendation.items.first().explanation
    assert explanation.startswith(f"you looked happier at {at}, so: a step towards lifting your mood · ")
    assert "songs queued after the one playing" in found.message


def test_live_reading_keeps_one_song_per_artist_and_the_listeners_dislikes_out(user, catalog):
    session = live_session(user, "sadness", "lift")
    found = reading(session, webcam_check_in(user, "happiness"))
    artists = [item.song.artist_key for item in found.recommendation.items.select_related("song")]
    assert len(artists) == len(set(artists))


def test_live_reading_that_changes_nothing_says_so_and_leaves_the_queue(user, catalog):
    session = live_session(user, "sadness", "lift")
    moved = reading(session, webcam_check_in(user, "happiness"))
    same = reading(session, webcam_check_in(user, "happiness"))
    assert moved.outcome == "moved" and same.outcome == "unchanged"
    assert same.recommendation is None and "about the same" in same.message


@pytest.mark.parametrize("make", [lambda u: webcam_check_in(u, "happiness", confidence=0.2), failed_check_in])
def test_live_an_unsure_reading_moves_nothing_and_two_suggest_the_mood_picker(user, catalog, make):
    session = live_session(user)
    first = reading(session, make(user))
    assert first.outcome == "not_sure" and first.recommendation is None and first.message.startswith("Not sure at")
    assert not selectors.suggest_manual(list(session.readings.all()))
    reading(session, make(user))
    assert selectors.suggest_manual(list(session.readings.all()))
    reading(session, webcam_check_in(user, "happiness"))
    assert not selectors.suggest_manual(list(session.readings.all()))


def test_live_the_check_ins_own_list_makes_way_for_the_live_queue(user, catalog):
    session = live_session(user)
    check_in = webcam_check_in(user, "happiness")
    analysis = Recommendation.objects.create(user=user, goal="lift", emotions={"happiness": 1}, seed=1)
    check_in.recommendations.add(analysis)
    found = reading(session, check_in)
    assert list(check_in.recommendations.all()) == [found.recommendation]
    assert not Recommendation.objects.filter(pk=analysis.pk).exists()


def test_live_readings_of_an_ended_session_and_bad_check_ins_are_refused(user, outsider, catalog):
    session = live_session(user)
    early = webcam_check_in(user, created_at=session.started_at - timedelta(minutes=1))
    LiveSession.objects.filter(pk=session.pk).update(started_at=timezone.now() - timedelta(seconds=1))
    session.refresh_from_db()
    with pytest.raises(ValidationError, match="before live mode"):
        reading(session, webcam_check_in(user, created_at=session.started_at - timedelta(seconds=5)))
    with pytest.raises(ValidationError, match="No such check-in"):
        reading(session, webcam_check_in(outsider))
    used = webcam_check_in(user)
    reading(session, used)
    with pytest.raises(ValidationError, match="already a reading"):
        reading(session, used)
    services.session_stop(session=session)
    with pytest.raises(ValidationError, match="has ended"):
        reading(session, webcam_check_in(user))
    assert early.pk and LiveReading.objects.filter(session=session).count() == 1


def test_live_session_runs_an_hour_unless_renewed_and_one_at_a_time(user, catalog):
    first = live_session(user)
    assert first.ends_at - first.started_at == SESSION_LENGTH and first.is_active()
    second = live_session(user)
    first.refresh_from_db()
    assert not first.is_active() and second.is_active()
    LiveSession.objects.filter(pk=second.pk).update(ends_at=timezone.now() + timedelta(minutes=1))
    second.refresh_from_db()
    services.session_renew(session=second)
    assert second.ends_at > timezone.now() + SESSION_LENGTH - timedelta(minutes=1)
    assert not second.is_active(now=second.ends_at)
    services.session_stop(session=second)
    with pytest.raises(ValidationError, match="has ended"):
        services.session_renew(session=second)


def test_live_interval_is_the_listeners_choice_unless_the_setting_says(user, catalog, settings):
    settings.LIVE_INTERVAL_SECONDS = 0
    assert live_session(user).interval_seconds == 300
    assert live_session(user, interval_minutes=2).interval_seconds == 120
    with pytest.raises(ValidationError):
        live_session(user, interval_minutes=1)  # below two minutes only through LIVE_INTERVAL_SECONDS
    settings.LIVE_INTERVAL_SECONDS = 3
    assert live_session(user, interval_minutes=10).interval_seconds == 3


def test_live_session_path_places_songs_after_their_reading_and_tells_the_change(user, catalog):
    session = live_session(user, "sadness", "lift")
    sad = reading(session, webcam_check_in(user, "sadness"))
    song = sad.recommendation.items.first().song
    listening_event_create(user=user, song=song, kind="played", position=40, recommendation=sad.recommendation)
    happy = reading(session, webcam_check_in(user, "happiness"))
    session = selectors.session_get(user=user, session_id=session.pk)
    path = selectors.session_path(session)
    assert [r.pk for r in path["points"]] == [sad.pk, happy.pk]
    assert [(s["song"], s["after_reading"]) for s in path["songs"]] == [(song.pk, sad.pk)]
    assert path["change"]["valence"] > 0 and path["change"]["toward_goal"] is True
    lifted = selectors.sessions_lifted(user=user)
    assert lifted["helped"] == 1 and lifted["songs"][0]["id"] == song.pk
