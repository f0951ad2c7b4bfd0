"""The warm start (issue 29) in the recommender: avoided genres never come, liked genres and artists
lead the first lists, real feedback takes over, and every change counts in the next list."""

import random

import pytest

from accounts.tests.factories import UserFactory
from music.emotions import EMOTIONS
from music.library.services import feedback_create, preferences_update
from music.models import Recommendation, Song
from music.recommendation.recommender import GOALS
from music.recommendation.services import recommendation_create
from music.tests.factories import load_starter_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def starter(db, starter_mood_band):
    load_starter_catalog()


def songs_of(rec: Recommendation) -> list[Song]:
    return [item.song for item in rec.items.select_related("song__genre").order_by("rank")]


def in_family(song: Song, family: str) -> bool:
    return bool(song.genre) and song.genre.path.split("/")[0] == family


def mood(rng: random.Random) -> dict[str, float]:
    top = rng.choice(EMOTIONS)
    return {top: 0.8, rng.choice([e for e in EMOTIONS if e != top]): 0.2}


def prefs(user, likes=(), avoid=(), artists=(), eras=None):
    return preferences_update(
        user=user, likes_genres=list(likes), avoid_genres=list(avoid), likes_artists=list(artists), eras=eras
    )


def test_an_avoided_family_never_comes_over_20_lists_and_every_goal(starter):
    listener = UserFactory()
    prefs(listener, avoid=["rock"])  # with metal, punk, industrial, alternative and their sub-genres
    rng = random.Random(3)
    listed = 0
    for i in range(20):
        for goal in GOALS:
            rec = recommendation_create(user=listener, emotions=mood(rng), goal=goal, seed=i)
            songs = songs_of(rec)
            assert not [s for s in songs if in_family(s, "rock")], (goal, i)
            listed += len(songs)
    assert listed == 20 * len(GOALS) * 10  # the rest of the catalogue still fills every list


def test_an_avoided_genre_stays_out_even_when_the_listener_liked_its_songs(starter):
    listener = UserFactory()
    metal = list(Song.objects.filter(genre__name="metal"))
    for song in metal:
        feedback_create(user=listener, song=song, kind="like")
    prefs(listener, avoid=["metal"])
    for seed in range(5):
        rec = recommendation_create(user=listener, emotions={"anger": 1.0}, goal="match", seed=seed)
        assert not [s for s in songs_of(rec) if s.genre.name == "metal"]


def test_a_list_that_cannot_be_filled_says_so_and_keeps_the_rule(starter):
    listener = UserFactory()
    # Ten of the starter catalogue's twelve families: jazz (4 songs) and new age (1) are left.
    avoid = ["rock", "pop", "folk", "r&b", "electronic", "hip-hop", "country", "classical", "reggae", "latin"]
    prefs(listener, avoid=avoid)
    rec = recommendation_create(user=listener, emotions={"sadness": 1.0}, goal="match", seed=1)
    songs = songs_of(rec)
    assert 0 < len(songs) < 10
    assert all(in_family(s, "jazz") or in_family(s, "new age") for s in songs)
    assert rec.note.startswith(f"Only {len(songs)} song")
    assert "this mood without the genres you avoid (classical, country, electronic, folk, hip-hop" in rec.note


def first_list_share(family: str, *, onboard: bool, listeners: int = 16) -> tuple[float, float]:
    """The share of the first list from `family`, and its mood fit (mean weight of the mood asked for)."""
    rng = random.Random(11)
    share, fit = [], []
    for i in range(listeners):
        listener = UserFactory()
        if onboard:
            prefs(listener, likes=[family])
        emotions = mood(rng)
        top = max(emotions, key=emotions.get)
        songs = songs_of(recommendation_create(user=listener, emotions=emotions, seed=i))
        share.append(sum(in_family(s, family) for s in songs) / len(songs))
        fit.append(sum(s.emotions.get(top, 0.0) for s in songs) / len(songs))
    return sum(share) / len(share), sum(fit) / len(fit)


