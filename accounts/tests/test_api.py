"""Auth and account API (docs/api.md, "Accounts"): owner, outsider, anonymous, and bad input."""

import pytest
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.consent import CONSENT_VERSION
from accounts.models import User
from accounts.tests.factories import PASSWORD
from tests.errors import errors, message

pytestmark = pytest.mark.django_db

STRONG = "violet-harbour-93-lantern"
ME_FIELDS = {"id", "username", "email", "goal", "keep_images", "consent_version", "consent_at"}


def url(name):
    return reverse(f"api-v1:{name}")


def test_signup_creates_an_account(api_client):
    response = api_client.post(
        url("auth-signup"), {"username": "carol", "email": "carol@example.com", "password": STRONG}, format="json"
    )
    assert response.status_code == 201
    user = User.objects.get(username="carol")
    assert response.json() == {"id": user.id, "username": "carol", "email": "carol@example.com"}
    assert user.check_password(STRONG)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "Alice", "email": "new@example.com", "password": STRONG}, "username"),
        ({"username": "carol", "email": "ALICE@example.com", "password": STRONG}, "email"),
        ({"username": "carol", "email": "carol@example.com", "password": "password"}, "password"),
        ({"username": "carol", "email": "carol@example.com", "password": "carol-example"}, "password"),
        ({"username": "carol", "email": "carol@example.com", "password": "1234567890"}, "password"),
        ({"username": "carol", "email": "nope", "password": STRONG}, "email"),
        ({"username": "car ol!", "email": "carol@example.com", "password": STRONG}, "username"),
        ({"username": 0, "email": "carol@example.com", "password": STRONG}, "username"),  # text, not "0"
        ({"username": "carol\u0000", "email": "carol@example.com", "password": STRONG}, "username"),
        ({"email": "carol@example.com", "password": STRONG}, "username"),
        ({"username": "carol", "email": "carol@example.com", "password": STRONG, "is_staff": True}, "is_staff"),
    ],
)
def test_signup_rejects_bad_input_per_field(api_client, alice, body, field):
    response = api_client.post(url("auth-signup"), body, format="json")
    assert response.status_code == 400
    assert field in errors(response), response.json()
    assert not User.objects.filter(username="carol").exists()


def test_a_unicode_username_is_one_the_answers_schema_allows(api_client):
    # Django's username rule is Unicode; a JSON Schema pattern would be ASCII-only, so answers state none.
    response = api_client.post(url("auth-signup"), {"username": "zoé", "email": "zoe@example.com", "password": STRONG})
    assert response.status_code == 201 and response.json()["username"] == "zoé"
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "pattern" not in schema["components"]["schemas"]["AuthSignupOutput"]["properties"]["username"]


def test_signup_rejects_malformed_json(api_client):
    response = api_client.post(url("auth-signup"), '{"username": "carol",', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in message(response)


def test_signup_rejects_oversized_body_with_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"username": "carol", "email": "carol@example.com", "password": STRONG, "pad": "x" * 2000}
    response = api_client.post(url("auth-signup"), body, format="json")
    assert response.status_code == 413
    assert not User.objects.exists()


