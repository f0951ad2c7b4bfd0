"""Login lockout (django-axes) and API throttling."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.tests.factories import PASSWORD
from tests.errors import message

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


def fail_logins(settings, *, username, ip, times=None):
    client = Client(REMOTE_ADDR=ip)
    for _ in range(times or settings.AXES_FAILURE_LIMIT):
        response = client.post(LOGIN, {"username": username, "password": "wrong-password"})
    return response


def test_login_locks_an_account_for_the_address_that_failed_on_it(settings, alice):
    fail_logins(settings, username="alice", ip="10.0.0.1")
    response = Client(REMOTE_ADDR="10.0.0.1").post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_login_locks_an_address_trying_many_accounts(settings, alice):
    client = Client(REMOTE_ADDR="10.0.0.9")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": f"someone{n}", "password": "wrong-password"})
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    # Another address can still log in to alice's account.
    assert Client(REMOTE_ADDR="10.0.0.10").post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 302


def test_lockout_looks_the_same_for_unknown_and_existing_accounts(settings, alice):
    existing = fail_logins(settings, username="alice", ip="10.0.0.1")
    unknown = fail_logins(settings, username="nobody", ip="10.0.0.2")
    assert existing.status_code == unknown.status_code == 429
    assert existing.content == unknown.content


def test_failures_below_the_limit_do_not_lock(settings, alice):
    fail_logins(settings, username="alice", ip="10.0.0.1", times=settings.AXES_FAILURE_LIMIT - 1)
    assert Client(REMOTE_ADDR="10.0.0.1").post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 302


def test_token_endpoint_failures_count_towards_the_lockout(settings, alice):
    client = APIClient(REMOTE_ADDR="10.0.0.3")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(TOKEN, {"username": "alice", "password": "nope"}, format="json").status_code == 400
    response = client.post(TOKEN, {"username": "alice", "password": "nope"}, format="json")
    assert response.status_code == 429
    assert "Too many failed login attempts" in message(response)
    # Even the right password is refused while locked, on the API and on the page.
    assert client.post(TOKEN, {"username": "alice", "password": PASSWORD}, format="json").status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.3").post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 429


def test_page_failures_lock_the_token_endpoint_too(settings, alice):
    fail_logins(settings, username="alice", ip="10.0.0.5")
    response = APIClient(REMOTE_ADDR="10.0.0.5").post(TOKEN, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 429


@pytest.mark.parametrize("path", [TOKEN, "/api/v1/auth/signup/"])
def test_auth_endpoints_are_throttled_per_client(monkeypatch, path, db):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})
    client = APIClient(REMOTE_ADDR="10.0.0.7")
    codes = [client.post(path, {}, format="json").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    assert "throttled" in message(client.post(path, {}, format="json")).lower()
    # Another client is not affected.
    assert APIClient(REMOTE_ADDR="10.0.0.8").post(path, {}, format="json").status_code == 400


def test_successful_login_resets_the_failure_count(settings, alice):
    fail_logins(settings, username="alice", ip="10.0.0.1", times=settings.AXES_FAILURE_LIMIT - 1)
    client = Client(REMOTE_ADDR="10.0.0.1")
    assert client.post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 302
    client.post(reverse("accounts:logout"))
    fail_logins(settings, username="alice", ip="10.0.0.1", times=settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 302
