"""Deleting asks first, everywhere (issue 30): on the result page and for playlists, the first click
deletes nothing and shows the one confirmation; confirming deletes and says what went. Desktop and
phone. (The history page's deletes are in history/tests/test_browser.py.)"""

import pytest

from accounts.tests.factories import UserFactory
from detection import services
from detection.models import CheckIn
from music.library.services import playlist_from_recommendation
from music.models import Playlist
from music.recommendation.services import recommendation_create
from music.tests.factories import SongFactory
from tests.browser.harness import DESKTOP, PHONE

pytestmark = pytest.mark.browser
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


@pytest.fixture
def user(db):
    return UserFactory(consented=True)


@VIEWPORTS
def test_delete_this_check_in_asks_first_then_deletes_it(new_page, user, screenshot, viewport):
    check_in = services.check_in_create_manual(user=user, emotion="sadness")
    page = new_page(viewport=viewport, user=user)
    page.goto(f"/checkins/{check_in.pk}/")

    page.get_by_role("link", name="Delete this check-in").click()

    assert page.get_by_role("heading", name="Delete this check-in?").is_visible()
    assert check_in.label in page.locator("#confirm-delete").inner_text()
    assert CheckIn.objects.filter(pk=check_in.pk).exists()
    screenshot("confirm", page=page)
    page.get_by_role("button", name="Yes, delete this check-in").click()
    page.wait_for_url("**/feel/")
    assert not CheckIn.objects.filter(pk=check_in.pk).exists()
    assert f"Deleted your check-in of {check_in.label}." in page.locator(".messages").inner_text()
    screenshot("deleted", page=page)


def test_keeping_the_check_in_goes_back_to_it(new_page, user):
    check_in = services.check_in_create_manual(user=user, emotion="happiness")
    page = new_page(user=user)
    page.goto(f"/checkins/{check_in.pk}/delete/")
    page.get_by_role("link", name="No, keep it").click()
    page.wait_for_url(f"**/checkins/{check_in.pk}/")
    assert CheckIn.objects.filter(pk=check_in.pk).exists()


@VIEWPORTS
def test_delete_playlist_asks_first_then_deletes_it(new_page, user, screenshot, viewport):
    SongFactory(title="Rain song", emotions={"sadness": 1.0})
    recommendation = recommendation_create(user=user, emotions={"sadness": 1.0})
    playlist = playlist_from_recommendation(user=user, recommendation=recommendation, name="Rainy day")
    page = new_page(viewport=viewport, user=user)
    page.goto(f"/playlists/{playlist.pk}/")

    page.get_by_role("link", name="Delete playlist").click()

    assert page.get_by_role("heading", name="Delete this playlist?").is_visible()
    assert "Rainy day" in page.locator("#confirm-delete").inner_text()
    assert Playlist.objects.filter(pk=playlist.pk).exists()
    screenshot("confirm", page=page)
    page.get_by_role("button", name="Yes, delete this playlist").click()
    page.wait_for_url("**/playlists/")
    assert not Playlist.objects.exists()
    assert "Deleted playlist “Rainy day”." in page.locator(".messages").inner_text()
    screenshot("deleted", page=page)
