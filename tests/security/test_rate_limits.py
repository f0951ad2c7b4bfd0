"""Rate limits on the forms and APIs that cost work or mail, and a server whose
long polls do not hold a whole worker.

Audit finding L5.
"""

import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def two_per_minute(monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", defaultdict(lambda: "2/min"))


def test_the_password_reset_form_is_rate_limited(two_per_minute, alice):
    client = Client(REMOTE_ADDR="203.0.113.5")
    codes = [client.post("/accounts/password/reset/", {"email": alice.email}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert (
        Client(REMOTE_ADDR="198.51.100.7").post("/accounts/password/reset/", {"email": "x@example.com"}).status_code
        == 302
    )


def test_the_signup_page_is_rate_limited(two_per_minute):
    client = Client(REMOTE_ADDR="203.0.113.5")
    codes = [client.post("/accounts/signup/", {"username": ""}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "Too many" in client.post("/accounts/signup/", {}).content.decode()
    # Reading the page is not limited.
    assert client.get("/accounts/signup/").status_code == 200


def test_stating_a_mood_for_songs_is_rate_limited(two_per_minute):
    api = APIClient()
    api.force_authenticate(UserFactory(consented=True))
    codes = [
        api.post("/api/v1/recommendations/", {"emotion": "happiness"}, format="json").status_code for _ in range(3)
    ]
    assert codes == [201, 201, 429]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/history/summary/", "/api/v1/history/checkins/", "/api/v1/history/checkins/export/"],
)
def test_the_history_api_is_rate_limited(two_per_minute, path):
    api = APIClient()
    api.force_authenticate(UserFactory(consented=True))
    codes = [api.get(path).status_code for _ in range(3)]
    assert codes[:2] == [200, 200] and codes[2] == 429


def web_gunicorn() -> str:
    """bin/web's gunicorn command: the one the README, the Procfile and the load benchmark run
    (tests/test_web_command.py)."""
    text = (ROOT / "bin" / "web").read_text()
    return " ".join(text[text.index("exec .venv/bin/gunicorn") :].replace("\\\n", " ").split())


def test_the_server_serves_long_polls_with_threads_not_a_sync_worker_each():
    command = web_gunicorn()
    assert re.search(r"(--worker-class|-k)[ =]gthread", command), command
    threads = int(re.search(r'--threads[ =]"?\$\{WEB_THREADS:-(\d+)\}', command).group(1))
    assert threads >= 4
