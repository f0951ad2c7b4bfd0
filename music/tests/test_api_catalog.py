"""The song list's search and filters in the API: the admin's, for any signed-in listener."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from music.models import Genre
from music.tests.factories import SongFactory

pytestmark = pytest.mark.django_db
IDS = ["6f807x0ima9a1j3VPbc7VN", "0r7CVbZTWZgbTCYdfa2P31"]


@pytest.fixture
def catalogue():
    house, metal, soul = (Genre.objects.get(name=n) for n in ("house", "metal", "soul"))
    return {
        "bright": SongFactory(title="Bright Lights", artist="DJ Sol", genre=house, year=2015, spotify_id=IDS[0],
                              tag_source="audio", tag_confidence=0.4, emotions={"happiness": 0.9}),
        "iron": SongFactory(title="Iron Rain", artist="Stormcrow", genre=metal, year=1986, youtube_id="dQw4w9WgXcQ",
                            tag_source="curated", emotions={"anger": 1.0}),
        "velvet": SongFactory(title="Velvet", artist="Lights Out", genre=soul, year=1972, preview_url="https://e.org/p.mp3",
                              tag_source="lyrics", emotions={"sadness": 1.0}),
        "hidden": SongFactory(title="Bright Hidden", artist="Gone", active=False),
    }  # fmt: skip


def titles(client, **query):
    response = client.get("/api/v1/songs/", query)
    assert response.status_code == 200, response.json()
    return sorted(song["title"] for song in response.json()["results"])


@pytest.mark.parametrize("who", ["owner", "outsider"])
def test_every_listener_searches_the_same_catalogue_by_title_artist_genre_era_source_and_tag_source(catalogue, who):
    client = APIClient()
    client.force_authenticate(UserFactory(username=who, goal="match"))
    assert titles(client, q="lights") == ["Bright Lights", "Velvet"]  # title or artist; inactive songs hidden
    assert titles(client, q="bright sol") == ["Bright Lights"]  # every word must match
    assert titles(client, genre="electronic") == ["Bright Lights"]  # a family includes its sub-genres
    assert titles(client, genre="r&b", era=1970) == ["Velvet"]
    assert titles(client, source="spotify") == ["Bright Lights"]
    assert titles(client, source="youtube") == ["Iron Rain"]
    assert titles(client, source="preview") == ["Velvet"]
    assert titles(client, tag_source="curated") == ["Iron Rain"]
    song = client.get(f"/api/v1/songs/{catalogue['bright'].pk}/").json()
    assert (song["tag_source"], song["tag_confidence"], song["genres"]) == ("audio", 0.4, ["electronic", "house"])


def test_anonymous_cannot_search_and_bad_filters_are_400(catalogue):
    assert APIClient().get("/api/v1/songs/", {"q": "bright"}).status_code in (401, 403)
    client = APIClient()
    client.force_authenticate(UserFactory(goal="match"))
    for query in ({"source": "vinyl"}, {"tag_source": "guess"}, {"era": 1985}, {"genre": "polka"}, {"q": "x" * 201}):
        response = client.get("/api/v1/songs/", query)
        assert response.status_code == 400, query


def test_the_schema_says_an_era_is_a_decade(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    era = next(p for p in schema["paths"]["/api/v1/songs/"]["get"]["parameters"] if p["name"] == "era")
    assert era["schema"] == {"type": "integer", "minimum": 1000, "maximum": 2100, "multipleOf": 10}


def test_the_schema_states_the_one_of_rules(client):
    components = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["components"]
    schemas = components["schemas"]
    assert schemas["PlaylistCreateInput"]["oneOf"] == [{"required": ["songs"]}, {"required": ["recommendation"]}]
    assert schemas["RecommendationCreateInput"]["oneOf"] == [{"required": ["emotions"]}, {"required": ["emotion"]}]
    assert {"not": {"required": ["recommendation", "playlist"], "properties": {
        "recommendation": {"type": "integer"}, "playlist": {"type": "integer"}}}} in schemas["FeedbackCreateInput"]["allOf"]  # fmt: skip
