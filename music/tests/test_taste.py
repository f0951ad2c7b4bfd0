"""The taste model (music.recommendation.taste) and its use by the recommender, on hand-built histories: no database."""

import pytest

from music.emotions import va_from_tags
from music.recommendation.fitting import fit
from music.recommendation.recommender import EXPLORE_SHARE, Candidate, History, recommend
from music.recommendation.taste import Features, Observation

FOLK = Features("x", ("folk",), 1970, "en", -0.3, 200)
METAL = Features("y", ("rock", "metal"), 1990, "en", 0.7, 300)
ROCK = Features("z", ("rock",), 1980, "en", 0.4, 240)


def met(features, *, n=1, artist="", age=1.0, **what):
    """n observations of songs with these features, by n different artists unless one is given."""
    return [
        Observation(
            Features(artist or f"{features.genres}-{age}-{i}", *[getattr(features, f) for f in Features.__slots__[1:]]),
            age_hours=age + i,
            **what,
        )
        for i in range(n)
    ]


def played_and_liked(features, n, age=1.0):
    return met(features, n=n, age=age, rating=1, plays=1)


def skipped(features, n, age=1.0):
    return met(features, n=n, age=age, skips=1)


def everyday(n=24, age=1.0):
    """The rest of a listener's music: several genres and decades, half played, half left alone."""
    genres = [("pop",), ("jazz",), ("r&b", "soul"), ("electronic",)]
    return [
        Observation(
            Features(f"everyday {i}", genres[i % 4], 1960 + 10 * (i % 6), "en", 0.0, 210),
            plays=i % 2,
            shown=True,
            age_hours=age + i,
        )
        for i in range(n)
    ]


# genre learning ---------------------------------------------------------------------


def test_it_learns_a_loved_and_a_skipped_genre_and_leaves_unknown_ones_neutral():
    taste = fit(played_and_liked(FOLK, 8) + skipped(METAL, 8) + everyday())
    # Effects are deviations from the listener's average: loved and skipped genres stand out
    # on either side of it, and a genre never met stays at it.
    assert taste.genre_effect(("folk",)) > 0.3
    assert taste.genre_effect(("rock", "metal")) < -0.4
    assert taste.genre_effect(("classical",)) == 0.0
    assert taste.favourite_genres() == [("folk",)]


def test_a_sub_genre_is_learned_as_a_deviation_from_its_family():
    # Skips of plain rock songs make metal (under rock) suspect before any metal song is heard...
    taste = fit(skipped(ROCK, 8) + everyday())
    assert taste.genre_effect(("rock", "metal")) == pytest.approx(taste.genre_effect(("rock",)))
    assert taste.genre_effect(("rock",)) < -0.25
    # ...and a listener who skips rock but loves metal gets both right.
    taste = fit(skipped(ROCK, 8) + played_and_liked(METAL, 8) + everyday())
    assert taste.genre_effect(("rock",)) < 0 < taste.genre_effect(("rock", "metal"))


def test_one_favourite_artist_is_not_taken_for_a_taste_for_their_genre():
    loved = played_and_liked(FOLK, 6, age=1.0)
    one_artist = met(FOLK, n=6, artist="nick drake", age=1.0, rating=1, plays=1)
    spread = fit(loved + everyday())
    concentrated = fit(one_artist + everyday())
    assert concentrated.genre_effect(("folk",)) < spread.genre_effect(("folk",))
    assert concentrated.effects["artist"]["nick drake"] > 0.1


def test_a_loved_genre_does_not_pass_for_a_taste_for_its_decade():
    # Every folk song heard is from the 1970s, and so is every rock song skipped: the decade
    # explains nothing, the genres explain everything.
    taste = fit(played_and_liked(FOLK, 8) + skipped(Features("z", ("rock",), 1970, "en", 0.4, 240), 8) + everyday())
    assert abs(taste.effects["era"][1970]) < 0.1
    assert taste.genre_effect(("folk",)) > 0.4


# shrinkage --------------------------------------------------------------------------


def test_little_evidence_moves_the_taste_little_and_more_evidence_moves_it_more():
    effects = [fit(played_and_liked(FOLK, n) + everyday()).genre_effect(("folk",)) for n in (1, 2, 4, 8, 16)]
    assert effects == sorted(effects)
    assert effects[0] < 0.55 * effects[-1] and effects[-1] > 0.3
    assert fit(skipped(METAL, 1) + everyday()).genre_effect(("rock", "metal")) > -0.3


def test_a_song_shown_and_left_alone_counts_a_little_against_its_genre():
    ignored = fit(met(ROCK, n=10, shown=True) + everyday())
    assert -0.15 < ignored.genre_effect(("rock",)) < 0
    assert fit(met(ROCK, n=10)).observations == 10  # not shown, nothing done: no evidence
    assert fit(met(ROCK, n=10)).genre_effect(("rock",)) == 0


def test_a_new_listener_has_no_taste():
    taste = fit([])
    assert taste.observations == 0 and taste.score(FOLK) == 0 and taste.favourite_genres() == []


# reversal -----------------------------------------------------------------------------


def test_a_run_of_recent_skips_reverses_a_once_loved_genre():
    old_love = played_and_liked(FOLK, 30, age=2000.0) + everyday(age=2000.0)
    assert fit(old_love).genre_effect(("folk",)) > 0.25
    changed = fit(old_love + skipped(FOLK, 15, age=1.0) + everyday(age=1.0))
    assert changed.genre_effect(("folk",)) < -0.3


