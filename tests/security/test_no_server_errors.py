"""No input answers 500: lone surrogates, absurd nesting, and a sweep of hostile bodies over every API route (audit finding L1)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from tests.errors import message

pytestmark = pytest.mark.django_db

SURROGATE = "\\ud800"  # JSON escape of a lone UTF-16 surrogate: valid JSON, not valid Unicode


@pytest.fixture
def api():
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(UserFactory(consented=True))
    return client


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/recommendations/", f'{{"emotions": {{"{SURROGATE}": 1.0}}}}'),
        ("/api/v1/recommendations/", f'{{"emotions": {{"happiness": "{SURROGATE}"}}}}'),
        ("/api/v1/recommendations/", f'{{"emotion": "{SURROGATE}"}}'),
        ("/api/v1/checkins/", f'{{"emotion": "{SURROGATE}"}}'),
        ("/api/v1/auth/token/", f'{{"username": "a", "password": "b", "{SURROGATE}": 1}}'),
    ],
)
def test_a_lone_surrogate_anywhere_in_json_is_a_400(api, path, body):
    response = api.post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert message(response)


def test_absurdly_nested_json_is_a_400(api):
    response = api.post("/api/v1/recommendations/", "[" * 200_000, content_type="application/json")
    assert response.status_code == 400
    assert message(response)


HOSTILE_BODIES = {
    "surrogate-key": f'{{"{SURROGATE}": 1}}',
    "surrogate-values": '{"emotion": "%s", "emotions": {"happiness": "%s"}, "name": "%s", "email": "%s"}'
    % ((SURROGATE,) * 4),
    "nested": "[" * 50_000,
    "nul": '{"name": "a\\u0000b", "emotion": "\\u0000", "email": "a\\u0000@example.com", "version": "\\u0000"}',
    "huge-numbers": '{"song": 1e400, "face": 99999999999999999999999999, "recommendation": -1e308, "rank": 1e999}',
    "wrong-types": '{"emotions": [1, 2], "emotion": {"a": 1}, "song": "x", "songs": "x", "kind": [], "goal": {}}',
    "list": "[1, 2, 3]",
    "string": '"just a string"',
    "not-json": "{'single': quotes}",
    "bom": "\ufeff{}",
}


def api_routes():
    """Every concrete /api/v1/ route, with 1 for each id in its path."""
    routes = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                path = prefix + str(pattern.pattern)
                if path.startswith("api/v1/") and "schema" not in path and "docs" not in path:
                    routes.append("/" + re.sub(r"<[^>]+>", "1", path))

    walk(get_resolver().url_patterns, "")
    return sorted(set(routes))


def test_no_api_route_answers_500_to_a_hostile_body():
    routes = api_routes()
    assert routes, "no API routes found"
    failures = []
    for path in routes:
        for method in ("post", "put", "patch", "delete"):
            # A fresh user per route and method: a body that deleted the last one must not skew the next.
            client = APIClient(raise_request_exception=False)
            client.force_authenticate(UserFactory(consented=True))
            for name, body in HOSTILE_BODIES.items():
                response = getattr(client, method)(path, body, content_type="application/json")
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {path} [{name}] -> {response.status_code}")
    assert failures == []
