"""A body over its route's limit gets 413 before anything reads it, for every kind of client (audit finding M1)."""

import io

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from tests.errors import message

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the request body was read before the size limit refused it")


def post_declaring(client, path: str, size: int, content_type: str):
    return client.generic(
        "POST",
        path,
        b"",
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(size),
        **{"wsgi.input": UnreadableBody()},
    )


MULTIPART = "multipart/form-data; boundary=xyz"
FORM = "application/x-www-form-urlencoded"


def test_a_session_upload_over_the_limit_is_refused_before_csrf_reads_it(settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(consented=True))

    response = post_declaring(client, "/api/v1/checkins/", 85 * MB, MULTIPART)

    assert response.status_code == 413
    assert "too large" in message(response).lower()


def test_an_anonymous_form_post_over_the_limit_is_refused_before_it_is_read(settings):
    response = post_declaring(Client(enforce_csrf_checks=True), "/accounts/login/", 30 * MB, MULTIPART)
    assert response.status_code == 413
    assert b"too large" in response.content.lower()


@pytest.mark.parametrize(
    ("path", "content_type", "kind"),
    [
        ("/accounts/login/", FORM, "form"),
        ("/accounts/signup/", MULTIPART, "form"),
        ("/api/v1/auth/token/", "application/json", "json"),
        ("/api/v1/checkins/", MULTIPART, "upload"),
        ("/feel/", MULTIPART, "upload"),
    ],
)
def test_each_kind_of_route_has_its_own_limit(settings, path, content_type, kind):
    limit = settings.REQUEST_BODY_LIMITS[kind]
    client = Client()
    client.force_login(UserFactory(consented=True))
    assert post_declaring(client, path, limit + 1, content_type).status_code == 413


def test_limits_go_from_forms_to_json_to_uploads(settings):
    limits = settings.REQUEST_BODY_LIMITS
    assert limits["form"] <= limits["json"] < limits["upload"]
    assert limits["upload"] >= settings.MAX_UPLOAD_BYTES * settings.MAX_BURST_FRAMES


def test_a_body_without_a_declared_length_is_refused():
    # Chunked bodies carry no Content-Length; Django would read them as empty, so say so.
    response = Client().generic(
        "POST", "/api/v1/auth/token/", b"", CONTENT_TYPE="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )
    assert response.status_code == 411


def test_a_body_within_the_limit_goes_through(settings):
    response = APIClient().post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    assert response.status_code == 400
