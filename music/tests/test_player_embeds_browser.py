"""Implicit feedback from the Spotify and YouTube embeds in Chromium, through their player APIs.

Every host but the test server is blocked (the harness); the providers' API addresses are
routed to local fakes of the documented surface (music/tests/fake_players/), which emit the
events a real player would when the test tells them to play, and the embeds' own pages to a
stub. The real APIs are never contacted."""

from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory
from detection.services import check_in_create_manual
from music.models import Feedback, Recommendation
from music.tests.factories import SongFactory
from music.tests.test_player_browser import watch
from tests.browser.harness import wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKES = Path(__file__).parent / "fake_players"
SPOTIFY_IDS = ["4sPmO7WMQUAf45kwMOtONw", "1lDWb6b6ieDQ2xT7ewTC3G", "0VjIjW4GlUZAMYd2vXMi3b"]
YOUTUBE_IDS = ["YQHsXMglC9A", "dQw4w9WgXcQ", "kJQP7kiw5Fk"]


@pytest.fixture(autouse=True)
def plain_urls(site_urls):
    pass


@pytest.fixture
def listener():
    return UserFactory(username="embed-listener", goal="match")


def serve_embeds(page, *, apis: bool) -> list[str]:
    """The embeds' pages answer with a stub; with `apis`, the player APIs with the local fakes.
    Returns the list of API requests that reached a fake."""
    served = []

    def fake(name):
        def handler(route):
            served.append(route.request.url)
            route.fulfill(status=200, content_type="text/javascript", path=str(FAKES / name))

        return handler

    def stub(route):
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>stub player</title>")

    if apis:
        page.route(settings.PLAYER_API_URLS["spotify"], fake("spotify-iframe-api.js"))
        page.route(settings.PLAYER_API_URLS["youtube"], fake("youtube-iframe-api.js"))
    page.route("https://open.spotify.com/embed/track/**", stub)
    page.route("https://www.youtube-nocookie.com/embed/**", stub)
    return served


def result_with(listener, emotion: str, **ids):
    """A result page's list of songs playable only through an embed."""
    for n, (field, values) in enumerate(ids.items()):
        for i, value in enumerate(values):
            SongFactory(title=f"Embed {n}.{i}", artist=f"Band {n}.{i}", emotions={emotion: 1.0}, **{field: value})
    check_in = check_in_create_manual(user=listener, emotion=emotion)
    return check_in, [item.song for item in check_in.recommendations.get().items.all()]


def play_button(page, song):
    return page.get_by_role("button", name=f"Play {song.title} by {song.artist}")


def test_a_spotify_embed_played_past_30_seconds_counts_as_played_once(new_page, listener):
    check_in, songs = result_with(listener, "sadness", spotify_id=SPOTIFY_IDS)
    page = new_page(user=listener)
    seen = watch(page)
    served = serve_embeds(page, apis=True)
    posts = []
    page.on("request", lambda r: r.method == "POST" and "/api/v1/feedback/" in r.url and posts.append(r.url))
    page.goto(f"/checkins/{check_in.pk}/")
    page.wait_for_selector("[data-player]:not([hidden])")
    assert served == []  # nothing from Spotify before the click
    play_button(page, songs[0]).click()
    wait_for_js(page, "window.fakeSpotify && window.fakeSpotify.controllers.length === 1")
    assert served == [settings.PLAYER_API_URLS["spotify"]]
    assert page.locator("[data-np-embed] iframe").get_attribute("src").endswith(f"/embed/track/{songs[0].spotify_id}")

    page.evaluate("window.fakeSpotify.play(0, 20)")
    wait_for_js(page, "document.querySelector('[data-np-elapsed]').textContent === '0:20'")
    assert not Feedback.objects.exists()  # 20 s is not yet a play
    page.evaluate("window.fakeSpotify.play(21, 40)")
    row = page.locator(".song-row").nth(0)
    row.locator(".feedback-status", has_text="Counted as played").wait_for()
    played = Feedback.objects.get(user=listener)
    assert (played.kind, played.song, played.recommendation) == ("played", songs[0], Recommendation.objects.get())
    assert 30 <= played.position <= 32

    # Nothing twice: play on, move to the next song and back, and play it past 30 s again.
    page.evaluate("window.fakeSpotify.play(41, 60)")
    page.get_by_role("button", name="Next song").click()
    wait_for_js(page, "window.fakeSpotify.controllers.length === 2")
    page.get_by_role("button", name="Previous song").click()
    wait_for_js(page, "window.fakeSpotify.controllers.length === 3")
    page.evaluate("window.fakeSpotify.play(0, 40)")
    page.wait_for_timeout(300)
    assert list(Feedback.objects.filter(user=listener).values_list("kind", "song")) == [("played", songs[0].pk)]
    assert len(posts) == 1 and served == [settings.PLAYER_API_URLS["spotify"]]  # the API loaded once
    assert seen["errors"] == [] and page.external_requests == []


