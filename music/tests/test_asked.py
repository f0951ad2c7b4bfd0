"""Words that name music (issue 28): genres, decades and energy read from a check-in's text
become soft preferences for its list, named in each song's explanation."""

import pytest

from music.models import Song
from music.recommendation import asked
from music.recommendation.services import asks_read, recommendation_create
from music.tests.factories import load_starter_catalog

VOCABULARY = {
    "rock": "rock",
    "hard rock": "rock/hard rock",
    "hip-hop": "hip-hop",
    "rap": "hip-hop",
    "house": "electronic/house",
}


def read(text: str) -> asked.Asks:
    return asked.asks_in(text, VOCABULARY.get)


@pytest.mark.parametrize(
    ("text", "genres", "decades", "energy"),
    [
        ("wiped out, some 80s rock please", ("rock",), (1980,), 0),
        ("something slow", (), (), -1),
        ("play me some HARD ROCK from the 1990s", ("rock/hard rock",), (1990,), 0),
        ("rap songs from the eighties", ("hip-hop",), (1980,), 0),
        ("give me '70s music, energetic", (), (1970,), 1),
        ("nervous about tomorrow", (), (), 0),
    ],
)
def test_genres_decades_and_energy_are_read_from_the_words(text, genres, decades, energy):
    asks = read(text)
    assert (asks.genres, asks.decades, asks.energy) == (genres, decades, energy)


def test_genre_and_energy_words_count_only_in_a_request_for_music():
    # No cue: "house" is where they live, "slow" how the day feels. A decade needs no cue.
    assert not read("my house is cold and the day is slow")
    assert read("some house music").genres == ("electronic/house",)
    assert read("back in the 80s I was happier").decades == (1980,)


def test_two_opposite_energy_words_ask_for_no_energy():
    assert read("some slow but energetic songs").energy == 0


def test_a_longer_genre_name_wins_over_the_shorter_inside_it():
    assert read("some hard rock").genres == ("rock/hard rock",)


def test_asks_round_trip_through_json_and_never_hold_the_text():
    asks = read("some 80s rock please, I am so tired")
    assert asked.Asks.from_json(asks.as_json()) == asks
    assert "tired" not in str(asks.as_json())


def test_explanations_name_what_was_asked():
    asks = asked.Asks(genres=("rock",), decades=(1980,), energy=-1)
    assert asked.reason(("rock", "metal"), 1980, -0.5, asks) == "you asked for rock and the 80s and something relaxed"
    assert asked.reason(("pop",), 1990, 0.6, asks) == ""
    assert asked.bonus(("rock",), 1990, 0.6, asks) == asked.ASKED_BONUS


@pytest.mark.django_db
class TestLists:
    @pytest.fixture(autouse=True)
    def catalogue(self):
        load_starter_catalog()

    def test_the_catalogue_vocabulary_and_its_aliases_are_read(self):
        assert asks_read("some rap music") == {"genres": ["hip-hop"], "decades": [], "energy": 0}
        assert asks_read("play some metal")["genres"] == ["rock/metal"]

    def test_genre_and_decade_words_change_the_list_and_its_explanations(self, user):
        sad = {"sadness": 0.8, "neutral": 0.2}
        plain = recommendation_create(user=user, emotions=sad, seed=7)
        plain_items = list(plain.items.all())
        plain.delete()  # the next list must not avoid this one's songs
        asks = asks_read("some jazz please, or anything from the 60s")
        wanted = recommendation_create(user=user, emotions=sad, seed=7, asks=asks)
        wanted_items = list(wanted.items.all())

        def asked_for(items):
            songs = Song.objects.filter(pk__in=[item.song_id for item in items]).select_related("genre")
            return sum(1 for s in songs if "jazz" in s.genres or s.era == 1960)

        assert [i.song_id for i in wanted_items] != [i.song_id for i in plain_items]
        assert asked_for(wanted_items) > asked_for(plain_items)
        reasons = [item.explanation for item in wanted_items if "you asked for" in item.explanation]
        assert reasons and all(("jazz" in r) or ("the 60s" in r) for r in reasons)
        assert not any("you asked for" in item.explanation for item in plain_items)
