"""Live sessions in "export my data", "delete my account" and "delete my whole history"."""

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD
from live.models import LiveReading, LiveSession
from live.tests.factories import live_session, reading, webcam_check_in
from music.tests.factories import load_starter_catalog


@pytest.fixture
def sessions(user, outsider):
    load_starter_catalog()
    mine = live_session(user, "sadness", "lift")
    reading(mine, webcam_check_in(user, "happiness"))
    theirs = live_session(outsider)
    reading(theirs, webcam_check_in(outsider, "anger"))
    return mine, theirs


def test_live_export_holds_the_users_sessions_with_their_readings(api, sessions):
    mine, theirs = sessions
    body = api.get(reverse("api-v1:me-export")).json()
    exported = body["live"]
    assert [s["id"] for s in exported] == [mine.pk]
    assert exported[0]["goal"] == "lift" and exported[0]["readings"][0]["outcome"] == "moved"
    assert exported[0]["readings"][0]["emotions"]["happiness"] == pytest.approx(0.7)


def test_live_deleting_the_account_deletes_its_sessions_only(api, user, sessions):
    mine, theirs = sessions
    assert api.delete(reverse("api-v1:me"), {"password": PASSWORD}, format="json").status_code == 204
    assert list(LiveSession.objects.all()) == [theirs]
    assert list(LiveReading.objects.values_list("session", flat=True)) == [theirs.pk]


def test_live_deleting_the_whole_history_deletes_the_sessions_too(api, user, sessions):
    mine, theirs = sessions
    assert api.delete(reverse("api-v1:history-check-ins")).status_code == 204
    assert list(LiveSession.objects.all()) == [theirs]
    assert LiveReading.objects.filter(session__owner=user).count() == 0


def test_live_deleting_one_session_keeps_its_check_ins(api, user, sessions):
    mine, _ = sessions
    check_in = mine.readings.get().check_in
    assert api.delete(reverse("api-v1:live-session-detail", args=[mine.pk])).status_code == 204
    check_in.refresh_from_db()
    assert not LiveSession.objects.filter(pk=mine.pk).exists()
