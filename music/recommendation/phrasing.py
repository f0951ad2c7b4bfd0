"""How the recommender says why: the words of each pick's explanation, plain Python."""

from music.emotions import EMOTION_ADJECTIVE, EMOTIONS


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def describe(valence: float, arousal: float) -> str:
    if valence > 0.15:
        mood = "upbeat"
    elif valence < -0.15:
        mood = "dark" if arousal > 0.15 else "melancholic"
    else:
        mood = "bittersweet"
    energy = "energetic" if arousal > 0.15 else "relaxed" if arousal < -0.15 else "mid-tempo"
    return f"{mood} and {energy}"


def goal_phrase(goal: str, rank: int, n: int) -> str:
    if goal == "match_then_lift":
        return f"goal: match, then lift (step {rank} of {n})"
    return f"goal: {goal}"


def mood_phrase(emotions: dict[str, float], detected: bool, looked: str = "") -> str:
    """Where the mood came from. Read from a face: "you look sad (61%)". Said by the listener:
    "you said you feel sad", a share only for a mix, and `looked` (what the photo looked like
    before a correction) in brackets, so the explanation never credits the face with their choice."""
    top = max(EMOTIONS, key=lambda name: emotions.get(name, 0.0))
    share = emotions[top] / sum(emotions.values())
    if detected:
        return f"you look {EMOTION_ADJECTIVE[top]} ({share:.0%})"
    phrase = f"you said you feel {EMOTION_ADJECTIVE[top]}"
    if share < 0.995:
        phrase += f" ({share:.0%})"
    if looked:
        phrase += f" (the photo looked {EMOTION_ADJECTIVE[looked]})"
    return phrase
