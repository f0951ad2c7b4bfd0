"""Provider ids: strict formats, links pasted instead of ids, and the links and embeds a song offers."""

import pytest
from django.core.exceptions import ValidationError

from music.catalog.providers import normalize_provider_id
from music.tests.factories import SongFactory


@pytest.mark.parametrize(
    ("provider", "value", "expected"),
    [
        ("youtube", "dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("youtube", " https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42 ", "dQw4w9WgXcQ"),
        ("youtube", "https://youtu.be/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("youtube", "https://music.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("spotify", "4uLU6hMCjMI75M1A2tKUQC", "4uLU6hMCjMI75M1A2tKUQC"),
        ("spotify", "https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC?si=abc", "4uLU6hMCjMI75M1A2tKUQC"),
        ("spotify", "spotify:track:4uLU6hMCjMI75M1A2tKUQC", "4uLU6hMCjMI75M1A2tKUQC"),
        ("apple_music", "1440818664", "1440818664"),
        ("apple_music", "https://music.apple.com/us/song/never-gonna-give-you-up/1558533900", "1558533900"),
        ("deezer", "https://www.deezer.com/en/track/781592622", "781592622"),
        ("deezer", "", ""),
    ],
)
def test_ids_and_track_links_give_the_bare_id(provider, value, expected):
    assert normalize_provider_id(provider, value) == expected


@pytest.mark.parametrize(
    ("provider", "value"),
    [
        ("youtube", "dQw4w9WgXc"),  # 10 characters
        ("youtube", "dQw4w9WgXcQQ"),  # 12
        ("youtube", "dQw4w9WgXcR"),  # the last character of a real id is one of 16
        ("youtube", "dQw4w9WgX<Q"),
        ("youtube", "https://evil.example/watch?v=dQw4w9WgXcQ"),
        ("youtube", "javascript:alert(1)"),
        ("spotify", "4uLU6hMCjMI75M1A2tKUQ"),
        ("spotify", "4uLU6hMCjMI75M1A2tKU_C"),
        ("spotify", "https://open.spotify.com/album/4uLU6hMCjMI75M1A2tKUQC"),
        ("apple_music", "0123"),
        ("apple_music", "12345678901234567890"),
        ("deezer", "-5"),
        ("deezer", "１２３"),  # full-width digits
    ],
)
def test_malformed_ids_are_refused(provider, value):
    with pytest.raises(ValueError, match="is not a valid"):
        normalize_provider_id(provider, value)


@pytest.mark.django_db
def test_ids_replace_search_links_and_give_embeds():
    bare = SongFactory(artist="Adele", title="Hello")
    assert bare.links == {
        "youtube": "https://www.youtube.com/results?search_query=Adele+Hello",
        "spotify": "https://open.spotify.com/search/Adele%20Hello",
    }
    assert bare.embeds == {}
    song = SongFactory(youtube_id="YQHsXMglC9A", spotify_id="4sPmO7WMQUAf45kwMOtONw", deezer_id="116348452")
    assert song.links["youtube"] == "https://www.youtube.com/watch?v=YQHsXMglC9A"
    assert song.links["spotify"] == "https://open.spotify.com/track/4sPmO7WMQUAf45kwMOtONw"
    assert song.links["deezer"] == "https://www.deezer.com/track/116348452"
    assert list(song.embeds) == ["youtube", "spotify"]
    assert song.embeds["youtube"].startswith("https://www.youtube-nocookie.com/embed/YQHsXMglC9A?")
    assert song.embeds["spotify"] == "https://open.spotify.com/embed/track/4sPmO7WMQUAf45kwMOtONw"


@pytest.mark.django_db
def test_the_model_stores_bare_ids_only():
    song = SongFactory.build(youtube_id="https://youtu.be/YQHsXMglC9A")
    with pytest.raises(ValidationError, match="bare YouTube id"):
        song.full_clean()
    song.youtube_id = "YQHsXMglC9A"
    song.full_clean()
