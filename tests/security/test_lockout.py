"""Lockouts are per (username, address) and per address; a password reset lifts one; the message is true (audit finding M4)."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
NEW_PASSWORD = "amber-quarry-57-whistle"


def fail(settings, *, username: str, ip: str, times: int | None = None):
    client = Client(REMOTE_ADDR=ip)
    for _ in range(times or settings.AXES_FAILURE_LIMIT):
        response = client.post(LOGIN, {"username": username, "password": "wrong-password"})
    return response


def login(ip: str, password: str = PASSWORD):
    return Client(REMOTE_ADDR=ip).post(LOGIN, {"username": "alice", "password": password})


def test_nobody_can_lock_someone_elses_account_from_their_own_addresses(settings, alice):
    # An attacker who knows only the username spreads failures over several addresses.
    for n in range(settings.AXES_FAILURE_LIMIT + 2):
        fail(settings, username="alice", ip=f"203.0.113.{n}", times=1)
    assert login("198.51.100.7").status_code == 302


def test_a_pair_of_username_and_address_is_locked(settings, alice):
    fail(settings, username="alice", ip="203.0.113.1")
    assert login("203.0.113.1").status_code == 429
    assert login("198.51.100.7").status_code == 302


def test_a_successful_password_reset_lifts_the_lock(settings, client, alice):
    fail(settings, username="alice", ip="203.0.113.1")
    assert login("203.0.113.1").status_code == 429

    client.post("/accounts/password/reset/", {"email": alice.email})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    form = client.get(link, follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302

    assert login("203.0.113.1", NEW_PASSWORD).status_code == 302


def test_the_lockout_message_promises_only_what_is_true(settings, alice):
    own = fail(settings, username="alice", ip="203.0.113.1")
    # The same address trying many accounts: resetting one password cannot lift that.
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(settings, username=f"someone{n}", ip="203.0.113.2", times=1)
    spray = login("203.0.113.2")

    assert own.status_code == spray.status_code == 429
    assert "reset your password" in own.content.decode()
    assert "reset your password" not in spray.content.decode()
    assert "this address" in spray.content.decode()
