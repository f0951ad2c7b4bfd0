"""Every form and endpoint of the accounts app refuses bad input with a clear 4xx, never a 500."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.consent import CONSENT_VERSION
from accounts.models import User
from accounts.tests.factories import PASSWORD
from tests.errors import errors, message

pytestmark = pytest.mark.django_db

STRONG = "violet-harbour-93-lantern"

PAGE_POSTS = [
    ("/accounts/signup/", {"username": "x1", "email": "x1@example.com", "password1": STRONG, "password2": STRONG}),
    ("/accounts/login/", {"username": "alice", "password": PASSWORD}),
    ("/accounts/logout/", {}),
    ("/accounts/profile/", {"email": "alice@example.com", "goal": "calm"}),
    ("/accounts/consent/", {}),
    ("/accounts/consent/withdraw/", {}),
    ("/accounts/data/delete/", {"password": PASSWORD}),
    ("/accounts/password/change/", {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG}),
    ("/accounts/password/reset/", {"email": "alice@example.com"}),
]

API_WRITES = [
    ("post", "/api/v1/auth/signup/", {"username": "x1", "email": "x1@example.com", "password": STRONG}),
    ("post", "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}),
    ("patch", "/api/v1/me/", {"goal": "calm"}),
    ("post", "/api/v1/me/consent/", {"version": CONSENT_VERSION}),
]


def snapshot():
    return list(User.objects.order_by("pk").values_list("username", "email", "goal", "consent_version", "password"))


@pytest.mark.parametrize(("path", "data"), PAGE_POSTS, ids=[p for p, _ in PAGE_POSTS])
def test_every_page_form_refuses_a_missing_csrf_token(alice, path, data):
    client = Client(enforce_csrf_checks=True)
    if path not in ("/accounts/signup/", "/accounts/login/", "/accounts/password/reset/"):
        client.force_login(alice)
    before = snapshot()
    response = client.post(path, data)
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("patch", "/api/v1/me/", {"goal": "calm"}), ("delete", "/api/v1/me/", None)]
    + [("post", "/api/v1/me/consent/", {"version": CONSENT_VERSION}), ("delete", "/api/v1/me/consent/", None)],
)
def test_session_authenticated_api_writes_need_a_csrf_token(alice, method, path, body):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    before = snapshot()
    response = getattr(client, method)(path, body, format="json")
    assert response.status_code == 403
    assert "CSRF" in message(response)
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), API_WRITES, ids=[p for _, p, _ in API_WRITES])
def test_every_api_write_refuses_malformed_json(alice_api, alice, method, path, body):
    before = snapshot()
    response = getattr(alice_api, method)(path, '{"oops": ', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in message(response)
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), API_WRITES, ids=[p for _, p, _ in API_WRITES])
def test_every_api_write_refuses_an_oversized_body_with_413(alice_api, alice, settings, method, path, body):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    before = snapshot()
    response = getattr(alice_api, method)(path, {**body, "padding": "x" * 5000}, format="json")
    assert response.status_code == 413
    assert message(response) == "Request body is too large."
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), API_WRITES, ids=[p for _, p, _ in API_WRITES])
def test_every_api_write_refuses_unknown_fields(alice_api, alice, method, path, body):
    before = snapshot()
    response = getattr(alice_api, method)(path, {**body, "is_superuser": True}, format="json")
    assert response.status_code == 400
    assert errors(response)["is_superuser"] == ["Unknown field."]
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), API_WRITES, ids=[p for _, p, _ in API_WRITES])
def test_every_api_write_refuses_a_non_object_body(alice_api, alice, method, path, body):
    response = getattr(alice_api, method)(path, ["not", "an", "object"], format="json")
    assert response.status_code == 400


@pytest.mark.parametrize(("method", "path", "body"), API_WRITES, ids=[p for _, p, _ in API_WRITES])
def test_every_api_write_refuses_an_unsupported_content_type(alice_api, alice, method, path, body):
    response = getattr(alice_api, method)(path, "goal=calm", content_type="text/plain")
    assert response.status_code == 415


def test_oversized_page_form_is_refused_without_a_500(alice_client, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = alice_client.post("/accounts/profile/", {"email": "alice@example.com", "goal": "x" * 5000})
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.goal == "match_then_lift"
