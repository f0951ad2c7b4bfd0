"""/api/v1/submissions/… still answers for one version, like /api/v1/checkins/…, marked deprecated."""

import pytest

from detection import tasks
from detection.models import CheckIn
from detection.tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db


def test_the_old_list_and_create_answer_like_the_new_ones_with_a_deprecation_header(api, user):
    created = api.post("/api/v1/submissions/", {"emotion": "fear"}, format="json")
    assert created.status_code == 201
    assert created["Deprecation"].startswith("@")
    assert created["Link"] == '</api/v1/checkins/>; rel="successor-version"'
    assert created.json()["url"] == f"/api/v1/checkins/{created.json()['id']}/"

    old, new = api.get("/api/v1/submissions/"), api.get("/api/v1/checkins/")
    assert old.json() == new.json()
    assert "Deprecation" not in new


def test_the_old_detail_routes_name_their_successor_and_keep_owners_apart(api, user, outsider):
    mine = CheckInFactory(owner=user, done=True)
    theirs = CheckInFactory(owner=outsider, done=True)
    response = api.get(f"/api/v1/submissions/{mine.pk}/")
    assert response.status_code == 200 and response.json()["id"] == mine.pk
    assert response["Link"] == f'</api/v1/checkins/{mine.pk}/>; rel="successor-version"'
    corrected = api.post(f"/api/v1/submissions/{mine.pk}/correction/", {"emotion": "anger"}, format="json")
    assert corrected.status_code == 200 and corrected.json()["effective_emotion"] == "anger"
    assert api.get(f"/api/v1/submissions/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/submissions/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/submissions/{mine.pk}/").status_code == 204
    assert not CheckIn.objects.filter(pk=mine.pk).exists()


def test_the_schema_lists_the_old_routes_as_deprecated(api):
    paths = api.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    old = paths["/api/v1/submissions/{submission_id}/"]["get"]
    new = paths["/api/v1/checkins/{check_in_id}/"]["get"]
    assert old["deprecated"] is True and "deprecated" not in new
    assert old["operationId"] == new["operationId"] + "_deprecated"


def test_the_old_result_page_address_redirects(logged_in, user):
    check_in = CheckInFactory(owner=user, done=True)
    response = logged_in.get(f"/submissions/{check_in.pk}/")
    assert response.status_code == 301 and response["Location"] == f"/checkins/{check_in.pk}/"


def test_a_task_queued_under_the_old_name_is_handed_on(monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.check_in_analyze_task, "delay", queued.append)
    assert tasks.submission_analyze_task_deprecated.name == "detection.tasks.submission_analyze_task"
    tasks.submission_analyze_task_deprecated.delay(42)
    assert queued == [42]