def test_a_new_listener_who_likes_a_minority_family_gets_it_in_their_first_list_and_the_mood_still_fits(starter):
    # r&b with soul and funk: 13 of the 167 starter songs.
    family = Song.objects.filter(genre__path__startswith="r&b").count() / Song.objects.count()
    assert family < 0.1
    onboarded, onboarded_fit = first_list_share("r&b", onboard=True)
    silent, silent_fit = first_list_share("r&b", onboard=False)
    print(f"r&b: catalogue {family:.1%}, silent {silent:.1%} (fit {silent_fit:.3f}), onboarded {onboarded:.1%} "
          f"(fit {onboarded_fit:.3f})")  # fmt: skip
    assert onboarded >= 0.4
    assert onboarded >= silent + 0.25
    assert silent_fit - onboarded_fit <= 0.05  # mood fit: the mean weight of the emotion asked for


def test_the_stated_like_fades_as_real_feedback_against_it_arrives(starter):
    listener = UserFactory()
    prefs(listener, likes=["r&b"])
    shares = []
    for t in range(5):
        rec = recommendation_create(user=listener, emotions={"happiness": 0.7, "neutral": 0.3}, seed=t)
        songs = songs_of(rec)
        shares.append(sum(in_family(s, "r&b") for s in songs) / len(songs))
        if t == 0:
            assert any("you said you like r&b" in item.explanation for item in rec.items.all())
        for song in songs:  # the listener skips every r&b song they are given, and plays the rest
            kind = "skipped" if in_family(song, "r&b") else "played"
            feedback_create(user=listener, song=song, kind=kind, recommendation=rec)
    print("r&b share list by list, skipping r&b:", shares)
    assert shares[0] >= 0.4
    assert max(shares[1:3]) <= 0.1
    # Later lists of this 167-song catalogue may hold an r&b song again: the last 3 lists are never
    # repeated and mood comes first, so the few songs left that fit the mood get in. None of them
    # is there for the stated like any more.
    for rec in Recommendation.objects.filter(user=listener).order_by("created_at")[1:]:
        assert not any("you said you like r&b" in item.explanation for item in rec.items.all())


def test_explanations_name_the_stated_choice(starter):
    listener = UserFactory()
    prefs(listener, likes=["soul"], artists=["Queen"])
    rec = recommendation_create(user=listener, emotions={"happiness": 0.6, "sadness": 0.4}, goal="match", seed=2)
    texts = [
        (item.song.genre.name, item.song.artist, item.explanation) for item in rec.items.select_related("song__genre")
    ]
    assert any(genre == "soul" and "you said you like soul" in text for genre, _, text in texts), texts
    assert any(artist == "Queen" and "you said you like Queen" in text for _, artist, text in texts), texts


def test_changing_preferences_changes_the_next_list_at_once(starter):
    listener = UserFactory()
    emotions = {"happiness": 1.0}
    before = songs_of(recommendation_create(user=listener, emotions=emotions, goal="match", seed=4))
    assert any(in_family(s, "pop") for s in before)
    prefs(listener, avoid=["pop"])
    after = songs_of(recommendation_create(user=listener, emotions=emotions, goal="match", seed=4))
    assert not any(in_family(s, "pop") for s in after)
    prefs(listener, likes=["pop"])
    again = songs_of(recommendation_create(user=listener, emotions=emotions, goal="match", seed=4))
    assert sum(in_family(s, "pop") for s in again) > sum(in_family(s, "pop") for s in before)


def test_the_era_range_is_a_soft_preference(starter):
    def eighties_share(eras):
        songs = []
        for seed in range(6):  # six new listeners' first lists
            listener = UserFactory()
            if eras:
                prefs(listener, eras=eras)
            songs += songs_of(
                recommendation_create(user=listener, emotions={"happiness": 1.0}, goal="match", seed=seed)
            )
        return sum(1980 <= (s.year or 0) <= 1989 for s in songs) / len(songs), len(songs)

    silent, _ = eighties_share(None)
    onboarded, count = eighties_share([1980, 1989])
    assert onboarded >= silent + 0.1
    assert onboarded < 0.8 and count == 60  # soft: other decades still come, lists stay full
