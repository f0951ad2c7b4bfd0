"""A strict Content-Security-Policy and a Permissions-Policy on every response (audit finding L4)."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/consent/", "/api/v1/docs/", "/admin/login/"]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_strict_csp_and_a_permissions_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = directives(response["Content-Security-Policy"])

    assert csp["default-src"] == ["'none'"]
    # Scripts from our own origin, and WebAssembly compiled from them (the on-device analysis runs
    # LiteRT.js): 'wasm-unsafe-eval' allows no eval of script text, and nothing else is loosened.
    assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "unsafe" not in response["Content-Security-Policy"].replace("'wasm-unsafe-eval'", "")
    policy = {part.strip() for part in response["Permissions-Policy"].split(",")}
    assert policy == {"camera=(self)", "microphone=()", "geolocation=()"}


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def inline_code(html: str) -> list[str]:
    # json_script blocks are data, not code: the CSP does not run them.
    html = re.sub(r'<script[^>]*type="application/json"[^>]*>.*?</script>', "", html, flags=re.S)
    return [label for pattern, label in INLINE if pattern.search(html)]


@pytest.mark.parametrize("template", sorted((ROOT / "templates").rglob("*.html")), ids=lambda p: p.name)
def test_no_template_holds_inline_script_or_style(template):
    assert inline_code(template.read_text()) == []


def test_the_api_docs_load_their_script_from_a_url(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert inline_code(html) == []
    assert client.get("/api/v1/docs/?script=").status_code == 200
