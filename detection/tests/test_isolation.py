"""Another user's check-in is a 404 everywhere: pages, API, image URL. Anonymous
visitors get nothing either; staff see only their own through these routes."""

import pytest
from rest_framework.test import APIClient

from detection.models import CheckIn
from detection.tests.factories import CheckInFactory, FaceResultFactory, kept_frame

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices(user):
    """A finished check-in of `user` with a face and a stored image."""
    check_in = CheckInFactory(owner=user)
    kept_frame(check_in)
    face = FaceResultFactory(check_in=check_in)
    CheckIn.objects.filter(pk=check_in.pk).update(
        status="done", emotions=face.probabilities, top_emotion="happiness", confidence=0.9, selected_face=face
    )
    check_in.refresh_from_db()
    return check_in


def api_client(who):
    client = APIClient()
    if who is not None:
        client.force_authenticate(who)
    return client


READS = ["/api/v1/checkins/{id}/", "/api/v1/checkins/{id}/image/"]
WRITES = [
    ("post", "/api/v1/checkins/{id}/correction/", {"emotion": "anger"}),
    ("post", "/api/v1/checkins/{id}/face/", {"face": 0}),
    ("delete", "/api/v1/checkins/{id}/", None),
]
PAGE_WRITES = [
    ("/checkins/{id}/correct/", {"emotion": "anger"}),
    ("/checkins/{id}/face/", {"face": 0}),
    ("/checkins/{id}/delete/", {"confirm": "yes"}),
]


def test_the_owner_can_read_everything(user, alices):
    client = api_client(user)
    for route in READS:
        assert client.get(route.format(id=alices.pk)).status_code == 200, route


@pytest.mark.parametrize("who", ["outsider", "staff"])
def test_others_get_a_404_from_every_api_route(request, alices, who):
    client = api_client(request.getfixturevalue(who))
    for route in READS:
        assert client.get(route.format(id=alices.pk)).status_code == 404, route
    for method, route, data in WRITES:
        response = getattr(client, method)(route.format(id=alices.pk), data, format="json")
        assert response.status_code == 404, route
    assert client.get("/api/v1/checkins/").json()["count"] == 0
    alices.refresh_from_db()
    assert alices.corrected_emotion == ""


def test_anonymous_gets_nothing_from_the_api(alices):
    client = api_client(None)
    for route in [*READS, "/api/v1/checkins/"]:
        response = client.get(route.format(id=alices.pk))
        assert response.status_code in (401, 403), route
        assert b"happiness" not in response.content
    assert client.delete(f"/api/v1/checkins/{alices.pk}/").status_code in (401, 403)
    assert CheckIn.objects.filter(pk=alices.pk).exists()


@pytest.mark.parametrize("who", ["outsider", "staff"])
def test_others_get_a_404_from_every_page(request, client, alices, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/checkins/{alices.pk}/").status_code == 404
    assert client.get(f"/checkins/{alices.pk}/?fragment=result").status_code == 404
    assert client.get(f"/checkins/{alices.pk}/?fragment=result&wait=1").status_code == 404
    for route, data in PAGE_WRITES:
        assert client.post(route.format(id=alices.pk), data).status_code == 404, route
    assert CheckIn.objects.filter(pk=alices.pk, corrected_emotion="").exists()


def test_anonymous_is_sent_to_log_in_from_every_page(client, alices):
    for route in [f"/checkins/{alices.pk}/", "/feel/"]:
        response = client.get(route)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    for route, data in PAGE_WRITES:
        assert client.post(route.format(id=alices.pk), data).status_code == 302
    assert CheckIn.objects.filter(pk=alices.pk).exists()


def test_the_owner_sees_the_result_page(logged_in, alices):
    response = logged_in.get(f"/checkins/{alices.pk}/")
    assert response.status_code == 200
    assert b"happiness" in response.content


def test_a_missing_check_in_is_the_same_404(logged_in):
    assert logged_in.get("/checkins/999999/").status_code == 404
