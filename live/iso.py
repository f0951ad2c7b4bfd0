"""The iso principle, step by step: plain Python (no Django, no database).

Music therapy's iso principle starts where the listener is and moves towards where they want to be
in small steps. Live mode reads the mood every few minutes; after each reading the queue aims at
a target that lies at most MAX_STEP from that reading on the valence/arousal plane, on the way to
the goal's mood (the recommender's own LIFT_TARGET and CALM_TARGET). A distribution's point is the
weighted mean of its emotions' points (music.emotions.EMOTION_VA), which is linear: blending the
reading with the goal's distribution by t moves the point exactly t of the way, so a step is a
blend whose t is chosen for its length.
"""

import math

from music.emotions import EMOTION_ADJECTIVE, EMOTIONS, va_point
from music.recommendation.recommender import CALM_TARGET, LIFT_TARGET

# How far (valence/arousal units, each axis -1..1) one reading may move the target.
MAX_STEP = 0.4
# Two points closer than this are the same mood for the queue: re-ranking would only shuffle it.
SAME_MOOD = 0.15
# A listener who follows the music reaches the goal within this many readings: no two points of the
# plane's [-1, 1] square are further apart than 2·√2, and each step covers MAX_STEP of it.
CONVERGES_WITHIN = math.ceil(2 * math.sqrt(2) / MAX_STEP)
# Where each goal steers (match_then_lift, the list-long iso goal, steers like lift between readings).
GOAL_AIMS: dict[str, dict[str, float] | None] = {
    "match": None,
    "lift": LIFT_TARGET,
    "match_then_lift": LIFT_TARGET,
    "calm": CALM_TARGET,
}
GOAL_WORDS = {"lift": "lifting your mood", "match_then_lift": "lifting your mood", "calm": "calm"}

Point = tuple[float, float]


def normalized(distribution: dict[str, float]) -> dict[str, float]:
    total = sum(max(0.0, float(distribution.get(name, 0.0))) for name in EMOTIONS)
    if total <= 0:
        raise ValueError("a distribution needs some weight")
    return {name: max(0.0, float(distribution.get(name, 0.0))) / total for name in EMOTIONS}


def point(distribution: dict[str, float]) -> Point:
    """The distribution's place on the valence/arousal plane."""
    return va_point(normalized(distribution))


def distance(a: Point, b: Point) -> float:
    return math.dist(a, b)


def step(reading: dict[str, float], goal: str) -> dict[str, float]:
    """The queue's next target: the reading itself for "match", else the reading moved at most
    MAX_STEP towards the goal's mood (all the way when it is that close)."""
    if goal not in GOAL_AIMS:
        raise ValueError(f"unknown goal {goal!r}")
    here, aim = normalized(reading), GOAL_AIMS[goal]
    if aim is None:
        return here
    aim = normalized(aim)
    gap = distance(point(here), point(aim))
    t = 1.0 if gap <= MAX_STEP else MAX_STEP / gap
    return {name: round((1 - t) * here[name] + t * aim[name], 6) for name in EMOTIONS}


def goal_point(goal: str) -> Point | None:
    aim = GOAL_AIMS[goal]
    return None if aim is None else point(aim)


def change_word(before: Point, after: Point) -> str:
    """How the listener looked compared with before, in one word; "" when about the same."""
    dv, da = after[0] - before[0], after[1] - before[1]
    if math.hypot(dv, da) < SAME_MOOD:
        return ""
    if abs(dv) >= abs(da):
        return "happier" if dv > 0 else "sadder"
    return "livelier" if da > 0 else "calmer"


def reason(reading: dict[str, float], before: Point | None, goal: str, at: str) -> str:
    """What opens each new song's explanation: the reading it answers, and what the queue does about
    it, e.g. "you looked calmer at 14:05, so: a step towards lifting your mood"."""
    word = change_word(before, point(reading)) if before is not None else ""
    top = max(EMOTIONS, key=lambda name: reading.get(name, 0.0))
    looked = f"you looked {word} at {at}" if word else f"you looked {EMOTION_ADJECTIVE[top]} at {at}"
    if GOAL_AIMS[goal] is None:
        return f"{looked}, so: songs that match it"
    return f"{looked}, so: a step towards {GOAL_WORDS[goal]}"
