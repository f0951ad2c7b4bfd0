"""With the music app present, every result comes with songs, and a correction re-picks them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from detection import services
from detection.tests.factories import CheckInFactory
from music.models import Feedback, Recommendation
from music.tests.factories import load_starter_catalog

pytestmark = pytest.mark.django_db


def test_a_manual_mood_gets_a_recommendation_shown_in_the_api_and_page(api, logged_in, user):
    load_starter_catalog()
    check_in = services.check_in_create_manual(user=user, emotion="sadness")

    body = api.get(f"/api/v1/checkins/{check_in.pk}/").json()
    recommendation = check_in.recommendations.get()
    assert body["recommendation"]["id"] == recommendation.pk and body["recommendation"]["check_in"] == check_in.pk
    items = body["recommendation"]["items"]
    assert len(items) == 10 and [item["rank"] for item in items] == list(range(1, 11))
    # Songs for the stated mood: the top pick is tagged with sadness.
    assert items[0]["song"]["emotions"].get("sadness", 0) > 0
    html = logged_in.get(f"/checkins/{check_in.pk}/").content.decode()
    assert escape(items[0]["song"]["title"]) in html


def test_a_correction_picks_songs_for_the_corrected_mood(api, user):
    check_in = CheckInFactory(owner=user, done=True, confidence=0.3)

    api.post(f"/api/v1/checkins/{check_in.pk}/correction/", {"emotion": "anger"}, format="json")

    latest = check_in.recommendations.order_by("-id").first()
    assert latest.top_emotion == "anger"
    assert api.get(f"/api/v1/checkins/{check_in.pk}/").json()["recommendation"]["id"] == latest.pk


def test_the_result_page_lists_the_recommended_songs(logged_in, user):
    load_starter_catalog()
    check_in = services.check_in_create_manual(user=user, emotion="happiness")

    html = logged_in.get(f"/checkins/{check_in.pk}/").content.decode()

    recommendation = check_in.recommendations.get()
    assert recommendation.items.exists()
    assert 'class="song-list"' in html
    assert escape(recommendation.items.first().song.title) in html
    assert 'id="songs-empty"' not in html


def test_showing_the_songs_costs_the_same_queries_however_many_songs(api, logged_in, user):
    load_starter_catalog()
    check_in = services.check_in_create_manual(user=user, emotion="happiness")
    items = check_in.recommendations.get().items
    counts = {}
    for keep in (10, 2):
        items.filter(rank__gt=keep).delete()
        with CaptureQueriesContext(connection) as page_queries:
            logged_in.get(f"/checkins/{check_in.pk}/")
        with CaptureQueriesContext(connection) as api_queries:
            api.get(f"/api/v1/checkins/{check_in.pk}/")
        counts[keep] = (len(page_queries), len(api_queries))
    assert counts[10] == counts[2]


def test_a_manual_mood_is_explained_as_said_not_seen(api, user):
    load_starter_catalog()
    check_in = services.check_in_create_manual(user=user, emotion="sadness")

    items = api.get(f"/api/v1/checkins/{check_in.pk}/").json()["recommendation"]["items"]
    assert all(item["explanation"].startswith("you said you feel sad · goal:") for item in items)


def test_a_corrections_explanations_name_the_users_choice_and_what_the_photo_looked(api, user):
    load_starter_catalog()
    check_in = CheckInFactory(owner=user, done=True, top_emotion="happiness", confidence=0.4)

    api.post(f"/api/v1/checkins/{check_in.pk}/correction/", {"emotion": "surprise"}, format="json")

    items = api.get(f"/api/v1/checkins/{check_in.pk}/").json()["recommendation"]["items"]
    assert items and all(
        item["explanation"].startswith("you said you feel surprised (the photo looked happy) · goal:") for item in items
    )
    assert not any("you look" in item["explanation"] for item in items)


def test_music_shows_which_check_in_a_list_was_made_for(api, user):
    load_starter_catalog()
    check_in = services.check_in_create_manual(user=user, emotion="sadness")
    by_hand = api.post("/api/v1/recommendations/", {"emotion": "sadness"}, format="json").json()

    lists = {r["id"]: r["check_in"] for r in api.get("/api/v1/recommendations/").json()["results"]}
    assert lists == {check_in.recommendations.get().pk: check_in.pk, by_hand["id"]: None}
    exported = api.get("/api/v1/me/export/").json()["music"]["recommendations"]
    assert sorted(r["check_in"] or 0 for r in exported) == [0, check_in.pk]


@pytest.mark.parametrize("how", ["one", "many"])
def test_deleting_check_ins_deletes_their_lists_but_keeps_the_feedback(user, how):
    load_starter_catalog()
    check_in = services.check_in_create_manual(user=user, emotion="sadness")
    services.check_in_correct(check_in=check_in, emotion="anger")
    other = services.check_in_create_manual(user=user, emotion="happiness")
    lists = list(check_in.recommendations.all())
    song = lists[0].items.first().song
    Feedback.objects.create(user=user, song=song, kind="like", recommendation=lists[0])

    if how == "one":
        check_in.delete()
    else:
        _, deleted = type(check_in).objects.filter(pk=check_in.pk).delete()
        assert deleted["detection.CheckIn"] == 1 and deleted["music.Recommendation"] == 2

    assert len(lists) == 2 and not Recommendation.objects.filter(pk__in=[r.pk for r in lists]).exists()
    assert Feedback.objects.get(user=user, song=song).recommendation is None
    assert other.recommendations.count() == 1
