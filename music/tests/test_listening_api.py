"""The listening API: player events (idempotent, with a position), curators setting a song's sources
and queueing enrichment, and lists exported as M3U8, XSPF and open-elsewhere links. Each action is
tried by its owner (or a curator), an outsider and an anonymous client."""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from music.library.services import listening_event_create, playlist_from_recommendation
from music.models import Feedback, Song
from music.recommendation.services import recommendation_create
from music.tests.factories import SongFactory
from music.tests.fake_itunes import FakeItunes
from tests.errors import message

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    songs = [SongFactory(emotions={"sadness": 1.0}, duration=200 + i) for i in range(12)]
    songs[0].preview_url = "https://audio-ssl.itunes.apple.com/p/0.m4a"
    songs[0].artwork_url = "https://is1-ssl.mzstatic.com/a/0/100x100bb.jpg"
    songs[1].youtube_id = "YQHsXMglC9A"
    songs[2].spotify_id = "4sPmO7WMQUAf45kwMOtONw"
    for song in songs[:3]:
        song.save()
    return songs


@pytest.fixture
def alice():
    return UserFactory(goal="match", username="alice")


def api(user=None) -> APIClient:
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


@pytest.fixture
def rec(alice, catalog):
    return recommendation_create(user=alice, emotions={"sadness": 1.0}, seed=1)


# --- Player events -------------------------------------------------------------------------


def event(rec, kind="played", position=31.5, **extra):
    return {"song": rec.items.first().song_id, "kind": kind, "position": position, "recommendation": rec.pk, **extra}


def test_a_player_event_is_stored_once_per_song_and_list(alice, rec):
    client = api(alice)
    first = client.post("/api/v1/feedback/", event(rec), format="json")
    assert first.status_code == 201
    body = first.json()
    assert body["position"] == 31.5 and body["kind"] == "played" and body["recommendation"] == rec.pk
    retry = client.post("/api/v1/feedback/", event(rec, position=33), format="json")
    assert retry.status_code == 200 and retry.json()["id"] == body["id"]
    assert Feedback.objects.filter(user=alice).count() == 1
    # A skip of the same song is another event; so is the same song in another list.
    assert client.post("/api/v1/feedback/", event(rec, "skipped", 3.2), format="json").status_code == 201
    other = recommendation_create(user=alice, emotions={"sadness": 1.0}, seed=2)
    other.items.create(rank=11, song_id=rec.items.first().song_id, score=0, explanation="")
    response = client.post("/api/v1/feedback/", event(other), format="json")
    assert response.status_code == 201
    # Buttons (no position) still count every press.
    song = rec.items.first().song_id
    for _ in range(2):
        assert client.post("/api/v1/feedback/", {"song": song, "kind": "played"}, format="json").status_code == 201
    assert Feedback.objects.filter(user=alice).count() == 5


def test_player_events_are_in_the_users_data_export(alice, rec):
    api(alice).post("/api/v1/feedback/", event(rec), format="json")
    from music.library.services import user_data_export

    (row,) = user_data_export(alice)["feedback"]
    assert row["position"] == 31.5 and row["recommendation"] == rec.pk and row["playlist"] is None


def test_player_events_from_a_playlist_or_with_no_list(alice, rec):
    playlist = playlist_from_recommendation(user=alice, recommendation=rec)
    client = api(alice)
    payload = {"song": rec.items.first().song_id, "kind": "skipped", "position": 2, "playlist": playlist.pk}
    assert client.post("/api/v1/feedback/", payload, format="json").status_code == 201
    assert client.post("/api/v1/feedback/", payload, format="json").status_code == 200
    bare = {"song": rec.items.first().song_id, "kind": "played", "position": 40}
    assert client.post("/api/v1/feedback/", bare, format="json").status_code == 201
    assert client.post("/api/v1/feedback/", bare, format="json").status_code == 200  # once a day without a list
    assert Feedback.objects.filter(user=alice).count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "like"},
        {"position": -1},
        {"position": 36001},
        {"position": "NaN"},
        {"position": "later"},
        {"playlist": 1},
        {"song": "abc"},
    ],
)
def test_bad_player_events_are_400_and_store_nothing(alice, rec, change):
    response = api(alice).post("/api/v1/feedback/", event(rec) | change, format="json")
    assert response.status_code == 400, response.content
    assert not Feedback.objects.exists()


def test_a_player_event_for_a_song_outside_the_list_is_refused(alice, rec, catalog):
    outside = next(s for s in catalog if not rec.items.filter(song=s).exists())
    response = api(alice).post("/api/v1/feedback/", event(rec) | {"song": outside.pk}, format="json")
    assert response.status_code == 400 and "not in that recommendation" in message(response)


