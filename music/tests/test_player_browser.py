"""The in-page player in Chromium: "Play all" as a queue, implicit plays and skips that reach the
recommender, embeds loaded only after a click, keyboard control, the page without JavaScript,
and no console errors. Previews are short tones served by the test server (preview_urls)."""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory
from detection.services import check_in_create_manual
from music.models import Feedback, Recommendation, Song
from music.tests.factories import SongFactory
from tests.browser.harness import PHONE, wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def preview_server(preview_urls):
    pass


@pytest.fixture
def listener():
    return UserFactory(username="player-listener", goal="match")


def watch(page) -> dict:
    """Record console errors, failed responses and every request (with the host) on this page."""
    seen = {"errors": [], "requests": []}
    page.on("console", lambda msg: msg.type == "error" and seen["errors"].append(msg.text))
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    page.on("response", lambda r: r.status >= 400 and seen["errors"].append(f"{r.status} {r.url}"))
    page.on("request", lambda r: seen["requests"].append(r.url))
    return seen


def preview(live_server, seconds: int, song: Song) -> str:
    return f"{live_server.url}/test-previews/{seconds}.wav?song={song.pk}"


def now_playing(title: str) -> str:
    return f"document.querySelector('[data-np-title]').textContent.startsWith({title!r})"


def audio(page, expression: str):
    return page.evaluate(f"(() => {{ const a = document.querySelector('[data-np-audio]'); return {expression}; }})()")


def test_play_all_plays_song_one_then_song_two_and_counts_song_one_as_played(
    new_page, listener, live_server, screenshot
):
    for i in range(12):
        SongFactory(title=f"Rain {i}", artist=f"Cloud {i}", emotions={"sadness": 1.0})
    check_in = check_in_create_manual(user=listener, emotion="sadness")
    rec = check_in.recommendations.get()
    songs = [item.song for item in rec.items.all()]
    for rank, song in enumerate(songs, start=1):
        song.preview_url = preview(live_server, 2 if rank == 1 else 20, song)
        song.save()

    page = new_page(user=listener)
    seen = watch(page)
    page.goto(f"/checkins/{check_in.pk}/")
    page.wait_for_selector("[data-player]:not([hidden])")
    page.get_by_role("button", name="Play all").click()
    wait_for_js(page, now_playing(songs[0].title))
    # Song 1 ends after 2 s and the queue moves on by itself.
    wait_for_js(page, now_playing(songs[1].title), timeout=15)
    wait_for_js(page, "!document.querySelector('[data-np-audio]').paused && "
                      "document.querySelector('[data-np-audio]').currentTime > 0.3")  # fmt: skip
    assert audio(page, "a.src") == songs[1].preview_url
    rows = page.locator(".song-row")
    assert "now-playing" in rows.nth(1).get_attribute("class")
    rows.nth(0).locator(".feedback-status", has_text="Counted as played").wait_for()
    played = Feedback.objects.get(user=listener, kind="played")
    assert played.song == songs[0] and played.recommendation == rec and 1.5 <= played.position <= 2.2
    assert not Feedback.objects.filter(kind="skipped").exists()
    wait_for_js(page, "document.querySelector('[data-np-elapsed]').textContent === '0:01'")
    assert page.locator("[data-np-total]").inner_text() == "0:20"
    screenshot("result page, playing all (desktop)", page=page)
    assert seen["errors"] == [] and page.external_requests == []


