"""GET/PUT /api/v1/me/preferences/, the artist search, the onboarding and profile pages, and the
preferences in "export my data" and "delete my account"."""

import pytest
from rest_framework.test import APIClient

from accounts.consent import CONSENT_VERSION
from accounts.selectors import user_data_export
from accounts.services import user_delete
from accounts.tests.factories import UserFactory
from music.library.services import MAX_LIKED_ARTISTS, MAX_LIKED_GENRES, preferences_update
from music.models import GenrePreference, ListenerPreferences
from music.tests.factories import load_starter_catalog
from tests.errors import errors

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/preferences/"
EMPTY = {"likes_genres": [], "avoid_genres": [], "likes_artists": [], "eras": None}


@pytest.fixture
def starter(db):
    load_starter_catalog()


def test_a_new_listener_has_empty_preferences(api, starter):
    body = api.get(URL).json()
    assert {k: body[k] for k in EMPTY} == EMPTY and body["onboarded_at"] is None


def test_the_owner_sets_and_reads_back_their_preferences(api, user, outsider, starter):
    sent = {
        "likes_genres": ["Soul", "rock"],
        "avoid_genres": ["metal"],
        "likes_artists": ["queen"],
        "eras": [1970, 1999],
    }
    response = api.put(URL, sent, format="json")
    # Liking rock while avoiding metal (under rock) is fine: metal stays out, the rest of rock is liked.
    assert response.status_code == 200, response.json()
    # Genres in vocabulary order (r&b/soul before rock), artists as the catalogue spells them.
    expected = {"likes_genres": ["soul", "rock"], "avoid_genres": ["metal"], "likes_artists": ["Queen"],
                "eras": [1970, 1999]}  # fmt: skip
    assert {k: response.json()[k] for k in EMPTY} == expected
    assert {k: api.get(URL).json()[k] for k in EMPTY} == expected
    other = APIClient()
    other.force_authenticate(outsider)
    assert {k: other.get(URL).json()[k] for k in EMPTY} == EMPTY  # each listener sees only their own


def test_put_replaces_and_omitted_fields_are_cleared(api, starter):
    api.put(URL, {"likes_genres": ["soul"], "eras": [1980, 1989]}, format="json")
    body = api.put(URL, {"avoid_genres": ["jazz"]}, format="json").json()
    assert (body["likes_genres"], body["avoid_genres"], body["eras"]) == ([], ["jazz"], None)


def test_anonymous_callers_are_refused(api_client, starter):
    assert api_client.get(URL).status_code in (401, 403)
    assert api_client.put(URL, {"likes_genres": ["soul"]}, format="json").status_code in (401, 403)
    assert api_client.get("/api/v1/artists/", {"q": "que"}).status_code in (401, 403)


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"likes_genres": ["sould"]}, "likes_genres", "Unknown genre 'sould'; did you mean 'soul'?"),
        ({"avoid_genres": ["rap"]}, "avoid_genres", "Unknown genre 'rap'; did you mean 'hip-hop'?"),
        ({"likes_genres": ["zzqx"]}, "likes_genres", "Unknown genre 'zzqx'; GET /api/v1/genres/ lists them."),
        ({"eras": [2000, 1990]}, "eras", "The range starts after it ends (2000 > 1990): give [from, to]."),
        ({"eras": [1200, 1990]}, "eras", "Years go from 1900 to 2100."),
        ({"likes_genres": ["soul"], "avoid_genres": ["r&b"]}, "likes_genres",
         "You cannot like soul: it is under r&b, which you avoid."),
        ({"likes_genres": ["jazz"], "avoid_genres": ["jazz"]}, "likes_genres", "You cannot like jazz: you also avoid it."),
        ({"likes_artists": ["Quen"]}, "likes_artists", "No artist 'Quen' in the catalogue; did you mean 'Queen'?"),
    ],
)  # fmt: skip
def test_bad_input_is_a_clear_400_and_changes_nothing(api, user, starter, body, field, message):
    response = api.put(URL, body, format="json")
    assert response.status_code == 400
    assert message in errors(response)[field]
    assert not ListenerPreferences.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"likes_genres": ["rock"] * (MAX_LIKED_GENRES + 1)}, "likes_genres"),
        ({"avoid_genres": ["rock"] * 11}, "avoid_genres"),
        ({"likes_artists": ["Queen"] * (MAX_LIKED_ARTISTS + 1)}, "likes_artists"),
        ({"eras": [1990]}, "eras"),
        ({"eras": "1990-2000"}, "eras"),
        ({"likes_genres": "rock"}, "likes_genres"),
        ({"likes_genres": ["x" * 41]}, "likes_genres"),
        ({"favourite": ["rock"]}, "favourite"),
    ],
)
def test_too_many_items_and_malformed_fields_are_400(api, starter, body, field):
    response = api.put(URL, body, format="json")
    assert response.status_code == 400
    assert any(attr == field or (attr or "").startswith(field + ".") for attr in errors(response))