def test_token_for_valid_credentials_authenticates_later_calls(api_client, alice):
    response = api_client.post(url("auth-token"), {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert AuthToken.objects.filter(user=alice).count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(url("me")).json()["username"] == "alice"


def test_token_answers_the_same_for_unknown_user_and_wrong_password(api_client, alice):
    wrong = api_client.post(url("auth-token"), {"username": "alice", "password": "nope"}, format="json")
    unknown = api_client.post(url("auth-token"), {"username": "nobody", "password": "nope"}, format="json")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()


@pytest.mark.parametrize("body", [{}, {"username": "alice"}, {"username": "alice", "password": PASSWORD, "x": 1}])
def test_token_rejects_incomplete_or_unknown_fields(api_client, alice, body):
    assert api_client.post(url("auth-token"), body, format="json").status_code == 400


def test_me_shows_the_callers_own_account(alice_api, alice, bob):
    body = alice_api.get(url("me")).json()
    assert ME_FIELDS <= set(body)
    assert body["username"] == "alice"
    assert body["consent_version"] == CONSENT_VERSION


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_me_refuses_anonymous_callers(api_client, alice, method):
    response = getattr(api_client, method)(url("me"))
    assert response.status_code in (401, 403)
    assert User.objects.filter(pk=alice.pk).exists()


def test_me_patch_updates_goal_email_and_keep_images(alice_api, alice):
    response = alice_api.patch(
        url("me"), {"goal": "lift", "keep_images": True, "email": "a2@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert (alice.goal, alice.keep_images, alice.email) == ("lift", True, "a2@example.com")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"goal": "dance"}, "goal"),
        ({"keep_images": "maybe"}, "keep_images"),
        ({"email": "bob@example.com", "password": PASSWORD}, "email"),
        ({"email": "no"}, "email"),
        ({"keep_image": True}, "keep_image"),
        ({"username": "mallory"}, "username"),
        ({"consent_version": CONSENT_VERSION}, "consent_version"),
    ],
)
def test_me_patch_rejects_bad_and_unknown_fields(alice_api, alice, bob, body, field):
    response = alice_api.patch(url("me"), body, format="json")
    assert response.status_code == 400
    assert field in errors(response)
    alice.refresh_from_db()
    assert (alice.username, alice.email, alice.goal) == ("alice", "alice@example.com", "match_then_lift")


def test_me_patch_rejects_malformed_json(alice_api):
    response = alice_api.patch(url("me"), "{goal: lift}", content_type="application/json")
    assert response.status_code == 400


def test_me_patch_rejects_a_json_list(alice_api):
    response = alice_api.patch(url("me"), [1, 2], format="json")
    assert response.status_code == 400


def test_session_auth_requires_csrf_token(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.patch(url("me"), {"goal": "calm"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in message(response)
    alice.refresh_from_db()
    assert alice.goal == "match_then_lift"


def test_token_auth_needs_no_csrf_token(alice):
    _, token = AuthToken.objects.create(alice)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.patch(url("me"), {"goal": "calm"}, format="json").status_code == 200


def test_consent_text_is_public_and_versioned(api_client):
    body = api_client.get(url("consent")).json()
    assert body["version"] == CONSENT_VERSION
    assert "What is analysed" in body["text"] and "For how long" in body["text"]


def test_give_and_withdraw_consent(api_client, bob):
    api_client.force_authenticate(bob)
    response = api_client.post(url("me-consent"), {"version": CONSENT_VERSION}, format="json")
    assert response.status_code == 200
    assert response.json()["consent_version"] == CONSENT_VERSION
    assert response.json()["consent_at"]
    response = api_client.delete(url("me-consent"))
    assert response.status_code == 200
    bob.refresh_from_db()
    assert bob.consent_version == "" and bob.consent_at is None


@pytest.mark.parametrize("body", [{"version": "2019-01"}, {}, {"version": CONSENT_VERSION, "extra": 1}])
def test_consent_refuses_other_versions_and_bad_bodies(api_client, bob, body):
    api_client.force_authenticate(bob)
    response = api_client.post(url("me-consent"), body, format="json")
    assert response.status_code == 400
    bob.refresh_from_db()
    assert bob.consent_version == ""


@pytest.mark.parametrize("method", ["post", "delete"])
def test_consent_refuses_anonymous_callers(api_client, method):
    assert getattr(api_client, method)(url("me-consent"), {"version": CONSENT_VERSION}).status_code in (401, 403)


def test_export_is_the_callers_own_data(alice_api, alice, bob):
    response = alice_api.get(url("me-export"))
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "alice"
    assert "password" not in body["user"]
    assert "bob" not in response.content.decode()


def test_export_refuses_anonymous_callers(api_client):
    assert api_client.get(url("me-export")).status_code in (401, 403)


def test_delete_me_removes_only_the_caller(alice_api, alice, bob):
    assert alice_api.delete(url("me"), {"password": PASSWORD}, format="json").status_code == 204
    assert not User.objects.filter(pk=alice.pk).exists()
    assert User.objects.filter(pk=bob.pk).exists()


def test_delete_me_with_token_invalidates_the_token(alice):
    _, token = AuthToken.objects.create(alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.delete(url("me"), {"password": PASSWORD}, format="json").status_code == 204
    assert client.get(url("me")).status_code in (401, 403)


def test_an_expired_token_is_refused_and_deleted(alice):
    from datetime import timedelta

    instance, token = AuthToken.objects.create(alice, expiry=timedelta(hours=1))
    AuthToken.objects.filter(pk=instance.pk).update(expiry=instance.created - timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(url("me")).status_code == 401
    assert not AuthToken.objects.filter(pk=instance.pk).exists()


def test_a_request_reads_only_the_token_it_presents(alice, django_assert_max_num_queries):
    """Knox read every other token of the user on each request; expired ones now go at login and
    in the daily purge (accounts.tokens)."""
    for _ in range(3):
        AuthToken.objects.create(alice)
    _, token = AuthToken.objects.create(alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with django_assert_max_num_queries(1):
        assert client.get(url("me")).status_code == 200


def test_expired_tokens_go_at_the_next_login_and_in_the_daily_purge(alice):
    from datetime import timedelta

    from accounts.models import User
    from accounts.tokens import api_token_create, api_tokens_expired_purge

    bob = User.objects.create_user("bob", "bob@example.com", STRONG)
    old = [AuthToken.objects.create(user, expiry=timedelta(hours=1))[0] for user in (alice, alice, bob)]
    AuthToken.objects.filter(pk__in=[t.pk for t in old]).update(expiry=old[0].created - timedelta(seconds=1))
    api_token_create(alice)
    assert (
        list(AuthToken.objects.filter(user=alice).values_list("pk", flat=True)) != []
        and not AuthToken.objects.filter(pk__in=[old[0].pk, old[1].pk]).exists()
    )
    assert AuthToken.objects.filter(pk=old[2].pk).exists()
    assert api_tokens_expired_purge() == 1
    assert not AuthToken.objects.filter(pk=old[2].pk).exists()
