"""The music pages in a real browser (the shared harness in tests/browser/harness.py)."""

import pytest

from accounts.tests.factories import UserFactory
from music.models import Feedback, Rating
from music.tests.factories import SongFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listener():
    return UserFactory(username="browser-listener", goal="match")


@pytest.fixture
def catalog():
    return [SongFactory(title=f"Rain {i}", emotions={"sadness": 1.0}) for i in range(12)] + [
        SongFactory(title=f"Sun {i}", emotions={"happiness": 1.0}) for i in range(12)
    ]


def test_liking_a_song_saves_it_without_reloading_the_page(new_page, listener, catalog, screenshot):
    page = new_page(user=listener)
    page.goto("/songs/?q=Rain+3")
    page.evaluate("window.__notReloaded = true")
    row = page.locator(".song-row", has_text="Rain 3")
    row.get_by_role("button", name="Like", exact=True).click()
    page.wait_for_selector(".song-row .feedback-status:has-text('Liked')")
    assert row.get_by_role("button", name="Like", exact=True).get_attribute("aria-pressed") == "true"
    assert page.evaluate("window.__notReloaded") is True
    assert Rating.objects.get(user=listener).song.title == "Rain 3"
    row.get_by_role("button", name="Dislike", exact=True).click()
    page.wait_for_selector(".song-row .feedback-status:has-text('Disliked')")
    assert row.get_by_role("button", name="Like", exact=True).get_attribute("aria-pressed") == "false"
    assert Rating.objects.get(user=listener).value == -1
    screenshot("songs-after-feedback", page=page)
    page.goto("/likes/")
    assert "You have not liked any songs yet" in page.content()
    assert page.external_requests == []


def test_picking_a_mood_shows_explained_songs_and_feedback_works(new_page, listener, catalog, screenshot):
    page = new_page(user=listener)
    page.goto("/mood/")
    page.get_by_label("Happiness (happy)").check()
    page.get_by_label("What should the music do?").select_option("match")
    page.get_by_role("button", name="Find songs").click()
    page.wait_for_url("**/recommendations/*/")
    rows = page.locator(".song-row")
    assert rows.count() == 10
    assert "you said you feel happy · goal: match" in rows.first.inner_text()
    assert "Sun " in rows.first.inner_text()
    rows.first.get_by_role("button", name="Skip", exact=True).click()
    page.wait_for_selector(".feedback-status:has-text('Skipped')")
    feedback = Feedback.objects.get(user=listener)
    assert feedback.kind == "skipped" and feedback.recommendation_id is not None
    screenshot("pick-a-mood-list", page=page)
    page.get_by_role("button", name="Save as playlist").click()
    page.wait_for_url("**/playlists/*/")
    assert page.locator(".song-row").count() == 10
    page.goto("/playlists/")
    assert page.locator(".playlist-list li").count() == 1
