"""The mood history page in Chromium: charts render from the server alone, offline, on desktop and phone."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from detection.models import CheckIn
from history.tests.builders import check_in_at
from music.tests.factories import SongFactory
from tests.browser.harness import DESKTOP, PHONE

# Also run in bin/test's SQLite pass: every chart, "What lifted me" included, must work on bin/run's database.
pytestmark = [pytest.mark.browser, pytest.mark.embedded]

MOODS = ["happiness", "sadness", "neutral", "happiness", "fear", "surprise", "anger", "happiness", "contempt"]


@pytest.fixture
def listener(transactional_db):
    user = UserFactory(consented=True)
    now = timezone.now()
    songs = [SongFactory(title=f"Sunny tune {i}", artist="The Brights") for i in range(3)]
    for day in range(80):
        mood = MOODS[day % len(MOODS)]
        when = now - timedelta(days=day, hours=(day * 5) % 12)
        check_in_at(user, when, mood, confidence=0.45 + (day % 5) / 10, goal="lift" if mood == "sadness" else "match",
                songs=songs, feedback={songs[day % 3]: ["played", "like"]} if day % 2 else {})  # fmt: skip
        if mood == "sadness":
            check_in_at(user, when + timedelta(hours=2), "happiness", confidence=0.9)
    return user


def test_the_history_page_draws_its_charts_offline_on_desktop_and_phone(new_page, listener, screenshot):
    page = new_page(user=listener)
    page.goto("/history/?range=90")
    assert page.locator("h1").inner_text() == "Your mood history"
    for chart in ("timeline", "mix", "distribution", "hours", "calendar"):
        svg = page.locator(f"svg#chart-{chart}")
        assert svg.is_visible()
        box = svg.bounding_box()
        assert box["width"] > 300 and box["height"] > 50, chart
        assert svg.get_attribute("role") == "img"
    assert page.locator("#chart-timeline circle").count() > 80
    assert "you were mostly" in page.locator("#recap").inner_text()
    lifted = page.locator("#lifted").inner_text()
    # Every sad check-in had a lift goal and a happy follow-up two hours later: each one helped.
    assert "What lifted me" in lifted and re.search(r"felt better [1-9]\d* times", lifted), lifted
    assert page.locator("#lifted li").count() > 0  # examples of check-ins that helped
    page.locator("#mix details summary").click()
    assert page.locator("#mix table tbody tr").count() > 30
    assert page.external_requests == []
    screenshot(f"history-desktop-{connection.settings_dict['ENGINE'].rsplit('.', 1)[-1]}", page=page)

    phone = new_page(viewport=PHONE, user=listener)
    phone.goto("/history/?range=30")
    assert phone.locator("svg#chart-distribution").bounding_box()["width"] <= PHONE["width"]
    # Only the calendar may scroll sideways, inside its own box; the page itself never does.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("history-phone", page=phone)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_deleting_the_whole_history_in_the_browser_asks_for_confirmation(new_page, listener, screenshot, viewport):
    page = new_page(viewport=viewport, user=listener)
    page.goto("/history/")
    page.get_by_role("link", name="Delete my whole mood history…").click()
    # The first click deletes nothing: it asks, in the words every delete uses.
    assert page.url.endswith("/history/delete/")
    assert page.get_by_role("heading", name="Delete your mood history?").is_visible()
    assert CheckIn.objects.filter(owner=listener).exists()
    screenshot("history-delete-confirm", page=page)
    page.get_by_role("button", name="Yes, delete your mood history").click()
    page.wait_for_url("**/history/")
    assert not CheckIn.objects.filter(owner=listener).exists()
    assert "Your mood history is deleted" in page.locator(".messages").inner_text()
    assert page.locator("#history-empty").is_visible()
    assert page.get_by_role("link", name="How are you feeling? Take your first selfie").is_visible()
    screenshot("history-empty", page=page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_deleting_a_history_period_asks_first_then_deletes_only_that_period(new_page, listener, screenshot, viewport):
    week_ago = timezone.now() - timedelta(days=6)
    in_week = CheckIn.objects.filter(owner=listener, created_at__gte=week_ago.replace(hour=0, minute=0))
    total, in_period = CheckIn.objects.filter(owner=listener).count(), in_week.count()
    page = new_page(viewport=viewport, user=listener)
    page.goto("/history/?range=7")
    page.get_by_role("link", name="Delete this period's check-ins…").click()
    # The first click deletes nothing: it asks, naming the period, in the words every delete uses.
    assert page.get_by_role("heading", name="Delete these check-ins?").is_visible()
    assert f"The {in_period} check-ins from" in page.locator("#confirm-delete").inner_text()
    assert CheckIn.objects.filter(owner=listener).count() == total
    screenshot("history-period-delete-confirm", page=page)
    page.get_by_role("button", name="Yes, delete these check-ins").click()
    page.wait_for_url("**/history/**")
    assert f"Deleted {in_period} check-ins from" in page.locator(".messages").inner_text()
    assert CheckIn.objects.filter(owner=listener).count() == total - in_period > 0
    screenshot("history-period-deleted", page=page)


def test_deleting_one_check_in_from_the_history_asks_first(new_page, listener, screenshot):
    page = new_page(viewport=PHONE, user=listener)
    page.goto("/history/")
    first = page.locator(".check-in").first
    check_in_id = int(first.get_attribute("id").removeprefix("check-in-"))
    first.get_by_role("link", name="Delete…").click()
    assert page.get_by_role("heading", name="Delete this check-in?").is_visible()
    assert CheckIn.objects.filter(pk=check_in_id).exists()
    screenshot("check-in-delete-confirm", page=page)
    page.get_by_role("button", name="Yes, delete this check-in").click()
    page.wait_for_url("**/history/")
    assert not CheckIn.objects.filter(pk=check_in_id).exists()
    assert "Deleted your check-in of" in page.locator(".messages").inner_text()