def test_a_skip_after_3_seconds_is_recorded_and_the_next_list_reflects_it(new_page, listener, live_server):
    for artist in range(10):
        for take in range(2):
            song = SongFactory(title=f"Grey {artist}.{take}", artist=f"Band {artist}", emotions={"sadness": 1.0})
            song.preview_url = preview(live_server, 20, song)
            song.save()
    page = new_page(user=listener)
    seen = watch(page)
    page.goto("/mood/")
    page.get_by_label("Sadness (sad)").check()
    page.get_by_role("button", name="Find songs").click()
    page.wait_for_url("**/recommendations/*/")
    first = Recommendation.objects.get(user=listener)
    skipped = first.items.first().song
    page.wait_for_selector("[data-player]:not([hidden])")
    # Keyboard: a single key does nothing (WCAG 2.1.4); Shift+K plays (the whole list), Shift+N moves on.
    page.locator("h1").click()
    page.keyboard.press("k")
    assert page.evaluate("document.querySelector('[data-np-audio]').paused")
    page.keyboard.press("Shift+K")
    wait_for_js(page, "document.querySelector('[data-np-audio]').currentTime >= 3", timeout=15)
    page.keyboard.press("Shift+N")
    page.locator(".song-row").nth(0).locator(".feedback-status", has_text="Counted as skipped").wait_for()
    page.keyboard.press("Shift+K")  # pause song 2: leaving the page is not a skip
    event = Feedback.objects.get(user=listener)
    assert (event.kind, event.song, event.recommendation) == ("skipped", skipped, first)
    assert 3 <= event.position < 5

    page.goto("/mood/")
    page.get_by_label("Sadness (sad)").check()
    page.get_by_role("button", name="Find songs").click()
    page.wait_for_url(re.compile(rf"/recommendations/(?!{first.pk}/)\d+/$"))
    last = page.locator(".song-row").last
    assert skipped.artist in last.inner_text()
    assert "you skipped this artist once" in last.locator(".explanation").inner_text()
    assert seen["errors"] == [] and page.external_requests == []


def test_a_youtube_only_song_loads_its_embed_only_after_the_click(new_page, listener, live_server, screenshot):
    SongFactory(title="Only on YouTube", artist="Vid", emotions={"happiness": 1.0}, youtube_id="YQHsXMglC9A")
    for i in range(4):
        SongFactory(title=f"Sun {i}", emotions={"happiness": 1.0})
    check_in = check_in_create_manual(user=listener, emotion="happiness")
    page = new_page(viewport=PHONE, user=listener)
    seen = watch(page)
    stub_hits = []

    def stub(route):
        # The provider's host answers from here: nothing leaves the machine.
        stub_hits.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>stub player</title>")

    page.route("https://www.youtube-nocookie.com/**", stub)
    # The player API, loaded after the click too (test_player_embeds_browser.py tests what it reports).
    page.route(
        settings.PLAYER_API_URLS["youtube"],
        lambda route: stub_hits.append(route.request.url)
        or route.fulfill(content_type="text/javascript", path=str(Path(__file__).parent / "fake_players/youtube-iframe-api.js")),
    )  # fmt: skip
    page.goto(f"/checkins/{check_in.pk}/")
    page.wait_for_selector("[data-player]:not([hidden])")
    page.wait_for_load_state("networkidle")
    own_host = urlparse(live_server.url).netloc
    before = list(seen["requests"])
    assert before and all(urlparse(url).netloc == own_host for url in before if url.startswith("http")), before
    assert page.locator("iframe").count() == 0 and stub_hits == []

    page.get_by_role("button", name="Play Only on YouTube by Vid").click()
    frame = page.locator("[data-np-embed] iframe")
    frame.wait_for()
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/YQHsXMglC9A?")
    wait_for_js(page, "document.querySelector('[data-np-embed] iframe').contentDocument === null")
    assert sorted(urlparse(u).netloc for u in stub_hits) == ["www.youtube-nocookie.com", "www.youtube.com"]
    after = seen["requests"][len(before) :]
    hosts = {own_host, "www.youtube-nocookie.com", "www.youtube.com"}
    assert {urlparse(u).netloc for u in after if u.startswith("http")} <= hosts
    assert page.locator("[data-np-note]").inner_text() == "Playing on YouTube."
    screenshot("result page, YouTube embed after the click (phone)", page=page)
    assert seen["errors"] == [] and page.external_requests == []


