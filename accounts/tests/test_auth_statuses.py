"""401 for credentials that do not hold (with the `WWW-Authenticate: Token` challenge), 403 for a
caller who is known but not allowed, 404 for someone else's object; sessions still work."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory
from tests.errors import codes

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
NEW_PASSWORD = "amber-quarry-57-whistle"


@pytest.fixture
def alice():
    return UserFactory(username="alice", consented=True)


def token_for(user) -> str:
    response = APIClient().post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")
    return response.json()["token"]


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def assert_challenged(response, code: str) -> None:
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == "Token"
    assert codes(response) == [code]


def test_no_credentials_get_401_with_the_token_challenge():
    assert_challenged(APIClient().get(ME), "not_authenticated")


@pytest.mark.parametrize("header", ["Token garbage", "Token " + "x" * 64, "Token a b", "Token \xff"])
def test_a_garbage_token_gets_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_challenged(client.get(ME), "authentication_failed")


def test_a_revoked_token_gets_401(alice):
    token = token_for(alice)
    assert with_token(token).delete(TOKEN).status_code == 204
    assert_challenged(with_token(token).get(ME), "authentication_failed")


def test_a_token_after_a_password_change_gets_401(alice):
    old = token_for(alice)
    changed = with_token(old).post(
        "/api/v1/me/password/", {"password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert changed.status_code == 200
    assert_challenged(with_token(old).get(ME), "authentication_failed")
    assert with_token(changed.json()["token"]).get(ME).status_code == 200


def test_forbidden_for_a_known_caller_stays_403(alice):
    client = with_token(token_for(alice))
    response = client.post("/api/v1/songs/enrich/", {"songs": [1]}, format="json")
    assert response.status_code == 403 and "WWW-Authenticate" not in response
    assert codes(client.delete(ME)) == ["password_required"]


def test_another_users_object_is_404(alice):
    mine = with_token(token_for(alice)).post("/api/v1/checkins/", {"emotion": "fear"}, format="json").json()
    bob = with_token(token_for(UserFactory(consented=True)))
    assert bob.get(f"/api/v1/checkins/{mine['id']}/").status_code == 404
    assert codes(bob.delete(f"/api/v1/checkins/{mine['id']}/")) == ["not_found"]


def test_sessions_still_work_for_the_pages_and_their_api_calls(client, alice):
    client.force_login(alice)
    assert client.get(ME).status_code == 200
    assert client.get("/history/").status_code == 200
