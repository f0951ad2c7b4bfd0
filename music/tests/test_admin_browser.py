"""The curator's song list in Chromium at 1280 px: it fits the screen, and the curation filters
come before the long genre list."""

import pytest
from django.core.management import call_command

from accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_song_list_fits_1280_px_with_the_curation_filters_first(new_page, screenshot):
    call_command("seed_catalog", verbosity=0)
    page = new_page(user=UserFactory(is_staff=True, is_superuser=True, goal="match"))
    page.goto("/admin/music/song/")
    page.wait_for_selector("#result_list")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the page is {width} px wide"
    table, room = page.evaluate(
        "[document.querySelector('#result_list').scrollWidth, document.querySelector('.results').clientWidth]"
    )
    assert table <= room, f"the song list is {table} px wide in {room} px"
    filters = page.locator("#changelist-filter details").evaluate_all("els => els.map(e => e.dataset.filterTitle)")
    assert filters[0] == "tag review" and filters[-1] == "genre", filters
    assert "to review" in page.inner_text("#result_list")
    screenshot("admin song list at 1280 px", page=page)
    page.goto("/admin/music/song/review/")
    page.wait_for_selector("#review-queue")
    screenshot("review queue", page=page)
    assert page.external_requests == []