def test_the_player_on_phone_and_without_javascript(new_page, browser, listener, live_server, screenshot):
    for i in range(6):
        song = SongFactory(title=f"Calm {i}", emotions={"neutral": 1.0})
        if i % 2 == 0:
            song.preview_url = preview(live_server, 20, song)
            song.artwork_url = f"{live_server.url}/static/favicon.svg"
            song.save()
    check_in = check_in_create_manual(user=listener, emotion="neutral")
    page = new_page(viewport=PHONE, user=listener)
    seen = watch(page)
    page.goto(f"/checkins/{check_in.pk}/")
    first_playable = page.locator("[data-track][data-preview]").first
    first_playable.locator("[data-play]").click()
    wait_for_js(page, "!document.querySelector('[data-np-audio]').paused")
    page.wait_for_selector("[data-np-artwork]:not([hidden])")
    assert first_playable.locator("[data-play]").inner_text() == "Pause"
    screenshot("result page, playing a preview (phone)", page=page)
    first_playable.locator("[data-play]").click()
    wait_for_js(page, "document.querySelector('[data-np-audio]').paused")
    assert seen["errors"] == []

    plain = new_page(viewport=PHONE, user=listener, java_script_enabled=False)
    plain.goto(f"/checkins/{check_in.pk}/")
    assert plain.locator("[data-player]").is_hidden()
    assert plain.locator("[data-play]").first.is_hidden()
    row = plain.locator(".song-row").first
    assert row.get_by_role("link", name=re.compile("YouTube")).is_visible()
    assert plain.locator(".song-links a", has_text="Preview").count() == 3
    screenshot("result page without JavaScript (phone)", page=plain)


def test_the_music_pages_log_no_console_errors(new_page, listener, live_server):
    from music.library.services import playlist_from_recommendation
    from music.recommendation.services import recommendation_create

    for i in range(12):
        SongFactory(title=f"Song {i}", emotions={"happiness": 1.0})
    rec = recommendation_create(user=listener, emotions={"happiness": 1.0})
    playlist = playlist_from_recommendation(user=listener, recommendation=rec)
    from music.library.services import feedback_create

    feedback_create(user=listener, song=rec.items.first().song, kind="like")
    check_in = check_in_create_manual(user=listener, emotion="happiness")
    page = new_page(user=listener)
    seen = watch(page)
    for url in (
        "/", f"/checkins/{check_in.pk}/", f"/recommendations/{rec.pk}/", "/playlists/",
        f"/playlists/{playlist.pk}/", "/likes/", "/songs/", "/mood/",
    ):  # fmt: skip
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert seen["errors"] == [], seen["errors"]
    assert page.external_requests == []
    # The curator's side: the song page with its Listening group, and the song list.
    curator = new_page(user=UserFactory(username="curator", is_staff=True, is_superuser=True))
    seen = watch(curator)
    song = rec.items.first().song
    curator.goto(f"/admin/music/song/{song.pk}/change/")
    assert curator.get_by_label("YouTube id").is_visible()
    curator.goto("/admin/music/song/?playable=none")
    curator.wait_for_load_state("networkidle")
    assert seen["errors"] == [], seen["errors"]


def test_the_player_starts_when_the_finished_result_is_swapped_into_the_page(new_page, listener, live_server):
    from detection.models import CheckIn, manual_distribution
    from music.recommendation.services import recommendation_create

    for i in range(6):
        song = SongFactory(title=f"Late {i}", emotions={"happiness": 1.0})
        song.preview_url = preview(live_server, 20, song)
        song.save()
    check_in = CheckIn.objects.create(owner=listener, kind=CheckIn.Kind.MANUAL, status="queued")
    page = new_page(user=listener)
    seen = watch(page)
    page.goto(f"/checkins/{check_in.pk}/")
    page.wait_for_selector(".progress")
    # The analysis finishes while the page waits: the result, songs and player are swapped in.
    CheckIn.objects.filter(pk=check_in.pk).update(
        status="done", emotions=manual_distribution("happiness"), top_emotion="happiness", confidence=1.0
    )
    check_in.recommendations.add(recommendation_create(user=listener, emotions=manual_distribution("happiness")))
    page.wait_for_selector("[data-player]:not([hidden])", timeout=20_000)
    page.locator("[data-play]").first.click()
    wait_for_js(page, "!document.querySelector('[data-np-audio]').paused")
    assert page.locator("[data-play]").first.inner_text() == "Pause"
    assert seen["errors"] == [] and page.external_requests == []
