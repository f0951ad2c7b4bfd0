"""The REST API of songs, recommendations, feedback, likes and playlists (docs/api.md, "Music")."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from music.library.services import feedback_create
from music.models import Feedback, Playlist, Rating, Recommendation
from music.recommendation.services import recommendation_create
from music.tests.factories import GenreFactory, SongFactory, load_starter_catalog
from tests.errors import errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    return [SongFactory(emotions={"sadness": 1.0}) for _ in range(12)] + [
        SongFactory(emotions={"happiness": 1.0}, title=f"Sunny {i}") for i in range(12)
    ]


@pytest.fixture
def alice():
    return UserFactory(goal="match", username="alice")


@pytest.fixture
def client(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


def test_anonymous_requests_are_refused():
    anonymous = APIClient()
    for url in ("/api/v1/songs/", "/api/v1/recommendations/", "/api/v1/likes/", "/api/v1/playlists/"):
        assert anonymous.get(url).status_code in (401, 403)
    assert anonymous.post("/api/v1/feedback/", {"song": 1, "kind": "like"}).status_code in (401, 403)


def test_token_auth_works(alice, catalog):
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(alice)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/songs/").status_code == 200


def test_song_list_searches_and_filters_by_emotion_and_hides_inactive(client, catalog):
    SongFactory(title="Sunny hidden", active=False, emotions={"happiness": 1.0})
    body = client.get("/api/v1/songs/", {"q": "sunny"}).json()
    assert body["count"] == 12 and set(body) == {"count", "next", "previous", "results"}
    song = body["results"][0]
    assert set(song) >= {"id", "title", "artist", "album", "year", "genre", "emotions", "links"}
    assert song["links"]["youtube"].startswith("https://www.youtube.com/results?search_query=")
    assert song["links"]["spotify"].startswith("https://open.spotify.com/search/")
    assert client.get("/api/v1/songs/", {"emotion": "sadness"}).json()["count"] == 12
    assert client.get("/api/v1/songs/", {"emotion": "joy"}).status_code == 400


def test_song_detail_and_unknown_song(client, catalog):
    assert client.get(f"/api/v1/songs/{catalog[0].pk}/").json()["title"] == catalog[0].title
    assert client.get("/api/v1/songs/999999/").status_code == 404


def test_post_recommendation_with_a_distribution_or_a_name(client, alice, catalog):
    response = client.post(
        "/api/v1/recommendations/", {"emotions": {"sadness": 0.7, "fear": 0.3}, "goal": "match"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "check_in", "goal", "emotions", "note", "created_at", "items"}
    assert body["check_in"] is None and body["goal"] == "match" and len(body["items"]) == 10
    item = body["items"][0]
    assert set(item) == {"rank", "song", "score", "explanation"} and item["song"]["emotions"] == {"sadness": 1.0}
    response = client.post("/api/v1/recommendations/", {"emotion": "happiness"}, format="json")
    assert response.status_code == 201 and response.json()["goal"] == alice.goal


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"emotion": "joy"},
        {"emotions": {"joy": 1.0}},
        {"emotions": {"sadness": 2}},
        {"emotions": {"sadness": 0}},
        {"emotions": "sad"},
        {"emotion": "sadness", "emotions": {"sadness": 1}},
        {"emotion": "sadness", "goal": "party"},
        {"emotion": "sadness", "mood": "sad"},
        {"emotions": {}},
    ],
)
def test_bad_recommendation_requests_are_400_and_store_nothing(client, catalog, payload):
    assert client.post("/api/v1/recommendations/", payload, format="json").status_code == 400
    assert not Recommendation.objects.exists()


def test_another_users_recommendation_is_a_404(client, catalog):
    bobs = recommendation_create(user=UserFactory(goal="match", username="bob"), emotions={"sadness": 1.0})
    assert client.get(f"/api/v1/recommendations/{bobs.pk}/").status_code == 404
    assert client.get("/api/v1/recommendations/").json()["count"] == 0
    assert APIClient().get(f"/api/v1/recommendations/{bobs.pk}/").status_code in (401, 403)


def test_feedback_is_stored_and_updates_likes(client, alice, catalog):
    rec = recommendation_create(user=alice, emotions={"sadness": 1.0})
    song = rec.items.first().song
    response = client.post("/api/v1/feedback/", {"song": song.pk, "kind": "like", "recommendation": rec.pk})
    assert response.status_code == 201 and response.json()["recommendation"] == rec.pk
    assert Rating.objects.get(user=alice, song=song).value == 1
    likes = client.get("/api/v1/likes/").json()
    assert [s["id"] for s in likes["results"]] == [song.pk]
    assert client.delete(f"/api/v1/likes/{song.pk}/").status_code == 204
    assert client.get("/api/v1/likes/").json()["count"] == 0


def test_feedback_on_unknown_song_is_404_and_invalid_kind_is_400(client, alice, catalog):
    assert client.post("/api/v1/feedback/", {"song": 999999, "kind": "like"}).status_code == 404
    inactive = SongFactory(active=False)
    assert client.post("/api/v1/feedback/", {"song": inactive.pk, "kind": "like"}).status_code == 404
    response = client.post("/api/v1/feedback/", {"song": catalog[0].pk, "kind": "love"})
    assert response.status_code == 400 and "kind" in errors(response)
    assert client.post("/api/v1/feedback/", {"song": "abc", "kind": "like"}).status_code == 400
    assert client.post("/api/v1/feedback/", {"song": catalog[0].pk, "kind": "like", "rating": 5}).status_code == 400
    bobs = recommendation_create(user=UserFactory(goal="match", username="bob"), emotions={"sadness": 1.0})
    response = client.post("/api/v1/feedback/", {"song": catalog[0].pk, "kind": "like", "recommendation": bobs.pk})
    assert response.status_code == 404
    assert not Feedback.objects.filter(user=alice).exists()


def test_ids_beyond_any_row_are_a_400(client, alice, catalog):
    assert client.post("/api/v1/feedback/", {"song": 2**70, "kind": "like"}, format="json").status_code == 400
    response = client.post(
        "/api/v1/feedback/", {"song": catalog[0].pk, "kind": "like", "recommendation": 2**70}, format="json"
    )
    assert response.status_code == 400
    assert not Feedback.objects.filter(user=alice).exists()


def test_playlists_from_songs_or_a_recommendation(client, alice, catalog):
    response = client.post(
        "/api/v1/playlists/", {"name": "Rainy", "songs": [catalog[1].pk, catalog[0].pk]}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert [i["song"]["id"] for i in body["items"]] == [catalog[1].pk, catalog[0].pk]
    rec = recommendation_create(user=alice, emotions={"sadness": 1.0})
    response = client.post("/api/v1/playlists/", {"recommendation": rec.pk}, format="json")
    assert response.status_code == 201 and len(response.json()["items"]) == 10
    assert client.get("/api/v1/playlists/").json()["count"] == 2
    assert client.delete(f"/api/v1/playlists/{body['id']}/").status_code == 204
    assert Playlist.objects.filter(user=alice).count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "x"},
        {"name": "x", "songs": []},
        {"name": "x", "songs": [999999]},
        {"name": "x" * 121, "songs": [1]},
        {"name": "x", "songs": [2**70]},
        {"recommendation": 2**70},
    ],
)
def test_bad_playlists_are_400(client, catalog, payload):
    assert client.post("/api/v1/playlists/", payload, format="json").status_code == 400
    assert not Playlist.objects.exists()


def test_other_users_playlists_and_lists_cannot_be_read_or_used(client, catalog):
    bob = UserFactory(goal="match", username="bob")
    bobs_rec = recommendation_create(user=bob, emotions={"sadness": 1.0})
    bobs_list = client.post("/api/v1/playlists/", {"recommendation": bobs_rec.pk}, format="json")
    assert bobs_list.status_code == 404
    from music.library.services import playlist_from_recommendation

    playlist = playlist_from_recommendation(user=bob, recommendation=bobs_rec)
    assert client.get(f"/api/v1/playlists/{playlist.pk}/").status_code == 404
    assert client.delete(f"/api/v1/playlists/{playlist.pk}/").status_code == 404
    feedback_create(user=bob, song=catalog[0], kind="like")
    assert client.get("/api/v1/likes/").json()["count"] == 0


def test_schema_documents_the_music_routes(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    for route in ("/api/v1/songs/", "/api/v1/recommendations/{id}/", "/api/v1/feedback/", "/api/v1/playlists/"):
        assert route in schema["paths"], route


def test_songs_carry_their_taste_features_and_filter_by_genre_family_and_era(client):
    metal = SongFactory(
        title="Heavy", genre=GenreFactory(name="metal"), year=1986, language="en", emotions={"anger": 1.0}
    )
    SongFactory(title="Loud", genre=GenreFactory(name="rock"), year=1991)
    SongFactory(title="Quiet", genre=GenreFactory(name="folk"), year=1971)
    song = client.get(f"/api/v1/songs/{metal.pk}/").json()
    assert (song["genre"], song["genres"], song["era"], song["language"]) == ("metal", ["rock", "metal"], 1980, "en")
    assert song["energy"] == song["arousal"] > 0
    titles = lambda **q: sorted(s["title"] for s in client.get("/api/v1/songs/", q).json()["results"])  # noqa: E731
    assert titles(genre="rock") == ["Heavy", "Loud"]  # a family includes its sub-genres
    assert titles(genre="Metal") == ["Heavy"]
    assert titles(era=1970) == ["Quiet"]
    assert client.get("/api/v1/songs/", {"genre": "chillwave"}).status_code == 400
    assert client.get("/api/v1/songs/", {"era": 1985}).status_code == 400


def test_the_genre_vocabulary_is_listed_broadest_first(client):
    genres = client.get("/api/v1/genres/").json()
    by_name = {g["name"]: g for g in genres}
    assert by_name["metal"] == {"id": by_name["metal"]["id"], "name": "metal", "parent": "rock", "path": "rock/metal"}
    assert by_name["rock"]["parent"] is None
    paths = [g["path"] for g in genres]
    assert paths.index("rock") < paths.index("rock/metal")
    assert APIClient().get("/api/v1/genres/").status_code in (401, 403)


def test_taste_is_learned_through_the_api_from_plays_likes_and_skips(starter_mood_band):
    """A folk lover who skips rock (metal and punk included), as an API client: after ten lists,
    new lists bring more folk and far less rock than the same moods bring a listener who never
    reacts. Both keep the default goal of a new account."""

    load_starter_catalog()
    clients = {}
    for name in ("folk_lover", "silent"):
        clients[name] = APIClient()
        clients[name].force_authenticate(UserFactory(username=name, goal="match_then_lift"))
    moods = ["sadness", "neutral", "fear", "contempt", "happiness", "anger"]
    shares = {name: {"folk": [], "rock": []} for name in clients}
    for t in range(14):
        for name, client in clients.items():
            body = client.post("/api/v1/recommendations/", {"emotion": moods[t % 6], "seed": t}, format="json").json()
            songs = [item["song"] for item in body["items"]]
            if t >= 10:
                for genre in ("folk", "rock"):
                    shares[name][genre].append(sum(genre in s["genres"] for s in songs) / len(songs))
            if name == "silent":
                continue
            for i, song in enumerate(songs):

                def post(kind, song=song, client=client, body=body):
                    data = {"song": song["id"], "kind": kind, "recommendation": body["id"]}
                    return client.post("/api/v1/feedback/", data, format="json")

                if "folk" in song["genres"]:
                    assert post("played").status_code == 201 and post("like").status_code == 201
                elif "rock" in song["genres"]:
                    assert post("skipped").status_code == 201
                elif i % 2:
                    assert post("played").status_code == 201
    mean = {name: {g: sum(v) / len(v) for g, v in by_genre.items()} for name, by_genre in shares.items()}
    assert mean["folk_lover"]["folk"] >= mean["silent"]["folk"] + 0.1, mean
    assert mean["folk_lover"]["rock"] <= mean["silent"]["rock"] / 2, mean
