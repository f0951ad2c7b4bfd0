"""API tokens are new at each login, shown once, stored hashed, expire, and die on
logout, revocation, password change and password reset.

Audit finding M3.
"""

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
NEW_PASSWORD = "amber-quarry-57-whistle"


def new_token(username="alice", password=PASSWORD) -> str:
    response = APIClient().post(TOKEN, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    return with_token(token).get(ME).status_code == 200


def every_stored_string() -> str:
    """Every text column of every table, as one string: the token must not be anywhere in it."""
    values = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            text_columns = [
                f.column for f in model._meta.concrete_fields if f.get_internal_type() in ("CharField", "TextField")
            ]
            if text_columns:
                cols = ", ".join(connection.ops.quote_name(c) for c in text_columns)
                cursor.execute(f"SELECT {cols} FROM {connection.ops.quote_name(model._meta.db_table)}")
                values += [str(v) for row in cursor.fetchall() for v in row]
    return "\n".join(values)


def test_each_login_gets_a_new_token_shown_once_and_stored_only_hashed(alice):
    first, second = new_token(), new_token()

    assert first != second
    assert works(first) and works(second)
    stored = every_stored_string()
    assert first not in stored and second not in stored


def test_delete_token_revokes_only_the_current_one(alice):
    phone, laptop = new_token(), new_token()

    assert with_token(phone).delete(TOKEN).status_code == 204

    assert not works(phone)
    assert works(laptop)


def test_tokens_expire_and_the_expiry_is_shown(settings, alice, monkeypatch):
    response = APIClient().post(TOKEN, {"username": "alice", "password": PASSWORD}, format="json")
    token, expires_at = response.json()["token"], response.json()["expires_at"]
    assert expires_at
    assert works(token)

    later = timezone.now() + settings.API_TOKEN_TTL + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert not works(token)


def test_a_password_change_revokes_every_token(alice):
    old = new_token()
    page = Client()
    page.force_login(alice)

    response = page.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert not works(old)


def test_a_password_change_through_the_api_rotates_the_callers_token(alice):
    old, other = new_token(), new_token()

    response = with_token(old).post(
        "/api/v1/me/password/", {"password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )

    assert response.status_code == 200, response.content
    assert not works(old) and not works(other)
    assert works(response.json()["token"])


def test_a_password_reset_revokes_every_token(client, alice):
    old = new_token()

    client.post("/accounts/password/reset/", {"email": alice.email})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert not works(old)
