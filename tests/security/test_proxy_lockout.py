"""Behind a proxy, failed logins from some clients must not lock out every other client (audit finding H1)."""

import pytest
from axes.models import AccessAttempt
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
PROXY = "10.0.0.1"


def via_proxy(forwarded_for: str) -> APIClient:
    # What a TLS-terminating proxy sends on: its own address, and the client's appended to X-Forwarded-For.
    return APIClient(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_failed_logins_behind_a_proxy_do_not_lock_out_other_clients(settings, alice):
    settings.NUM_PROXIES = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = via_proxy(f"203.0.113.{n}").post(TOKEN, {"username": f"guess{n}", "password": "x"}, format="json")
        assert response.status_code == 400

    response = via_proxy("198.51.100.7").post(TOKEN, {"username": "alice", "password": PASSWORD}, format="json")

    assert response.status_code == 200, response.content
    # The records name the clients, never the proxy.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        f"203.0.113.{n}" for n in range(settings.AXES_FAILURE_LIMIT)
    }


def test_a_client_cannot_dodge_its_lockout_by_forging_x_forwarded_for(settings, alice):
    settings.NUM_PROXIES = 1
    # The proxy appends the real address after whatever the client claimed.
    for n in range(settings.AXES_FAILURE_LIMIT):
        via_proxy(f"192.0.2.{n}, 203.0.113.9").post(TOKEN, {"username": f"guess{n}", "password": "x"}, format="json")

    locked = via_proxy("192.0.2.200, 203.0.113.9").post(
        TOKEN, {"username": "alice", "password": PASSWORD}, format="json"
    )
    elsewhere = via_proxy("198.51.100.7").post(TOKEN, {"username": "alice", "password": PASSWORD}, format="json")

    assert locked.status_code == 429
    assert elsewhere.status_code == 200


def test_without_a_proxy_x_forwarded_for_is_ignored(settings, alice):
    settings.NUM_PROXIES = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        APIClient(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").post(
            TOKEN, {"username": f"guess{n}", "password": "x"}, format="json"
        )
    response = APIClient(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.250").post(
        TOKEN, {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
