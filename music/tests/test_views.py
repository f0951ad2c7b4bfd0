"""Pages: browse, pick a mood, a list with its partial, likes, playlists; ownership is a 404."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from music.library.services import feedback_create, playlist_from_recommendation
from music.models import Feedback, Playlist, Rating, Recommendation
from music.recommendation.services import recommendation_create
from music.tests.factories import GenreFactory, SongFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    return [SongFactory(emotions={"sadness": 1.0}, title=f"Rain {i}") for i in range(12)] + [
        SongFactory(emotions={"happiness": 1.0}, title=f"Sun {i}") for i in range(12)
    ]


@pytest.fixture
def alice(client):
    user = UserFactory(goal="match", username="alice")
    client.force_login(user)
    return user


@pytest.mark.parametrize("name", ["song_list", "mood_pick", "likes", "playlist_list"])
def test_pages_need_a_login(client, name):
    response = client.get(reverse(f"music:{name}"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_song_browse_searches_and_shows_feedback_buttons_and_nav(client, alice, catalog):
    feedback_create(user=alice, song=catalog[0], kind="like")
    page = client.get(reverse("music:song_list"), {"q": "rain", "emotion": "sadness"}).content.decode()
    assert "Rain 0" in page and "Sun 0" not in page
    assert f'data-song="{catalog[0].pk}"' in page and 'aria-pressed="true"' in page
    assert "js/music.js" in page and reverse("music:mood_pick") in page and "My playlists" in page


def test_song_browse_filters_by_genre_family(client, alice, catalog):
    SongFactory(title="Riff", genre=GenreFactory(name="metal"))
    page = client.get(reverse("music:song_list"), {"genre": "rock"}).content.decode()
    assert "Riff" in page and "Rain 0" not in page and "· metal" in page
    assert '<option value="metal">' in page


def test_pick_a_mood_creates_a_list_and_shows_it_with_explanations(client, alice, catalog):
    response = client.post(reverse("music:mood_pick"), {"emotion": "happiness", "goal": "match"})
    rec = Recommendation.objects.get(user=alice)
    assert response.status_code == 302 and response["Location"] == reverse("music:recommendation_detail", args=[rec.pk])
    page = client.get(response["Location"]).content.decode()
    assert "you said you feel happy · goal: match" in page and "Sun " in page
    assert "Save as playlist" in page and f'data-recommendation="{rec.pk}"' in page


def test_exploring_a_mood_says_it_is_not_a_check_in_and_links_to_one(client, alice):
    page = client.get(reverse("music:mood_pick")).content.decode()
    assert "It is not a check-in and does not go into your mood history" in page
    assert 'href="/feel/#manual"' in page and ">Explore a mood</a>" in page


def test_pick_a_mood_with_bad_input_shows_the_form_again(client, alice, catalog):
    response = client.post(reverse("music:mood_pick"), {"emotion": "joy", "goal": "match"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Recommendation.objects.exists()


def test_save_as_playlist_and_my_playlists(client, alice, catalog):
    rec = recommendation_create(user=alice, emotions={"sadness": 1.0})
    response = client.post(reverse("music:recommendation_save", args=[rec.pk]), {"name": "Rainy day"})
    playlist = Playlist.objects.get(user=alice)
    assert response["Location"] == reverse("music:playlist_detail", args=[playlist.pk])
    assert "Rainy day" in client.get(reverse("music:playlist_list")).content.decode()
    assert "Rain " in client.get(response["Location"]).content.decode()
    response = client.post(reverse("music:recommendation_save", args=[rec.pk]), {"name": "x" * 200})
    assert Playlist.objects.count() == 1
    # The delete asks first: a GET, or a POST without the confirmation, deletes nothing.
    confirm = client.get(reverse("music:playlist_delete", args=[playlist.pk])).content.decode()
    assert "Delete this playlist?" in confirm and 'name="confirm" value="yes"' in confirm and "Rainy day" in confirm
    client.post(reverse("music:playlist_delete", args=[playlist.pk]))
    assert Playlist.objects.exists()
    response = client.post(reverse("music:playlist_delete", args=[playlist.pk]), {"confirm": "yes"}, follow=True)
    assert not Playlist.objects.exists()
    assert "Deleted playlist “Rainy day”." in response.content.decode()


def test_my_likes_lists_liked_songs_only(client, alice, catalog):
    feedback_create(user=alice, song=catalog[3], kind="like")
    feedback_create(user=alice, song=catalog[4], kind="dislike")
    page = client.get(reverse("music:likes")).content.decode()
    assert "Rain 3" in page and "Rain 4" not in page


def test_another_users_list_and_playlist_are_404(client, alice, catalog):
    bob = UserFactory(goal="match", username="bob")
    rec = recommendation_create(user=bob, emotions={"sadness": 1.0})
    playlist = playlist_from_recommendation(user=bob, recommendation=rec)
    assert client.get(reverse("music:recommendation_detail", args=[rec.pk])).status_code == 404
    assert client.post(reverse("music:recommendation_save", args=[rec.pk])).status_code == 404
    assert client.get(reverse("music:playlist_detail", args=[playlist.pk])).status_code == 404
    assert client.get(reverse("music:playlist_delete", args=[playlist.pk])).status_code == 404
    assert client.post(reverse("music:playlist_delete", args=[playlist.pk]), {"confirm": "yes"}).status_code == 404
    assert Playlist.objects.filter(user=bob).exists()


def test_the_recommendation_partial_renders_for_another_page(rf, alice, catalog):
    from django.template.loader import render_to_string

    rec = recommendation_create(user=alice, emotions={"sadness": 1.0})
    request = rf.get("/")
    request.user = alice
    html = render_to_string("music/_recommendation.html", {"recommendation": rec}, request=request)
    assert html.count('class="song-row"') == 10 and "youtube.com" in html and "you feel sad" in html


class TestFeedbackWithoutScript:
    """The feedback buttons are forms: without JavaScript a click posts, is stored, and comes back."""

    def test_a_button_posts_stores_the_rating_and_returns_to_the_page(self, client, user):
        client.force_login(user)
        song = SongFactory(title="Lovely Day")
        songs_page = client.get("/songs/").content.decode()
        assert 'action="/feedback/"' in songs_page and 'name="next" value="/songs/"' in songs_page
        response = client.post("/feedback/", {"song": song.pk, "kind": "like", "next": "/songs/"})
        assert response.status_code == 302 and response["Location"] == "/songs/"
        assert Rating.objects.get(user=user, song=song).value == 1
        assert Feedback.objects.get(user=user).kind == "like"
        assert "Liked: “Lovely Day”." in client.get("/songs/").content.decode()

    def test_an_outside_address_to_return_to_is_not_followed(self, client, user):
        client.force_login(user)
        response = client.post(
            "/feedback/", {"song": SongFactory().pk, "kind": "skipped", "next": "https://evil.example/"}
        )
        assert response["Location"] == "/likes/"

    def test_bad_feedback_is_refused_with_a_message_and_nothing_is_stored(self, client, user):
        client.force_login(user)
        song = SongFactory()
        response = client.post("/feedback/", {"song": song.pk, "kind": "love", "next": "/songs/"}, follow=True)
        assert "could not be saved" in response.content.decode()
        assert client.post("/feedback/", {"song": 999999, "kind": "like"}).status_code == 404
        assert not Feedback.objects.exists()
