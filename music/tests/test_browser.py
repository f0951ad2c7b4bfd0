"""The music pages in a real browser (Chromium via Playwright): feedback without a reload, pick a mood.

A minimal local harness: the shared one (tests/browser/conftest.py) was not on main yet.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from music.models import Feedback, Rating
from music.tests.factories import SongFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.skip(f"Chromium not found at {executable} (set CHROMIUM_PATH)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    user = UserFactory(username="browser-listener", goal="match")
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.user = user
    yield page
    context.close()


@pytest.fixture
def catalog():
    return [SongFactory(title=f"Rain {i}", emotions={"sadness": 1.0}) for i in range(12)] + [
        SongFactory(title=f"Sun {i}", emotions={"happiness": 1.0}) for i in range(12)
    ]


def test_liking_a_song_saves_it_without_reloading_the_page(page, catalog):
    page.goto("/songs/?q=Rain+3")
    page.evaluate("window.__notReloaded = true")
    row = page.locator(".song-row", has_text="Rain 3")
    row.get_by_role("button", name="Like", exact=True).click()
    page.wait_for_selector(".song-row .feedback-status:has-text('Liked')")
    assert row.get_by_role("button", name="Like", exact=True).get_attribute("aria-pressed") == "true"
    assert page.evaluate("window.__notReloaded") is True
    assert Rating.objects.get(user=page.user).song.title == "Rain 3"
    row.get_by_role("button", name="Dislike", exact=True).click()
    page.wait_for_selector(".song-row .feedback-status:has-text('Disliked')")
    assert row.get_by_role("button", name="Like", exact=True).get_attribute("aria-pressed") == "false"
    assert Rating.objects.get(user=page.user).value == -1


def test_picking_a_mood_shows_explained_songs_and_feedback_works(page, catalog):
    page.goto("/mood/")
    page.get_by_label("Happiness (happy)").check()
    page.get_by_label("What should the music do?").select_option("match")
    page.get_by_role("button", name="Find songs").click()
    page.wait_for_url("**/recommendations/*/")
    rows = page.locator(".song-row")
    assert rows.count() == 10
    assert "you feel happy (100%) · goal: match" in rows.first.inner_text()
    assert "Sun " in rows.first.inner_text()
    rows.first.get_by_role("button", name="Skip", exact=True).click()
    page.wait_for_selector(".feedback-status:has-text('Skipped')")
    feedback = Feedback.objects.get(user=page.user)
    assert feedback.kind == "skipped" and feedback.recommendation_id is not None
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "music-pick-a-mood.png"), full_page=True)
    page.get_by_role("button", name="Save as playlist").click()
    page.wait_for_url("**/playlists/*/")
    assert page.locator(".song-row").count() == 10
