"""The Content-Security-Policy on the result page allows exactly the player's media, frame and
image sources and its providers' API hosts for scripts (settings.PLAYER_CSP_SOURCES), and no
other outside host; a page without the player runs no outside script."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import UserFactory
from detection.services import check_in_create_manual
from music.tests.factories import SongFactory
from music.tests.fake_itunes import FakeItunes

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    return {words[0]: words[1:] for part in header.split(";") if (words := part.split())}


def test_the_result_page_allows_exactly_the_players_sources(client):
    user = UserFactory(goal="match")
    song = SongFactory(emotions={"happiness": 1.0}, youtube_id="YQHsXMglC9A", spotify_id="4sPmO7WMQUAf45kwMOtONw")
    check_in = check_in_create_manual(user=user, emotion="happiness")
    client.force_login(user)
    response = client.get(reverse("detection:check-in", args=[check_in.pk]))
    assert response.status_code == 200 and "data-player" in response.content.decode()
    csp = directives(response["Content-Security-Policy"])

    assert csp["media-src"] == ["'self'", "https://audio-ssl.itunes.apple.com"]
    assert csp["frame-src"] == ["https://www.youtube-nocookie.com", "https://open.spotify.com"]
    assert csp["img-src"] == ["'self'", "data:", "blob:", "https://*.mzstatic.com"]
    # The player APIs' hosts, for scripts, and nothing more.
    assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'", "https://open.spotify.com", "https://www.youtube.com"]
    for url in settings.PLAYER_API_URLS.values():
        assert any(url.startswith(origin + "/") for origin in csp["script-src"][2:]), url
    # No other directive names an outside host.
    outside = {
        name: sources for name, sources in csp.items()
        if name not in ("media-src", "frame-src", "img-src", "script-src") and any("." in s for s in sources)
    }  # fmt: skip
    assert outside == {}
    # What the player loads fits the policy: the song's embeds, and what enrich_catalog stores.
    for url in song.embeds.values():
        assert any(url.startswith(origin + "/") for origin in csp["frame-src"]), url
    with FakeItunes() as fake:
        track = fake.add("Adele", "Hello")
    assert track["previewUrl"].startswith(csp["media-src"][1] + "/")
    host = track["artworkUrl100"].split("/")[2]
    assert host.endswith(csp["img-src"][-1].removeprefix("https://*"))


def test_pages_without_the_player_run_no_outside_script(client):
    client.force_login(UserFactory())
    for name in ("music:mood_pick", "music:playlist_list"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'", "'wasm-unsafe-eval'"], name
    for name in ("music:song_list", "music:likes"):  # pages with the player
        csp = directives(client.get(reverse(name))["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'", *settings.PLAYER_CSP_SOURCES["script-src"]], name
