"""A fresh install plays on the first click: the shipped catalogue, a selfie, then "Play all" loads
Spotify's player for song 1, and nothing reached another host before that click."""

import re
from urllib.parse import urlparse

import pytest
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from detection.tests import images

pytestmark = [pytest.mark.browser, pytest.mark.embedded, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("model_required")
def test_a_selfie_on_a_fresh_install_then_play_all_loads_spotify_for_song_one(
    new_page, live_server, screenshot, tmp_path
):
    call_command("seed_catalog", verbosity=0)  # what bin/run does on a fresh install
    user = UserFactory(consented=True, goal="match")
    photo = tmp_path / "selfie.jpg"
    photo.write_bytes(images.face_jpeg())
    page = new_page(user=user)
    requests, errors, spotify = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def stub(route):  # Spotify's host answers from here: nothing leaves the machine
        spotify.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>stub player</title>")

    page.route("https://open.spotify.com/**", stub)
    page.goto("/feel/")
    page.set_input_files("#image-input", str(photo))
    page.click("#upload-submit")
    page.wait_for_url(re.compile(r"/checkins/\d+/$"))
    page.wait_for_selector("[data-player]:not([hidden])", timeout=20_000)
    page.wait_for_load_state("networkidle")
    own = urlparse(live_server.url).netloc
    before = [u for u in requests if u.startswith("http")]
    assert all(urlparse(u).netloc == own for u in before), before
    assert page.external_requests == [] and spotify == [] and page.locator("iframe").count() == 0
    assert "whole song if you are logged in to Spotify" in page.inner_text("[data-np-spotify-note]")
    screenshot("result before the click", page=page)

    first = page.locator(".song-row .song-main").first
    track = first.get_attribute("data-embed")
    assert track and track.startswith("https://open.spotify.com/embed/track/"), "song 1 has a Spotify player"
    page.get_by_role("button", name="Play all").click()
    frame = page.locator("[data-np-embed] iframe")
    frame.wait_for()
    assert frame.get_attribute("src") == track
    assert [urlparse(u).netloc for u in spotify] == ["open.spotify.com"]
    screenshot("Spotify player for song 1", page=page)
    assert errors == [] and page.external_requests == []
