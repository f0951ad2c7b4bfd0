"""Deleting the account or changing its email address asks for the password
and the old address is told of a change.

Audit finding L3.
"""

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


@pytest.fixture
def alice_api(alice):
    client = APIClient()
    client.force_authenticate(alice)  # a credential that did not just prove the password
    return client


def test_deleting_the_account_through_the_api_needs_the_password(alice_api, alice):
    assert alice_api.delete(ME).status_code == 403
    assert alice_api.delete(ME, {"password": "wrong"}, format="json").status_code == 403
    assert User.objects.filter(pk=alice.pk).exists()

    assert alice_api.delete(ME, {"password": PASSWORD}, format="json").status_code == 204
    assert not User.objects.filter(pk=alice.pk).exists()


def test_changing_the_email_through_the_api_needs_the_password(alice_api, alice):
    response = alice_api.patch(ME, {"email": "mallory@example.com"}, format="json")
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"

    assert alice_api.patch(ME, {"email": "new@example.com", "password": PASSWORD}, format="json").status_code == 200
    # Other fields need no password.
    assert alice_api.patch(ME, {"goal": "calm"}, format="json").status_code == 200


def test_even_a_token_fresh_from_the_password_must_give_it_again(alice):
    token = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    assert client.patch(ME, {"email": "fresh@example.com"}, format="json").status_code == 403
    assert client.delete(ME).status_code == 403
    assert User.objects.filter(pk=alice.pk, email="alice@example.com").exists()
    assert client.delete(ME, {"password": PASSWORD}, format="json").status_code == 204


def test_the_old_address_is_told_when_the_email_changes(alice_api, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alice_api.patch(ME, {"email": "new@example.com", "password": PASSWORD}, format="json")

    [notice] = [m for m in mail.outbox if "alice@example.com" in m.to]
    assert "new@example.com" in notice.body or "changed" in notice.body


def test_the_profile_page_asks_for_the_password_to_change_the_email(alice, django_capture_on_commit_callbacks):
    page = Client()
    page.force_login(alice)
    data = {"email": "mallory@example.com", "goal": alice.goal}

    refused = page.post("/accounts/profile/", data)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = page.post("/accounts/profile/", {**data, "email": "new@example.com", "password": PASSWORD})

    assert refused.status_code == 200 and "password" in refused.content.decode().lower()
    assert accepted.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "new@example.com"
    assert any("alice@example.com" in m.to for m in mail.outbox)