def test_a_youtube_embed_left_at_4_seconds_counts_as_a_skip(new_page, listener):
    check_in, songs = result_with(listener, "happiness", youtube_id=YOUTUBE_IDS)
    page = new_page(user=listener)
    seen = watch(page)
    served = serve_embeds(page, apis=True)
    page.goto(f"/checkins/{check_in.pk}/")
    page.wait_for_selector("[data-player]:not([hidden])")
    play_button(page, songs[0]).click()
    frame = page.locator("[data-np-embed] iframe")
    assert "enablejsapi=1" in frame.get_attribute("src")  # the video plays before the API is there
    wait_for_js(page, "window.fakeYouTube && window.fakeYouTube.players.length === 1")
    assert served == [settings.PLAYER_API_URLS["youtube"]]

    page.evaluate("window.fakeYouTube.play(4)")
    wait_for_js(page, "document.querySelector('[data-np-elapsed]').textContent === '0:04'")
    page.get_by_role("button", name="Next song").click()
    page.locator(".song-row").nth(0).locator(".feedback-status", has_text="Counted as skipped").wait_for()
    skipped = Feedback.objects.get(user=listener)
    assert (skipped.kind, skipped.song) == ("skipped", songs[0])
    assert 3.5 <= skipped.position <= 4.6
    assert seen["errors"] == [] and page.external_requests == []


def test_a_blocked_player_api_leaves_the_embed_playing_and_records_nothing(new_page, listener):
    check_in, songs = result_with(listener, "neutral", spotify_id=SPOTIFY_IDS[:2], youtube_id=YOUTUBE_IDS[:2])
    spotify = next(s for s in songs if s.spotify_id and not s.youtube_id)
    youtube = next(s for s in songs if s.youtube_id)
    page = new_page(user=listener)
    seen = watch(page)
    # The browser's own note of each request it was made to refuse (Chromium prints one for any
    # failed load, whatever the page does); anything else would be the page's error.
    blocked_notes = []
    page.on(
        "console",
        lambda msg: msg.type == "error" and msg.location.get("url") in settings.PLAYER_API_URLS.values()
        and blocked_notes.append(msg.text),
    )  # fmt: skip
    serve_embeds(page, apis=False)  # the harness blocks the API hosts
    page.goto(f"/checkins/{check_in.pk}/")
    page.wait_for_selector("[data-player]:not([hidden])")
    for song, src in ((spotify, f"https://open.spotify.com/embed/track/{spotify.spotify_id}"),
                      (youtube, f"https://www.youtube-nocookie.com/embed/{youtube.youtube_id}?")):  # fmt: skip
        play_button(page, song).click()
        frame = page.locator("[data-np-embed] iframe")
        frame.wait_for()
        assert frame.get_attribute("src").startswith(src)
        wait_for_js(page, "document.querySelector('[data-np-embed] iframe').contentDocument === null")
        assert page.locator("[data-np-note]").inner_text().startswith("Playing on")
    page.wait_for_timeout(500)
    assert not Feedback.objects.exists()
    assert sorted(page.external_requests) == sorted(settings.PLAYER_API_URLS.values())
    assert blocked_notes == ["Failed to load resource: net::ERR_FAILED"] * 2
    assert [e for e in seen["errors"] if e not in blocked_notes] == []
