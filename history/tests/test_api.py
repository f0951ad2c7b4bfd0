"""The mood history API: summary, check-ins (DRF pages, fixed queries), export, delete; bad input; isolation."""

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
from music.models import Recommendation
from music.tests.factories import SongFactory
from tests.errors import errors

pytestmark = pytest.mark.django_db
SUMMARY, CHECK_INS, EXPORT = "/api/v1/history/summary/", "/api/v1/history/checkins/", "/api/v1/history/checkins/export/"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def mine(user):
    song = SongFactory(title="Here Comes the Sun", artist="The Beatles")
    other = SongFactory(title="Danger", artist="=HYPERLINK(evil)")
    return [
        check_in_at(user, utc(2026, 3, 1, 9), "sadness", confidence=0.7, goal="lift", songs=[song, other],
                    feedback={song: ["like", "played"], other: ["skipped"]}, stored_image=True),
        check_in_at(user, utc(2026, 3, 1, 12), "happiness", confidence=0.9, corrected="surprise"),
        check_in_at(user, utc(2026, 3, 5, 12), "anger", confidence=0.6),
    ]  # fmt: skip


def test_the_summary_speaks_of_check_ins(api, mine):
    response = api.get(SUMMARY)
    assert response.status_code == 200
    summary = response.json()
    assert summary["total"] == 3 and set(summary["distribution"]) == set(EMOTIONS)
    assert summary["counts"]["surprise"] == 1 and summary["counts"]["happiness"] == 0
    assert [d["date"] for d in summary["daily"]] == ["2026-03-01", "2026-03-05"]
    assert len(summary["hours"]) == 24
    assert {"week_check_ins", "mostly"} <= set(summary["recap"])
    lifted = summary["lifted"]
    assert lifted["check_ins"] == 1 and lifted["helped"] == 1
    assert [e["check_in"] for e in lifted["examples"]] == [mine[0].pk]
    assert [s["title"] for s in lifted["liked_songs"]] == ["Here Comes the Sun"]
    assert api.get(SUMMARY, {"from": "2026-03-02"}).json()["total"] == 1


def test_check_ins_come_in_drf_pages_newest_first_with_songs_and_feedback(api, mine):
    body = api.get(CHECK_INS).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3 and [c["id"] for c in body["results"]] == [c.pk for c in reversed(mine)]
    corrected, with_songs = body["results"][1], body["results"][2]
    assert corrected["effective_emotion"] == "surprise" and corrected["corrected_emotion"] == "surprise"
    assert with_songs["url"] == f"/api/v1/checkins/{mine[0].pk}/"
    assert with_songs["recommendation"]["goal"] == "lift"
    assert [s["feedback"] for s in with_songs["songs"]] == [["like", "played"], ["skipped"]]
    assert [c["id"] for c in api.get(CHECK_INS, {"emotion": "surprise"}).json()["results"]] == [mine[1].pk]


def test_pages_follow_page_and_page_size(api, user):
    for day in range(1, 26):
        check_in_at(user, utc(2026, 1, day, 12), "neutral")
    first = api.get(CHECK_INS).json()
    assert len(first["results"]) == 20 and first["previous"] is None
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    assert len(api.get(CHECK_INS, {"page_size": 10, "page": 3}).json()["results"]) == 5
    assert api.get(CHECK_INS, {"page": 4}).status_code == 404


def test_the_list_costs_the_same_queries_for_two_check_ins_as_for_twenty(api, user, django_assert_num_queries):
    song = SongFactory()
    for day in range(1, 3):
        check_in_at(user, utc(2026, 3, day, 12), "sadness", goal="lift", songs=[song, SongFactory()],
                    feedback={song: ["played", "like"]})  # fmt: skip
    # auth is forced: count, page, latest lists, their songs, their feedback.
    with django_assert_num_queries(5):
        assert len(api.get(CHECK_INS).json()["results"]) == 2
    for day in range(3, 21):
        check_in_at(user, utc(2026, 3, day, 12), "sadness", goal="lift", songs=[song, SongFactory()],
                    feedback={song: ["played", "like"]})  # fmt: skip
    with django_assert_num_queries(5):
        assert len(api.get(CHECK_INS).json()["results"]) == 20


@pytest.mark.parametrize(
    "params, field",
    [({"from": "garbage"}, "from"), ({"from": "2026-03-05", "to": "2026-03-01"}, "from"), ({"emotion": "joy"}, "emotion"),
     ({"page": "0"}, "page"), ({"page_size": "1000"}, "page_size"), ({"to": "9999-12-31"}, "to")],
)  # fmt: skip
def test_bad_filters_are_a_400_that_names_the_field(api, mine, params, field):
    response = api.get(CHECK_INS, params)
    assert response.status_code == 400 and field in errors(response)
    if field in ("from", "to"):
        assert api.get(SUMMARY, params).status_code == 400


