"""What the recommender offers live mode: a target in place of the goal's, a reason that opens every
explanation, songs heard that never come back and queued songs that may stay."""

import pytest

from music.recommendation.services import recommendation_create
from music.tests.factories import load_starter_catalog


@pytest.fixture
def catalog(db):
    load_starter_catalog()


def songs(rec) -> list[int]:
    return [item.song_id for item in rec.items.order_by("rank")]


def test_live_queue_aims_at_the_target_and_opens_with_the_reason(user, catalog):
    calm = recommendation_create(user=user, emotions={"anger": 1.0}, goal="lift", target={"neutral": 1.0}, seed=3,
                                 reason="you looked calmer at 14:05, so: a step towards calm")  # fmt: skip
    assert calm.goal == "lift" and calm.emotions["anger"] == 1.0
    for item in calm.items.select_related("song"):
        assert item.explanation.startswith("you looked calmer at 14:05, so: a step towards calm · ")
        assert "goal:" not in item.explanation
    assert sum(item.song.arousal for item in calm.items.select_related("song")) < 0  # calm songs, not angry ones


def test_live_queue_never_repeats_a_song_heard_and_may_keep_a_queued_one(user, catalog):
    first = recommendation_create(user=user, emotions={"happiness": 1.0}, goal="match", seed=1)
    heard, waiting = songs(first)[:3], songs(first)[3:]
    again = recommendation_create(user=user, emotions={"happiness": 1.0}, goal="match", seed=1,
                                  played=heard, queued=waiting)  # fmt: skip
    assert not set(heard) & set(songs(again))
    assert set(waiting) & set(songs(again))  # still the best fits: they stay in the queue
    plain = recommendation_create(user=user, emotions={"happiness": 1.0}, goal="match", seed=1)
    assert not set(songs(first)) & set(songs(plain))  # without live mode, a recent list never repeats
