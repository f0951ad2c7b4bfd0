"""Live mode's API: sessions and readings for their owner only, bad input as a 4xx with a message."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from live.models import LiveReading, LiveSession
from live.tests.factories import live_session, webcam_check_in
from music.recommendation.services import recommendation_create
from music.tests.factories import load_starter_catalog


@pytest.fixture
def catalog(db):
    load_starter_catalog()


@pytest.fixture
def session(user, catalog):
    return live_session(user, "sadness", "lift")


def sessions_url():
    return reverse("api-v1:live-session-list")


def session_url(session, action=""):
    name = {"": "live-session-detail", "stop": "live-session-stop", "renew": "live-session-renew",
            "readings": "live-reading-list"}[action]  # fmt: skip
    return reverse(f"api-v1:{name}", args=[session.pk])


def client_for(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_live_owner_starts_a_session_on_their_list(api, user, catalog):
    start = recommendation_create(user=user, emotions={"sadness": 1.0}, goal="calm", seed=1)
    response = api.post(sessions_url(), {"recommendation": start.pk, "interval_minutes": 2}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["goal"] == user.goal and body["interval_minutes"] == 2 and body["interval_seconds"] == 120
    assert body["active"] is True and body["readings"] == [] and body["recommendation"] == start.pk
    assert api.get(sessions_url()).json()["count"] == 1


def test_live_reading_adapts_the_queue_and_the_session_shows_it(api, user, session):
    check_in = webcam_check_in(user, "happiness")
    playing = session.recommendation.items.first().song_id
    response = api.post(
        session_url(session, "readings"), {"check_in": check_in.pk, "playing": playing, "heard": [playing]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["outcome"] == "moved" and body["sure"] is True and body["suggest_manual"] is False
    queued = [item["song"]["id"] for item in body["queue"]["items"]]
    assert queued and playing not in queued
    assert body["queue"]["items"][0]["explanation"].startswith("you looked happier at ")
    detail = api.get(session_url(session)).json()
    assert [r["id"] for r in detail["readings"]] == [body["id"]]
    assert detail["change"]["start"]["valence"] == body["valence"]
    assert api.get(session_url(session, "readings")).json()["count"] == 1


def test_live_stop_and_renew(api, session):
    assert api.post(session_url(session, "renew")).status_code == 200
    stopped = api.post(session_url(session, "stop"))
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    assert api.post(session_url(session, "stop")).status_code == 200  # again: nothing changes
    refused = api.post(session_url(session, "renew"))
    assert refused.status_code == 400 and "has ended" in refused.json()["errors"][0]["detail"]


def test_live_outsider_gets_404_for_every_route_of_anothers_session(outsider, user, session):
    outsider_api = client_for(outsider)
    check_in = webcam_check_in(outsider)
    for action in ("", "stop", "renew"):
        method = outsider_api.get if action == "" else outsider_api.post
        assert method(session_url(session, action)).status_code == 404
    assert outsider_api.get(session_url(session, "readings")).status_code == 404
    # A reading for another user's session is a 404, even with the outsider's own check-in.
    response = outsider_api.post(session_url(session, "readings"), {"check_in": check_in.pk}, format="json")
    assert response.status_code == 404
    assert outsider_api.delete(session_url(session)).status_code == 404
    assert outsider_api.get(sessions_url()).json()["count"] == 0
    assert LiveSession.objects.filter(pk=session.pk, ended_at__isnull=True).exists()
    assert not LiveReading.objects.exists()


def test_live_anonymous_callers_are_refused(api_client, session):
    assert api_client.get(sessions_url()).status_code == 401
    assert (
        api_client.post(sessions_url(), {"recommendation": session.recommendation_id}, format="json").status_code == 401
    )
    assert api_client.get(session_url(session)).status_code == 401
    assert api_client.post(session_url(session, "readings"), {"check_in": 1}, format="json").status_code == 401


def test_live_without_consent_no_session_starts_and_no_reading_is_taken(db, catalog):
    person = UserFactory(consented=False)
    start = recommendation_create(user=person, emotions={"sadness": 1.0}, seed=1)
    response = client_for(person).post(sessions_url(), {"recommendation": start.pk}, format="json")
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "consent_required"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "recommendation"),
        ({"recommendation": "x"}, "recommendation"),
        ({"recommendation": 999999}, "recommendation"),
        ({"recommendation": 1, "interval_minutes": 1}, "interval_minutes"),
        ({"recommendation": 1, "goal": "party"}, "goal"),
        ({"recommendation": 1, "colour": "red"}, "colour"),
    ],
)
def test_live_bad_session_input_is_a_400_naming_the_field(api, catalog, body, field):
    response = api.post(sessions_url(), body, format="json")
    assert response.status_code == 400
    assert field in {error["attr"] for error in response.json()["errors"]}
    assert not LiveSession.objects.exists()


def test_live_anothers_list_cannot_start_a_session(api, outsider, catalog):
    theirs = recommendation_create(user=outsider, emotions={"sadness": 1.0}, seed=1)
    response = api.post(sessions_url(), {"recommendation": theirs.pk}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "recommendation"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"check_in": "one"},
        {"check_in": 999999},
        {"check_in": "OUTSIDER"},
        {"check_in": "UNFINISHED"},
        {"check_in": "MINE", "playing": 999999},
        {"check_in": "MINE", "heard": ["a"]},
        {"check_in": "MINE", "heard": list(range(1, 202))},
        {"check_in": "MINE", "volume": 11},
    ],
)
def test_live_bad_reading_input_is_a_400_and_records_nothing(api, user, outsider, session, body):
    ids = {
        "OUTSIDER": webcam_check_in(outsider).pk,
        "UNFINISHED": webcam_check_in(user, status="queued", emotions=None, top_emotion="", confidence=None).pk,
        "MINE": webcam_check_in(user).pk,
    }
    body = {key: ids.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    response = api.post(session_url(session, "readings"), body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][0]["detail"]
    assert not LiveReading.objects.exists()


def test_live_reading_for_an_ended_session_is_a_400(api, user, session):
    api.post(session_url(session, "stop"))
    response = api.post(session_url(session, "readings"), {"check_in": webcam_check_in(user).pk}, format="json")
    assert response.status_code == 400 and "has ended" in response.json()["errors"][0]["detail"]
