"""The player's events teach the recommender exactly as the buttons do: an implicit skip lowers
the song and its artist, an implicit play raises them, and the explanation says so."""

import pytest

from accounts.tests.factories import UserFactory
from music.library.services import feedback_create, listening_event_create
from music.models import Recommendation, RecommendationItem
from music.recommendation import recommender, selectors
from music.recommendation.services import recommendation_create
from music.tests.factories import GenreFactory, SongFactory

pytestmark = pytest.mark.django_db


def a_list_with(user, *songs) -> Recommendation:
    rec = Recommendation.objects.create(user=user, goal="match", emotions={"sadness": 1.0}, seed=0)
    for rank, song in enumerate(songs, start=1):
        RecommendationItem.objects.create(recommendation=rec, rank=rank, song=song, score=0, explanation="")
    return rec


def by_button(user, song, kind):
    feedback_create(user=user, song=song, kind=kind, recommendation=a_list_with(user, song))


def by_player(user, song, kind):
    position = 3.0 if kind == "skipped" else 31.0
    listening_event_create(user=user, song=song, kind=kind, position=position, recommendation=a_list_with(user, song))


def taste(user, songs) -> dict[int, float]:
    history = selectors.history_for(user=user)
    pool = [
        recommender.Candidate(
            s.pk, s.artist, s.artist_key, s.emotions, s.valence, s.arousal, 0.0, s.genres, s.era, s.language, s.duration
        )
        for s in songs
    ]
    tags = recommender.np.array([recommender.vector(s.emotions) for s in songs])
    return dict(zip([s.pk for s in songs], recommender.taste_scores(pool, tags, history), strict=True))


@pytest.mark.parametrize("kind, direction", [("skipped", -1), ("played", 1)])
def test_implicit_events_move_song_and_artist_scores_as_buttons_do(kind, direction):
    song = SongFactory(artist="Radiohead", title="Creep", emotions={"sadness": 1.0})
    same_artist = SongFactory(artist="Radiohead", title="No Surprises", emotions={"sadness": 1.0})
    # Unrelated in every feature the taste model reads (genre, decade, energy), so untouched.
    other = SongFactory(artist="Portishead", genre=GenreFactory(name="jazz"), year=1960, emotions={"happiness": 1.0})
    songs = [song, same_artist, other]
    silent, button, player = UserFactory(goal="match"), UserFactory(goal="match"), UserFactory(goal="match")
    by_button(button, song, kind)
    by_player(player, song, kind)

    assert selectors.history_for(user=player).skips == selectors.history_for(user=button).skips
    assert selectors.history_for(user=player).plays == selectors.history_for(user=button).plays
    scores = {user: taste(user, songs) for user in (silent, button, player)}
    # Equal but for the milliseconds between the two users' events (taste fades over months).
    assert scores[player] == pytest.approx(scores[button], abs=1e-9)
    assert direction * (scores[player][song.pk] - scores[silent][song.pk]) > 0
    if kind == "skipped":  # a skip also weighs on the artist's other songs
        assert scores[player][same_artist.pk] < scores[silent][same_artist.pk]
    assert scores[player][other.pk] == scores[silent][other.pk]


def test_the_next_list_ranks_a_twice_skipped_artist_last_and_says_why():
    first, second, third = (SongFactory(artist="Coldplay", title=t, emotions={"sadness": 1.0}) for t in "ABC")
    for i in range(5):
        SongFactory(artist=f"Band {i}", emotions={"sadness": 1.0})
    listener, control = UserFactory(goal="match"), UserFactory(goal="match")
    by_player(listener, first, "skipped")
    by_player(listener, second, "skipped")
    for user in (listener, control):  # the same recent lists, so the same candidates
        a_list_with(user, first)
        a_list_with(user, second)

    picks = list(recommendation_create(user=listener, emotions={"sadness": 1.0}, seed=5).items.all())
    assert picks[-1].song == third
    assert "you skipped this artist twice" in picks[-1].explanation
    calm = list(recommendation_create(user=control, emotions={"sadness": 1.0}, seed=5).items.all())
    assert not any("skipped" in item.explanation for item in calm)