def test_outsiders_and_anonymous_cannot_send_events_for_anothers_list(alice, rec):
    bob = UserFactory(goal="match", username="bob")
    assert api(bob).post("/api/v1/feedback/", event(rec), format="json").status_code == 404
    playlist = playlist_from_recommendation(user=alice, recommendation=rec)
    payload = {"song": rec.items.first().song_id, "kind": "played", "position": 40, "playlist": playlist.pk}
    assert api(bob).post("/api/v1/feedback/", payload, format="json").status_code == 404
    assert api().post("/api/v1/feedback/", event(rec), format="json").status_code in (401, 403)
    assert not Feedback.objects.exists()


def test_the_service_refuses_events_without_a_position_in_range(alice, rec):
    from django.core.exceptions import ValidationError

    song = rec.items.first().song
    with pytest.raises(ValidationError):
        listening_event_create(user=alice, song=song, kind="like", position=1, recommendation=rec)
    with pytest.raises(ValidationError):
        listening_event_create(user=UserFactory(goal="match"), song=song, kind="played", position=1, recommendation=rec)


# --- Song sources (curators) ---------------------------------------------------------------


@pytest.fixture
def curator():
    user = UserFactory(goal="match", username="curator", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_song"))
    return user


def test_a_curator_sets_a_songs_sources_and_links_become_ids(curator, catalog):
    song = catalog[5]
    payload = {
        "youtube_id": "https://www.youtube.com/watch?v=YQHsXMglC9A",
        "spotify_id": "spotify:track:4sPmO7WMQUAf45kwMOtONw",
        "apple_music_id": "1051394215",
        "deezer_id": "https://www.deezer.com/track/116348452",
        "artwork_url": "https://is1-ssl.mzstatic.com/a/1/100x100bb.jpg",
    }
    response = api(curator).patch(f"/api/v1/songs/{song.pk}/", payload, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["providers"] == {
        "youtube": "YQHsXMglC9A", "spotify": "4sPmO7WMQUAf45kwMOtONw", "apple_music": "1051394215",
        "deezer": "116348452",
    }  # fmt: skip
    assert body["links"]["youtube"] == "https://www.youtube.com/watch?v=YQHsXMglC9A"
    assert body["embeds"]["youtube"].startswith("https://www.youtube-nocookie.com/embed/YQHsXMglC9A")
    assert body["artwork_url"] == payload["artwork_url"]
    song.refresh_from_db()
    assert song.youtube_id == "YQHsXMglC9A" and song.deezer_id == "116348452"


@pytest.mark.parametrize(
    "payload",
    [
        {"youtube_id": "not-an-id"},
        {"spotify_id": "x" * 500},
        {"apple_music_id": "12ab"},
        {"preview_url": "javascript:alert(1)"},
        {"title": "Renamed"},
    ],
)
def test_bad_sources_are_400_and_change_nothing(curator, catalog, payload):
    song = catalog[5]
    response = api(curator).patch(f"/api/v1/songs/{song.pk}/", payload, format="json")
    assert response.status_code == 400
    assert Song.objects.get(pk=song.pk).updated_at == song.updated_at


def test_listeners_and_anonymous_cannot_change_songs(catalog):
    song = catalog[5]
    assert (
        api(UserFactory(goal="match")).patch(f"/api/v1/songs/{song.pk}/", {"youtube_id": "YQHsXMglC9A"}).status_code
        == 403
    )
    assert api().patch(f"/api/v1/songs/{song.pk}/", {"youtube_id": "YQHsXMglC9A"}).status_code in (401, 403)
    assert Song.objects.get(pk=song.pk).youtube_id == ""
    assert api(UserFactory(goal="match")).get(f"/api/v1/songs/{song.pk}/").status_code == 200


def test_a_curator_queues_enrichment_which_runs_against_the_service(
    curator, settings, django_capture_on_commit_callbacks
):
    song = SongFactory(artist="Adele", title="Hello", duration=None)
    other = SongFactory(artist="Nobody", title="Nothing")
    with FakeItunes() as fake:
        fake.add("Adele", "Hello", seconds=295)
        settings.ITUNES_SEARCH_URL, settings.ITUNES_REQUESTS_PER_MINUTE = fake.url, 0
        with django_capture_on_commit_callbacks(execute=True):
            response = api(curator).post("/api/v1/songs/enrich/", {"songs": [song.pk, other.pk]}, format="json")
    assert response.status_code == 202 and response.json() == {"queued": [song.pk, other.pk]}
    song.refresh_from_db()
    other.refresh_from_db()
    assert song.enrichment == "matched" and song.preview_url and song.duration == 295
    assert other.enrichment == "unmatched"


@pytest.mark.parametrize("payload", [{"songs": []}, {"songs": [999999]}, {"songs": list(range(1, 60))}, {}])
def test_bad_enrich_requests_are_400(curator, payload):
    assert api(curator).post("/api/v1/songs/enrich/", payload, format="json").status_code == 400


def test_listeners_and_anonymous_cannot_queue_enrichment(catalog):
    payload = {"songs": [catalog[0].pk]}
    assert api(UserFactory(goal="match")).post("/api/v1/songs/enrich/", payload, format="json").status_code == 403
    assert api().post("/api/v1/songs/enrich/", payload, format="json").status_code in (401, 403)


# --- Exports -------------------------------------------------------------------------------


def test_a_list_exports_as_m3u8(alice, rec):
    response = api(alice).get(f"/api/v1/recommendations/{rec.pk}/playlist.m3u8")
    assert response.status_code == 200 and response["Content-Type"] == "audio/x-mpegurl; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="Songs-for-sadness')
    lines = response.content.decode().splitlines()
    assert lines[0] == "#EXTM3U" and lines[1].startswith("#PLAYLIST:Songs for sadness")
    songs = [item.song for item in rec.items.all()]
    entries = [line for line in lines if line.startswith("#EXTINF:")]
    assert entries == [f"#EXTINF:{s.duration},{s.artist} - {s.title}" for s in songs]
    urls = [line for line in lines if not line.startswith("#")]
    assert len(urls) == 10
    for song, url in zip(songs, urls, strict=True):
        if song.preview_url:
            assert url == song.preview_url
        elif song.youtube_id:
            assert url == f"https://www.youtube.com/watch?v={song.youtube_id}"
        elif song.spotify_id:
            assert url == f"https://open.spotify.com/track/{song.spotify_id}"
        else:
            assert url.startswith("https://www.youtube.com/results?search_query=")


def test_a_playlist_exports_as_xspf(alice, rec):
    playlist = playlist_from_recommendation(user=alice, recommendation=rec, name='Rain <&> "night"')
    response = api(alice).get(f"/api/v1/playlists/{playlist.pk}/playlist.xspf")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xspf+xml")
    root = ET.fromstring(response.content)
    ns = {"x": "http://xspf.org/ns/0/"}
    assert root.find("x:title", ns).text == 'Rain <&> "night"'
    tracks = root.findall("x:trackList/x:track", ns)
    songs = [item.song for item in playlist.items.all()]
    assert [t.find("x:title", ns).text for t in tracks] == [s.title for s in songs]
    assert [t.find("x:creator", ns).text for t in tracks] == [s.artist for s in songs]
    assert [t.find("x:duration", ns).text for t in tracks] == [str(s.duration * 1000) for s in songs]
    with_preview = next(t for t, s in zip(tracks, songs, strict=True) if s.preview_url)
    assert with_preview.find("x:location", ns).text.startswith("https://audio-ssl.itunes.apple.com/")
    assert with_preview.find("x:image", ns).text.startswith("https://is1-ssl.mzstatic.com/")


def test_titles_cannot_break_an_m3u8_line(alice):
    song = SongFactory(title="Evil\r\n#EXTINF:1,injected\nhttps://evil.example/", emotions={"sadness": 1.0})
    rec = recommendation_create(user=alice, emotions={"sadness": 1.0})
    assert rec.items.filter(song=song).exists()
    text = api(alice).get(f"/api/v1/recommendations/{rec.pk}/playlist.m3u8").content.decode()
    assert "\n#EXTINF:1,injected" not in text and "\nhttps://evil.example/" not in text


def test_open_links_for_the_whole_list(alice, rec):
    body = api(alice).get(f"/api/v1/recommendations/{rec.pk}/links/").json()
    assert set(body) == {"youtube", "spotify"} and len(body["youtube"]) == len(body["spotify"]) == 10
    by_song = {link["song"]: link for link in body["youtube"]}
    youtube_song = Song.objects.exclude(youtube_id="").get()
    if youtube_song.pk in by_song:
        assert by_song[youtube_song.pk]["exact"] and by_song[youtube_song.pk]["url"].endswith(youtube_song.youtube_id)
    assert all(link["url"].startswith("https://") for link in body["youtube"] + body["spotify"])
    playlist = playlist_from_recommendation(user=alice, recommendation=rec)
    assert len(api(alice).get(f"/api/v1/playlists/{playlist.pk}/links/").json()["spotify"]) == 10


@pytest.mark.parametrize("suffix", ["playlist.m3u8", "playlist.xspf", "links/"])
def test_exports_of_anothers_list_are_404_and_anonymous_is_refused(alice, rec, suffix):
    playlist = playlist_from_recommendation(user=alice, recommendation=rec)
    bob = api(UserFactory(goal="match", username="bob"))
    for url in (f"/api/v1/recommendations/{rec.pk}/{suffix}", f"/api/v1/playlists/{playlist.pk}/{suffix}"):
        assert api(alice).get(url).status_code == 200
        assert bob.get(url).status_code == 404
        assert api().get(url).status_code in (401, 403)


def test_the_schema_describes_the_listening_routes(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for route in (
        "/api/v1/songs/enrich/", "/api/v1/recommendations/{id}/playlist.m3u8", "/api/v1/recommendations/{id}/links/",
        "/api/v1/playlists/{id}/playlist.xspf",
    ):  # fmt: skip
        assert route in paths, route
    assert "patch" in paths["/api/v1/songs/{id}/"]
    feedback = schema["components"]["schemas"]
    assert "position" in feedback.get("FeedbackCreateInputRequest", feedback.get("FeedbackCreateInput"))["properties"]
