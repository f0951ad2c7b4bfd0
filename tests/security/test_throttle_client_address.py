"""The auth throttle keys on the client's real address, not on a header the client writes (audit finding M2)."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

pytestmark = pytest.mark.django_db

SIGNUP = "/api/v1/auth/signup/"


@pytest.fixture
def three_per_minute(monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})


def test_random_x_forwarded_for_values_do_not_escape_the_auth_throttle(settings, three_per_minute):
    settings.NUM_PROXIES = 0
    codes = [
        APIClient(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        .post(SIGNUP, {}, format="json")
        .status_code
        for n in range(5)
    ]
    assert codes == [400, 400, 400, 429, 429]


def test_behind_a_proxy_only_the_address_it_appended_counts(settings, three_per_minute):
    settings.NUM_PROXIES = 1
    codes = [
        APIClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")
        .post(SIGNUP, {}, format="json")
        .status_code
        for n in range(5)
    ]
    assert codes == [400, 400, 400, 429, 429]
    # Another client behind the same proxy has its own budget.
    other = APIClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.post(SIGNUP, {}, format="json").status_code == 400
