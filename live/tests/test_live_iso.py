"""The iso step of live mode (live/iso.py): plain functions, no database."""

import pytest

from live import iso
from ml.labels import EMOTIONS


def one(emotion: str) -> dict[str, float]:
    return {name: float(name == emotion) for name in EMOTIONS}


@pytest.mark.parametrize("goal", ["lift", "calm", "match_then_lift"])
@pytest.mark.parametrize("start", EMOTIONS)
def test_live_iso_step_moves_a_bounded_distance_towards_the_goal(start, goal):
    reading = one(start)
    target = iso.step(reading, goal)
    aim = iso.goal_point(goal)
    moved = iso.distance(iso.point(reading), iso.point(target))
    assert moved <= iso.MAX_STEP + 1e-6
    before, after = iso.distance(iso.point(reading), aim), iso.distance(iso.point(target), aim)
    # Towards the goal by the whole step, or all the way when the goal is nearer than a step.
    assert after == pytest.approx(max(0.0, before - iso.MAX_STEP), abs=1e-5)
    assert sum(target.values()) == pytest.approx(1.0, abs=1e-5)


def test_live_iso_step_from_far_away_is_exactly_one_step_long():
    target = iso.step(one("sadness"), "lift")
    assert iso.distance(iso.point(one("sadness")), iso.point(target)) == pytest.approx(iso.MAX_STEP, abs=1e-5)


@pytest.mark.parametrize("start", EMOTIONS)
def test_live_iso_no_step_when_the_goal_is_match(start):
    mixed = {**one(start), "neutral": 0.25 if start != "neutral" else 1.0}
    assert iso.step(mixed, "match") == pytest.approx(iso.normalized(mixed))
    assert iso.goal_point("match") is None


@pytest.mark.parametrize("goal", ["lift", "calm"])
@pytest.mark.parametrize("start", EMOTIONS)
def test_live_iso_a_listener_who_follows_the_music_reaches_the_goal_within_the_stated_steps(start, goal):
    # The stated bound: the plane's widest gap (2·√2) over the step (0.4), rounded up.
    assert iso.CONVERGES_WITHIN == 8
    reading, aim = one(start), iso.goal_point(goal)
    for _ in range(iso.CONVERGES_WITHIN):
        reading = iso.step(reading, goal)  # the next reading is where the music aimed
        if iso.distance(iso.point(reading), aim) < 1e-6:
            break
    else:
        pytest.fail(f"{start} did not reach {goal} in {iso.CONVERGES_WITHIN} steps")


def test_live_iso_unknown_goal_and_empty_reading_are_refused():
    with pytest.raises(ValueError):
        iso.step(one("sadness"), "party")
    with pytest.raises(ValueError):
        iso.step(dict.fromkeys(EMOTIONS, 0.0), "lift")


def test_live_iso_change_words_name_the_larger_move():
    sad, happy, calm = (iso.point(one(name)) for name in ("sadness", "happiness", "neutral"))
    assert iso.change_word(sad, happy) == "happier"
    assert iso.change_word(happy, sad) == "sadder"
    assert iso.change_word(iso.point(one("surprise")), calm) == "calmer"
    assert iso.change_word(calm, iso.point(one("surprise"))) == "livelier"
    assert iso.change_word(sad, sad) == ""


def test_live_iso_reason_names_the_reading_and_what_the_queue_does():
    before = iso.point(one("anger"))
    assert iso.reason(one("neutral"), before, "calm", "14:05") == "you looked calmer at 14:05, so: a step towards calm"
    assert iso.reason(one("sadness"), None, "lift", "09:30") == (
        "you looked sad at 09:30, so: a step towards lifting your mood"
    )
    assert iso.reason(one("sadness"), None, "match", "09:30") == "you looked sad at 09:30, so: songs that match it"
