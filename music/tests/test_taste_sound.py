"""Taste through sound: what a listener likes in how songs sound (audio features) reaches songs
nobody has rated, in any genre, from the very next list."""

import pytest

from accounts.tests.factories import UserFactory
from music.emotions import va_from_tags
from music.library.services import feedback_create
from music.recommendation.fitting import fit
from music.recommendation.recommender import Candidate, History, recommend
from music.recommendation.services import recommendation_create
from music.recommendation.taste import Features, Observation, Sound
from music.tests.factories import SongFactory
from music.tests.test_taste import everyday

ACOUSTIC_SLOW = Sound(energy=0.3, danceability=0.45, acousticness=0.85, valence=0.45, tempo=82.0, mode=1)
LOUD_FAST = Sound(energy=0.95, danceability=0.8, acousticness=0.02, valence=0.55, tempo=150.0, mode=0)
GENRES = [("pop",), ("rock",), ("r&b",), ("hip-hop",), ("latin",), ("electronic",)]
SAD = {"sadness": 1.0}


def sounding(sound: Sound, n: int, **what) -> list[Observation]:
    """n songs of different genres and artists that sound like `sound` (slightly varied)."""
    return [
        Observation(
            Features(f"{sound.tempo}-{i}", GENRES[i % len(GENRES)], 1990 + 10 * (i % 3), "en", 0.0, 210,
                     Sound(sound.energy + 0.01 * i, sound.danceability, sound.acousticness - 0.01 * i,
                           sound.valence, sound.tempo + i, sound.mode)),
            age_hours=1.0 + i, **what,
        )
        for i in range(n)
    ]  # fmt: skip


def candidate(song_id: int, f: Features, tags: dict[str, float]) -> Candidate:
    valence, arousal = va_from_tags(tags)
    return Candidate(
        song_id, f.artist_key, f.artist_key, tags, valence, arousal, 0.0, f.genres, f.decade, f.language, f.duration,
        f.sound,
    )  # fmt: skip


def test_a_song_never_rated_but_close_in_sound_to_liked_songs_ranks_above_a_distant_one():
    history = History(observations=sounding(ACOUSTIC_SLOW, 4, rating=1, plays=1) + sounding(LOUD_FAST, 4, skips=1)
                      + everyday())  # fmt: skip
    # Two songs of a genre the listener never met, by artists they never met, fitting the mood alike.
    near = candidate(1, Features("new artist a", ("folk",), 2010, "en", 0.0, 200, ACOUSTIC_SLOW), SAD)
    far = candidate(2, Features("new artist b", ("folk",), 2010, "en", 0.0, 200, LOUD_FAST), SAD)
    assert history.taste.score(near.features) > 0.1 > -0.1 > history.taste.score(far.features)
    for seed in range(20):
        picks = recommend(SAD, [near, far], history, goal="match", seed=seed, n=2)
        assert [p.song_id for p in picks] == [1, 2], seed
    assert "you like calm, acoustic songs" in picks[0].explanation


def test_the_sound_taste_says_what_it_learned_in_words():
    taste = fit(sounding(LOUD_FAST, 5, rating=1, plays=1) + sounding(ACOUSTIC_SLOW, 5, skips=1) + everyday())
    loud = Features("someone", ("pop",), 2000, "en", 0.0, 200, LOUD_FAST)
    quiet = Features("someone else", ("pop",), 2000, "en", 0.0, 200, ACOUSTIC_SLOW)
    assert taste.reason(loud) == "you like energetic, danceable songs"
    assert taste.reason(quiet) == "you skip calm, acoustic songs, but this fits your mood"
    # Songs without audio features are scored by their other features alone.
    assert taste.score(Features("someone", ("pop",), 2000, "en", 0.0, 200)) == pytest.approx(
        taste.score(loud) - float(loud.sound.z @ taste.sound) - taste.effects["tempo"]["fast"]
        - taste.effects["mode"]["minor"]
    )  # fmt: skip


def song(sound: Sound, i: int):
    return SongFactory(
        title=f"{'Quiet' if sound is ACOUSTIC_SLOW else 'Loud'} {i}", emotions=SAD, audio_energy=sound.energy,
        danceability=sound.danceability, acousticness=sound.acousticness, audio_valence=sound.valence,
        tempo=sound.tempo, mode=sound.mode,
    )  # fmt: skip


@pytest.mark.django_db
def test_feedback_on_songs_changes_the_next_list_within_one_request():
    quiet = [song(ACOUSTIC_SLOW, i) for i in range(15)]
    [song(LOUD_FAST, i) for i in range(15)]
    fed, silent = UserFactory(goal="match"), UserFactory(goal="match")
    for liked in quiet[:3]:
        feedback_create(user=fed, song=liked, kind="like")
    # The very next list, with nothing in between: no job, nothing to refresh.
    lists = {
        user: [item.song for item in recommendation_create(user=user, emotions=SAD, seed=7).items.all()]
        for user in (fed, silent)
    }
    unrated_quiet = {s.pk for s in quiet[3:]}
    assert sum(s.pk in unrated_quiet for s in lists[fed]) >= 6
    assert sum(s.pk in unrated_quiet for s in lists[fed]) > sum(s.pk in unrated_quiet for s in lists[silent]) + 2
