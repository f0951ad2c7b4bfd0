"""The mood history page and its delete confirmations: content, filters, bad input, deletes, isolation."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from detection.models import CheckIn, CheckInFrame
from history.tests.builders import check_in_at
from music.tests.factories import SongFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices(user):
    now = timezone.now()
    song = SongFactory(title="Lovely Day", artist="Bill Withers")
    return [
        check_in_at(
            user,
            now - timedelta(days=2),
            "sadness",
            goal="lift",
            songs=[song, SongFactory()],
            feedback={song: ["like"]},
            stored_image=True,
        ),  # fmt: skip
        check_in_at(user, now - timedelta(days=2) + timedelta(hours=2), "happiness", confidence=0.93),
        check_in_at(user, now - timedelta(days=1), "anger", corrected="fear", confidence=0.41),
        check_in_at(user, now - timedelta(days=60), "neutral"),
    ]


def test_a_new_user_is_led_to_the_first_selfie(logged_in):
    response = logged_in.get("/history/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="history-empty"' in html
    assert 'href="/feel/"' in html
    assert "<svg" not in html


def test_the_page_shows_charts_with_text_alternatives_recap_lift_and_check_ins(logged_in, alices):
    response = logged_in.get("/history/")
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("timeline", "mix", "distribution", "hours", "calendar"):
        assert f'id="chart-{chart}"' in html
        assert f'<title id="chart-{chart}-title">' in html and f'<desc id="chart-{chart}-desc">' in html
    assert 'viewBox="0 0 800' in html
    # The default period is 30 days: the 60-day-old check-in is not in it.
    assert "<strong>3</strong> check-ins" in html
    assert "you were mostly" in html
    assert "Bill Withers – Lovely Day" in html
    assert 'id="lifted"' in html and "better 1" in html
    assert "you corrected “anger” (41%)" in html
    assert f'href="/history/checkins/{alices[0].pk}/delete/"' in html
    assert "/api/v1/history/checkins/export/?format=csv" in html
    assert html.count('class="check-in"') == 3


@pytest.mark.parametrize("choice, expected", [("7", 3), ("30", 3), ("90", 4), ("all", 4)])
def test_the_period_can_be_7_30_90_days_or_everything(logged_in, alices, choice, expected):
    html = logged_in.get("/history/", {"range": choice}).content.decode()
    assert f"<strong>{expected}</strong> check-in" in html
    assert f'href="?range={choice}" aria-current="page"' in html


def test_dates_and_mood_filter_the_check_ins_list(logged_in, alices):
    day = timezone.localtime(alices[2].created_at).date().isoformat()
    html = logged_in.get("/history/", {"from": day, "to": day, "emotion": "fear"}).content.decode()
    assert html.count('class="check-in"') == 1
    assert f'id="check-in-{alices[2].pk}"' in html
    html = logged_in.get("/history/", {"range": "all", "emotion": "surprise"}).content.decode()
    assert "No check-ins match" in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": "garbage"}, "Enter a valid date."),
        ({"from": "2026-03-05", "to": "2026-03-01"}, "The start date is after the end date."),
        ({"range": "12"}, "Select a valid choice."),
        ({"to": "9999-12-31"}, "Ensure this value is less than or equal to 2999-12-31."),
        ({"from": "0001-01-01", "to": "0001-01-03"}, "Ensure this value is greater than or equal to 1900-01-01."),
    ],
)
def test_bad_filters_get_a_friendly_message_not_an_error_page(logged_in, alices, params, message):
    response = logged_in.get("/history/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="history-error"' in html and message in html
    assert "Showing the last 30 days instead." in html
    assert 'id="chart-timeline"' in html


def test_the_check_ins_list_is_paginated(logged_in, user):
    now = timezone.now()
    for hour in range(25):
        check_in_at(user, now - timedelta(hours=hour + 1), "neutral")
    first = logged_in.get("/history/").content.decode()
    assert first.count('class="check-in"') == 20
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    second = logged_in.get("/history/", {"page": "2"}).content.decode()
    assert second.count('class="check-in"') == 5
    # A garbage page number shows the first page instead of failing.
    assert logged_in.get("/history/", {"page": "x"}).status_code == 200


def test_the_page_query_count_does_not_grow_with_the_check_ins(logged_in, user, django_assert_max_num_queries):
    now = timezone.now()
    for hour in range(40):
        check_in_at(user, now - timedelta(hours=hour + 1), "sadness", goal="lift", songs=[SongFactory(), SongFactory()])
    with django_assert_max_num_queries(25):
        assert logged_in.get("/history/").status_code == 200


def test_deleting_a_check_in_asks_first_then_removes_it_and_its_files(logged_in, alices, on_commit):
    target = alices[0]
    name = CheckInFrame.objects.get(check_in=target).image.name
    confirm = logged_in.get(f"/history/checkins/{target.pk}/delete/")
    assert confirm.status_code == 200 and b"Delete this check-in?" in confirm.content
    assert b"Yes, delete this check-in" in confirm.content
    assert CheckIn.objects.filter(pk=target.pk).exists()
    # A POST without the confirmation (a plain "Delete" button) only shows the question.
    assert b"Delete this check-in?" in logged_in.post(f"/history/checkins/{target.pk}/delete/").content
    assert CheckIn.objects.filter(pk=target.pk).exists()
    with on_commit():
        response = logged_in.post(f"/history/checkins/{target.pk}/delete/", {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == "/history/"
    assert not CheckIn.objects.filter(pk=target.pk).exists()
    assert not default_storage.exists(name)
    page = logged_in.get("/history/").content.decode()
    assert f"Deleted your check-in of {target.label}." in page


def test_deleting_the_whole_history_needs_the_confirmation(logged_in, user, alices, on_commit):
    name = CheckInFrame.objects.get(check_in=alices[0]).image.name
    confirm = logged_in.get("/history/delete/")
    assert b"All 4 check-ins" in confirm.content and b"Delete your mood history?" in confirm.content
    logged_in.post("/history/delete/")
    assert CheckIn.objects.filter(owner=user).count() == 4
    with on_commit():
        response = logged_in.post("/history/delete/", {"confirm": "yes"}, follow=True)
    assert not CheckIn.objects.filter(owner=user).exists()
    assert not default_storage.exists(name)
    assert b"Your mood history is deleted (4 check-ins)" in response.content
    assert b'id="history-empty"' in response.content


def test_an_outsider_gets_a_404_and_sees_no_data(client, outsider, alices):
    client.force_login(outsider)
    html = client.get("/history/", {"range": "all"}).content.decode()
    assert 'id="history-empty"' in html and "Lovely Day" not in html
    assert client.get(f"/history/checkins/{alices[0].pk}/delete/").status_code == 404
    assert client.post(f"/history/checkins/{alices[0].pk}/delete/", {"confirm": "yes"}).status_code == 404
    client.post("/history/delete/", {"confirm": "yes"})
    assert CheckIn.objects.filter(pk__in=[s.pk for s in alices]).count() == 4


def test_anonymous_is_sent_to_log_in(client, alices):
    for route in ("/history/", "/history/delete/", f"/history/checkins/{alices[0].pk}/delete/"):
        response = client.get(route)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), route
    client.post("/history/delete/", {"confirm": "yes"})
    client.post(f"/history/checkins/{alices[0].pk}/delete/", {"confirm": "yes"})
    assert CheckIn.objects.count() == 4


def test_the_navigation_links_to_the_history(logged_in):
    assert b'href="/history/"' in logged_in.get("/feel/").content


def test_a_period_without_check_ins_says_so_and_offers_a_longer_one(logged_in, user):
    check_in_at(user, timezone.now() - timedelta(days=40), "sadness")
    html = logged_in.get("/history/", {"range": "7"}).content.decode()
    assert 'id="period-empty"' in html and "Try a longer period" in html
    assert 'id="history-empty"' not in html
    assert 'href="?range=90"' in html


def test_deleting_a_period_asks_first_then_deletes_only_that_period(logged_in, user, alices, on_commit):
    name = CheckInFrame.objects.get(check_in=alices[0]).image.name
    page = logged_in.get("/history/", {"range": "7"}).content.decode()
    today = timezone.localdate()
    query = f"from={(today - timedelta(days=6)).isoformat()}&amp;to={today.isoformat()}"
    assert f'href="/history/delete/?{query}"' in page and "Delete this period's check-ins…" in page
    url = f"/history/delete/?{query.replace('&amp;', '&')}"

    confirm = logged_in.get(url).content.decode()
    assert "Delete these check-ins?" in confirm and "The 3 check-ins from" in confirm
    assert f'action="{url.replace("&", "&amp;")}"' in confirm  # what is confirmed is what goes
    logged_in.post(url)  # no confirmation: nothing goes
    assert CheckIn.objects.filter(owner=user).count() == 4
    with on_commit():
        response = logged_in.post(url, {"confirm": "yes"}, follow=True)
    assert list(CheckIn.objects.filter(owner=user)) == [alices[3]]  # the one from 60 days ago stays
    assert not default_storage.exists(name)
    assert "Deleted 3 check-ins from" in response.content.decode()


def test_a_bad_period_deletes_nothing_and_says_so(logged_in, user, alices):
    response = logged_in.post("/history/delete/?from=2026-12-01&to=2026-01-01", {"confirm": "yes"}, follow=True)
    assert CheckIn.objects.filter(owner=user).count() == 4
    assert b"That period is not valid, so nothing was deleted." in response.content


def test_an_outsider_deleting_a_period_deletes_nothing_of_anyone_else(client, outsider, alices):
    client.force_login(outsider)
    client.post("/history/delete/?range=90", {"confirm": "yes"})
    assert CheckIn.objects.filter(pk__in=[s.pk for s in alices]).count() == 4
