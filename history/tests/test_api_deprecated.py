"""The deprecated history API (/api/v1/history/, …/sessions/{id}/, …/export/): its old shape, filters,
pagination, bad input and isolation, kept for one version with Deprecation and Link headers."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from detection.models import CheckIn, CheckInFrame
from history.tests.builders import check_in_at
from ml.labels import EMOTIONS
from music.models import Feedback, Rating, Recommendation
from music.tests.factories import SongFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/history/"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def alices(user):
    song = SongFactory(title="Here Comes the Sun", artist="The Beatles")
    other = SongFactory(title="Danger", artist="=HYPERLINK(evil)")
    return [
        check_in_at(
            user,
            utc(2026, 3, 1, 9),
            "sadness",
            confidence=0.7,
            goal="lift",
            songs=[song, other],
            feedback={song: ["like", "played"], other: ["skipped"]},
            stored_image=True,
        ),  # fmt: skip
        check_in_at(user, utc(2026, 3, 1, 12), "happiness", confidence=0.9, corrected="surprise"),
        check_in_at(user, utc(2026, 3, 5, 12), "anger", confidence=0.6),
    ]


def client_for(who) -> APIClient:
    client = APIClient()
    if who is not None:
        client.force_authenticate(who)
    return client


def test_every_old_route_is_marked_deprecated_and_names_its_successor(api, alices):
    routes = {
        URL: "/api/v1/history/summary/",
        f"{URL}sessions/{alices[0].pk}/": f"/api/v1/checkins/{alices[0].pk}/",
        URL + "export/?format=csv": "/api/v1/history/checkins/export/",
    }
    for route, successor in routes.items():
        response = api.get(route)
        assert response.status_code == 200, route
        assert response["Deprecation"].startswith("@")
        assert response["Link"] == f'<{successor}>; rel="successor-version"'


def test_it_answers_the_contract_shape_with_summary_and_sessions(api, alices):
    response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    summary = body["summary"]
    assert set(summary["distribution"]) == set(EMOTIONS)
    assert summary["total"] == 3
    assert summary["counts"]["surprise"] == 1 and summary["counts"]["happiness"] == 0
    assert [d["date"] for d in summary["daily"]] == ["2026-03-01", "2026-03-05"]
    first_day = summary["daily"][0]
    assert set(first_day) >= {"date", "emotions", "top_emotion", "count"}
    assert first_day["count"] == 2 and first_day["emotions"]["sadness"] == 0.5
    assert len(summary["hours"]) == 24
    assert summary["lifted"]["sessions"] == 1 and summary["lifted"]["helped"] == 1
    assert [s["title"] for s in summary["lifted"]["liked_songs"]] == ["Here Comes the Sun"]

    sessions = body["sessions"]
    assert [s["id"] for s in sessions] == [alices[2].pk, alices[1].pk, alices[0].pk]
    corrected = sessions[1]
    assert corrected["top_emotion"] == "happiness"
    assert corrected["corrected_emotion"] == "surprise" and corrected["effective_emotion"] == "surprise"
    with_songs = sessions[2]
    assert with_songs["recommendation"]["goal"] == "lift"
    assert with_songs["songs"][0]["song"]["title"] == "Here Comes the Sun"
    assert with_songs["songs"][0]["feedback"] == ["like", "played"]
    assert with_songs["songs"][1]["feedback"] == ["skipped"]
    assert body["pagination"] == {"count": 3, "page": 1, "pages": 1, "next": None, "previous": None}


def test_dates_limit_the_summary_and_the_sessions(api, alices):
    body = api.get(URL, {"from": "2026-03-02", "to": "2026-03-31"}).json()
    assert body["summary"]["total"] == 1
    assert body["summary"]["from"] == "2026-03-02" and body["summary"]["to"] == "2026-03-31"
    assert [s["id"] for s in body["sessions"]] == [alices[2].pk]


def test_the_emotion_filter_narrows_the_sessions_but_not_the_summary(api, alices):
    body = api.get(URL, {"emotion": "surprise"}).json()
    assert [s["id"] for s in body["sessions"]] == [alices[1].pk]
    assert body["summary"]["total"] == 3
    assert body["pagination"]["count"] == 1


def test_sessions_are_paginated(api, user):
    for day in range(1, 26):
        check_in_at(user, utc(2026, 1, day, 12), "neutral")
    first = api.get(URL).json()
    assert len(first["sessions"]) == 20
    assert first["pagination"]["pages"] == 2 and first["pagination"]["previous"] is None
    second = api.get(first["pagination"]["next"]).json()
    assert len(second["sessions"]) == 5
    assert second["pagination"]["next"] is None and "page=1" in second["pagination"]["previous"]
    assert len(api.get(URL, {"page_size": 10, "page": 3}).json()["sessions"]) == 5
    assert api.get(URL, {"page": 4}).status_code == 404


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "garbage"}, "from"),
        ({"to": "2026-13-45"}, "to"),
        ({"from": "2026-03-05", "to": "2026-03-01"}, "from"),
        ({"emotion": "joy"}, "emotion"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "0001-01-01"}, "from"),
    ],
)
def test_bad_query_parameters_are_a_400_that_names_the_field(api, alices, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_new_user_gets_an_empty_history(api):
    body = api.get(URL).json()
    assert body["summary"]["total"] == 0 and body["summary"]["daily"] == [] and body["sessions"] == []
    assert body["summary"]["recap"]["mostly"] is None


def test_the_csv_export_has_one_row_per_session_with_songs_and_feedback(api, alices):
    response = api.get(URL + "export/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [int(r["id"]) for r in rows] == [s.pk for s in reversed(alices)]
    lifted = rows[2]
    assert lifted["effective_emotion"] == "sadness" and lifted["goal"] == "lift"
    assert lifted["liked"] == "The Beatles – Here Comes the Sun"
    # A title that looks like a formula stays text in a spreadsheet.
    assert lifted["skipped"] == "'=HYPERLINK(evil) – Danger"
    assert rows[1]["corrected_emotion"] == "surprise"
    assert float(rows[0]["anger"]) > 0.5


def test_the_json_export_holds_the_summary_and_every_session(api, alices):
    response = api.get(URL + "export/", {"format": "json", "from": "2026-03-01", "to": "2026-03-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["summary"]["total"] == 2
    assert [s["id"] for s in data["sessions"]] == [alices[1].pk, alices[0].pk]
    assert data["sessions"][1]["songs"][0]["feedback"] == ["like", "played"]


@pytest.mark.parametrize("params", [{"format": "xml"}, {"from": "yesterday"}, {"to": "9999-12-31"}])
def test_a_bad_export_request_is_a_400(api, alices, params):
    assert api.get(URL + "export/", params).status_code == 400


def test_deleting_a_session_removes_it_its_files_and_its_song_list(api, user, alices, on_commit):
    target = alices[0]
    names = list(CheckInFrame.objects.filter(check_in=target).values_list("image", flat=True))
    assert names and default_storage.exists(names[0])
    with on_commit():
        response = api.delete(f"{URL}sessions/{target.pk}/")
    assert response.status_code == 204
    assert not CheckIn.objects.filter(pk=target.pk).exists()
    assert not default_storage.exists(names[0])
    assert not Recommendation.objects.filter(check_in_id=target.pk).exists()
    # Likes are the user's taste, kept on "My likes"; the event no longer points to a list.
    assert Rating.objects.filter(user=user, value=1).count() == 1
    assert Feedback.objects.filter(user=user, recommendation__isnull=True).count() == 3
    assert CheckIn.objects.filter(owner=user).count() == 2
    assert api.get(f"{URL}sessions/{target.pk}/").status_code == 404


def test_deleting_the_whole_history_removes_every_session_and_file(api, user, outsider, alices, on_commit):
    bobs = check_in_at(outsider, utc(2026, 3, 1, 9), "fear", goal="lift", stored_image=True)
    names = list(CheckInFrame.objects.values_list("image", flat=True))
    with on_commit():
        assert api.delete(URL).status_code == 204
    assert not CheckIn.objects.filter(owner=user).exists()
    assert not Recommendation.objects.filter(user=user, check_in_id__isnull=False).exists()
    assert [default_storage.exists(n) for n in names].count(True) == 1
    assert CheckIn.objects.filter(pk=bobs.pk).exists()
    assert api.get(URL).json()["summary"]["total"] == 0


def test_one_session_reads_with_its_songs(api, alices):
    body = api.get(f"{URL}sessions/{alices[0].pk}/").json()
    assert body["effective_emotion"] == "sadness"
    assert body["songs"][0]["feedback"] == ["like", "played"]


def test_an_outsider_sees_none_of_it_and_cannot_delete_it(outsider, alices):
    client = client_for(outsider)
    body = client.get(URL).json()
    assert body["summary"]["total"] == 0 and body["sessions"] == []
    assert client.get(f"{URL}sessions/{alices[0].pk}/").status_code == 404
    assert client.delete(f"{URL}sessions/{alices[0].pk}/").status_code == 404
    export = client.get(URL + "export/", {"format": "csv"}).content.decode()
    assert len(export.strip().splitlines()) == 1  # the header only
    assert client.delete(URL).status_code == 204  # deletes the outsider's own (empty) history
    assert CheckIn.objects.filter(pk__in=[s.pk for s in alices]).count() == 3


def test_anonymous_gets_nothing(alices):
    client = client_for(None)
    for route in (URL, URL + "export/?format=csv", f"{URL}sessions/{alices[0].pk}/"):
        response = client.get(route)
        assert response.status_code in (401, 403), route
        assert b"sadness" not in response.content
    assert client.delete(URL).status_code in (401, 403)
    assert client.delete(f"{URL}sessions/{alices[0].pk}/").status_code in (401, 403)
    assert CheckIn.objects.count() == 3


def test_the_history_routes_are_in_the_openapi_schema(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    assert {"get", "delete"} <= set(schema["paths"]["/api/v1/history/"])
    assert "get" in schema["paths"]["/api/v1/history/export/"]
    assert {"get", "delete"} <= set(schema["paths"]["/api/v1/history/sessions/{session_id}/"])
    summary = schema["components"]["schemas"]["HistorySummary"]["properties"]
    assert {"distribution", "daily", "from", "to", "recap", "lifted"} <= set(summary)
    assert set(schema["components"]["schemas"]["HistoryEmotionShares"]["properties"]) == set(EMOTIONS)
    params = {p["name"] for p in schema["paths"]["/api/v1/history/"]["get"]["parameters"]}
    assert {"from", "to", "emotion", "page"} <= params