def test_a_skipped_genre_stays_out_however_much_other_music_is_played_meanwhile():
    taste = fit(skipped(METAL, 6, age=500.0) + played_and_liked(FOLK, 150, age=1.0) + everyday())
    assert taste.genre_effect(("rock", "metal")) < -0.4


def test_old_evidence_fades_over_months():
    fresh = fit(skipped(METAL, 6, age=1.0) + everyday()).genre_effect(("rock", "metal"))
    old = fit(skipped(METAL, 6, age=24 * 365.0) + everyday()).genre_effect(("rock", "metal"))
    assert fresh < old < 0 and abs(old) < 0.6 * abs(fresh)


# the recommender with a taste -----------------------------------------------------------


def candidate(song_id, features, tags):
    valence, arousal = va_from_tags(tags)
    return Candidate(
        song_id, features.artist_key, features.artist_key, tags, valence, arousal, 0.0,
        features.genres, features.decade, features.language, features.duration,
    )  # fmt: skip


def catalog(genres_and_tags):
    return [
        candidate(i, Features(f"artist {i}", genres, 1990, "en", 0.0, 200), tags)
        for i, (genres, tags) in enumerate(genres_and_tags, start=1)
    ]


SAD = {"sadness": 1.0}
FOLK_METAL_SKIPPER = History(observations=played_and_liked(FOLK, 8) + skipped(METAL, 8) + everyday())


def test_a_consistent_skipper_sees_the_genre_vanish_unless_it_is_the_only_good_mood_fit():
    songs = catalog([(("rock", "metal"), {"sadness": 1.0})] * 5 + [(("pop",), {"sadness": 0.9})] * 5)
    picks = recommend(SAD, songs, FOLK_METAL_SKIPPER, goal="match", seed=1, n=5)
    assert all(p.song_id > 5 for p in picks)  # the pop songs, nearly as fitting
    only_metal_fits = catalog([(("rock", "metal"), {"sadness": 1.0})] * 5 + [(("pop",), {"happiness": 1.0})] * 5)
    picks = recommend(SAD, only_metal_fits, FOLK_METAL_SKIPPER, goal="match", seed=1, n=3)
    assert all(p.song_id <= 5 for p in picks)
    assert "you skip metal, but this fits your mood" in picks[0].explanation


def test_a_consistent_liker_gets_more_of_the_genre_without_losing_the_mood():
    songs = catalog(
        [(("pop",), {"sadness": 1.0})] * 6 + [(("folk",), {"sadness": 1.0})] * 4
        + [(("folk",), {"sadness": 0.8, "neutral": 0.3})] * 2 + [(("folk",), {"happiness": 1.0})] * 4
    )  # fmt: skip
    cold = recommend(SAD, songs, History(), goal="match", seed=1, n=6)
    warm = recommend(
        SAD, songs, History(observations=played_and_liked(FOLK, 8) + everyday()), goal="match", seed=1, n=6
    )
    folk = {c.song_id for c in songs if c.genres == ("folk",)}
    assert sum(p.song_id in folk for p in warm) > sum(p.song_id in folk for p in cold)
    # Taste re-ranks within what fits as well as a mood-only list: not the folk songs that fit
    # the sad mood a little less, nor the happy ones.
    assert not {p.song_id for p in warm} & {11, 12, 13, 14, 15, 16}
    assert "you often play folk" in next(p.explanation for p in warm if p.song_id in folk)


def test_exploration_takes_a_small_seeded_share_of_novel_picks_and_says_so():
    history = FOLK_METAL_SKIPPER
    songs = catalog(
        [(("folk",), {"sadness": 1.0})] * 15 + [(("country",), {"sadness": 1.0})] * 15
        + [(("reggae",), {"sadness": 1.0})] * 15
    )  # fmt: skip
    novel = {c.song_id for c in songs if c.genres != ("folk",)}
    explored = total = 0
    for seed in range(200):
        picks = recommend(SAD, songs, history, goal="match", seed=seed, n=10)
        marked = [p for p in picks if "new for you" in p.explanation]
        assert all(p.song_id in novel and p.rank > 1 for p in marked)
        assert all("new for you: country" in p.explanation or "new for you: reggae" in p.explanation for p in marked)
        explored, total = explored + len(marked), total + len(picks)
    assert explored / total == pytest.approx(EXPLORE_SHARE, abs=0.02)
    assert recommend(SAD, songs, History(), goal="match", seed=1) == recommend(
        SAD, songs, History(), goal="match", seed=1
    )
    assert not any("new for you" in p.explanation for p in recommend(SAD, songs, History(), goal="match", seed=3))


def test_explanations_name_the_reason():
    taste = fit(played_and_liked(FOLK, 8) + skipped(METAL, 8) + skipped(ROCK, 8) + everyday())
    assert taste.reason(FOLK) == "you often play folk"
    assert taste.reason(METAL) == "you skip rock, but this fits your mood"  # the whole family
    assert fit(skipped(METAL, 8) + everyday()).reason(METAL) == "you skip metal, but this fits your mood"
    metal_not_rock = fit(skipped(METAL, 8) + played_and_liked(ROCK, 8) + everyday())
    assert metal_not_rock.reason(METAL) == "you skip metal, but this fits your mood"
    eighties = fit(played_and_liked(Features("a", (), 1980, "", None, None), 8) + everyday())
    assert eighties.reason(Features("b", (), 1980, "", None, None)) == "you often play 1980s songs"
    german = fit(played_and_liked(Features("a", (), None, "de", None, None), 8) + everyday())
    assert german.reason(Features("b", (), None, "de", None, None)) == "you often play songs in German"
    assert fit(played_and_liked(FOLK, 2) + everyday()).reason(FOLK) == ""  # too little to claim "often"