def test_too_many_items_says_the_bound(api, starter):
    response = api.put(URL, {"likes_genres": ["rock"] * 11}, format="json")
    assert "Ensure this field has no more than 10 elements." in str(errors(response)["likes_genres"])


def test_artist_search_as_you_type_finds_catalogue_artists(api, starter):
    names = [a["name"] for a in api.get("/api/v1/artists/", {"q": "que"}).json()]
    assert names[0] == "Queen"  # a name starting with it comes first
    assert api.get("/api/v1/artists/", {"q": "q"}).json() == []  # too short to search
    assert api.get("/api/v1/artists/").status_code == 400


def test_a_list_says_why_it_is_short(api, starter):
    avoid = ["rock", "pop", "folk", "r&b", "electronic", "hip-hop", "country", "classical", "reggae", "latin"]
    api.put(URL, {"avoid_genres": avoid}, format="json")
    body = api.post("/api/v1/recommendations/", {"emotion": "sadness", "goal": "match"}, format="json").json()
    assert len(body["items"]) < 10
    assert "without the genres you avoid" in body["note"]


def test_export_holds_the_preferences(user, starter):
    preferences_update(user=user, likes_genres=["soul"], avoid_genres=["metal"], likes_artists=["Queen"],
                       eras=[1980, 1999])  # fmt: skip
    exported = user_data_export(user)["music"]["preferences"]
    assert {k: exported[k] for k in EMPTY} == {
        "likes_genres": ["soul"], "avoid_genres": ["metal"], "likes_artists": ["Queen"], "eras": [1980, 1999]
    }  # fmt: skip
    assert exported["onboarded_at"] is not None


def test_export_through_the_api_holds_the_preferences(api, starter):
    api.put(URL, {"likes_genres": ["jazz"]}, format="json")
    assert api.get("/api/v1/me/export/").json()["music"]["preferences"]["likes_genres"] == ["jazz"]


def test_delete_all_removes_the_preferences_and_no_one_elses(user, outsider, starter):
    for person in (user, outsider):
        preferences_update(user=person, likes_genres=["soul"], avoid_genres=["metal"], likes_artists=[], eras=None)
    user_delete(user)
    assert ListenerPreferences.objects.get().user == outsider
    assert GenrePreference.objects.filter(preferences__user=outsider).count() == 2
    assert GenrePreference.objects.count() == 2


# Pages -------------------------------------------------------------------------------------------


def test_agreeing_to_consent_leads_a_new_account_to_onboarding(client, starter):
    person = UserFactory()
    client.force_login(person)
    response = client.post("/accounts/consent/", follow=True)
    assert response.redirect_chain[-1][0] == "/welcome/"
    assert b"What do you like to hear?" in response.content
    person.refresh_from_db()
    assert person.consent_version == CONSENT_VERSION


def test_onboarding_saves_the_choices_and_is_offered_once(logged_in, user, starter):
    response = logged_in.post("/welcome/", {"likes_genres": ["soul"], "likes_artists": "queen\n", "era_from": "1990"})
    assert response.status_code == 302 and response.url == "/feel/"
    prefs = ListenerPreferences.objects.get(user=user)
    assert (prefs.likes_artists, prefs.eras) == (["Queen"], [1990, 2100])
    assert logged_in.get("/welcome/").url == "/feel/"


def test_onboarding_can_be_skipped(logged_in, user, starter):
    response = logged_in.post("/welcome/", {"skip": "1"})
    assert response.status_code == 302
    assert ListenerPreferences.objects.get(user=user).onboarded_at is not None
    assert not GenrePreference.objects.exists()
    assert logged_in.get("/welcome/").status_code == 302


def test_the_preferences_page_shows_errors_next_to_the_field(logged_in, user, starter):
    response = logged_in.post("/preferences/", {"likes_genres": ["soul"], "avoid_genres": ["r&b"]})
    assert response.status_code == 400
    assert "You cannot like soul: it is under r&amp;b, which you avoid." in response.content.decode()
    response = logged_in.post("/preferences/", {"era_from": "2000", "era_to": "1990"})
    assert "The range starts after it ends" in response.content.decode()


def test_the_profile_shows_the_choices_and_links_to_edit_them(logged_in, user, starter):
    preferences_update(user=user, likes_genres=["soul"], avoid_genres=["metal"], likes_artists=[], eras=None)
    page = logged_in.get("/accounts/profile/").content.decode()
    assert "Music taste" in page and "soul" in page and "metal" in page and 'href="/preferences/"' in page
    edit = logged_in.get("/preferences/").content.decode()
    assert 'value="soul"' in edit and "checked" in edit