def test_the_export_is_csv_or_json_and_keeps_formulas_as_text(api, mine):
    rows = list(csv.DictReader(io.StringIO(api.get(EXPORT, {"format": "csv"}).content.decode())))
    assert [int(r["id"]) for r in rows] == [c.pk for c in reversed(mine)]
    assert rows[2]["liked"] == "The Beatles – Here Comes the Sun" and rows[2]["skipped"] == "'=HYPERLINK(evil) – Danger"
    response = api.get(EXPORT, {"format": "json", "from": "2026-03-01", "to": "2026-03-01"})
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["summary"]["total"] == 2 and [c["id"] for c in data["check_ins"]] == [mine[1].pk, mine[0].pk]
    assert api.get(EXPORT, {"format": "xml"}).status_code == 400


def test_deleting_the_history_removes_every_check_in_file_and_list_of_mine_only(api, user, outsider, mine, on_commit):
    theirs = check_in_at(outsider, utc(2026, 3, 1, 9), "fear", goal="lift", stored_image=True)
    names = list(CheckInFrame.objects.values_list("image", flat=True))
    with on_commit():
        assert api.delete(CHECK_INS).status_code == 204
    assert not CheckIn.objects.filter(owner=user).exists()
    assert not Recommendation.objects.filter(user=user).exists()  # every list of theirs was a check-in's
    assert [default_storage.exists(n) for n in names].count(True) == 1
    assert CheckIn.objects.filter(pk=theirs.pk).exists()


def test_deleting_a_period_removes_only_its_check_ins_of_mine(api, user, outsider, mine, on_commit):
    theirs = check_in_at(outsider, utc(2026, 3, 1, 10), "fear")
    name = CheckInFrame.objects.get(check_in=mine[0]).image.name
    with on_commit():
        assert api.delete(f"{CHECK_INS}?from=2026-03-01&to=2026-03-01").status_code == 204
    assert list(CheckIn.objects.filter(owner=user)) == [mine[2]]
    assert not default_storage.exists(name)
    assert CheckIn.objects.filter(pk=theirs.pk).exists()
    response = api.delete(f"{CHECK_INS}?from=2026-03-09&to=2026-03-01")
    assert response.status_code == 400 and errors(response)
    assert CheckIn.objects.filter(owner=user).count() == 1


def test_an_outsider_and_anonymous_see_none_of_it(outsider, mine):
    client = APIClient()
    client.force_authenticate(outsider)
    assert client.get(SUMMARY).json()["total"] == 0
    assert client.get(CHECK_INS).json()["results"] == []
    assert len(client.get(EXPORT, {"format": "csv"}).content.decode().strip().splitlines()) == 1
    anonymous = APIClient()
    for route in (SUMMARY, CHECK_INS, EXPORT):
        response = anonymous.get(route)
        assert response.status_code in (401, 403) and b"sadness" not in response.content
    assert anonymous.delete(CHECK_INS).status_code in (401, 403)
    assert CheckIn.objects.count() == 3


def test_the_routes_are_in_the_schema_with_their_filters(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "deprecated" not in paths[SUMMARY]["get"] and {"get", "delete"} <= set(paths[CHECK_INS])
    assert "get" in paths[EXPORT]
    assert "/api/v1/history/" not in paths  # the pre-rename routes are gone (docs/api.md, Changelog)
    recap = schema["components"]["schemas"]["HistoryRecap"]["properties"]
    assert "week_check_ins" in recap and "week_sessions" not in recap
    params = {p["name"] for p in paths[CHECK_INS]["get"]["parameters"]}
    assert {"from", "to", "emotion", "page", "page_size"} <= params


@pytest.mark.parametrize("query", [{"to": ""}, {"from": ""}, {"from": "1899-12-31"}, {"to": "3000-01-01"}])
def test_an_empty_or_out_of_range_date_is_a_400_as_the_schema_says(api, query):
    for path in ("/api/v1/history/summary/", "/api/v1/history/checkins/"):
        response = api.get(path, query)
        assert response.status_code == 400, (path, query)
        assert list(errors(response)) == list(query)


def test_the_schema_states_the_date_bounds():
    import re

    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parameters = schema["paths"]["/api/v1/history/summary/"]["get"]["parameters"]
    pattern = next(p["schema"]["pattern"] for p in parameters if p["name"] == "to")
    assert [bool(re.search(pattern, day)) for day in ("1899-12-31", "1900-01-01", "2999-12-31", "3000-01-01")] == [
        False, True, True, False,
    ]  # fmt: skip
