"""How the recommender says why: the words of each pick's explanation, plain Python."""

from music.emotions import EMOTION_ADJECTIVE, EMOTIONS

# The energy words of the explanations ("energetic", "relaxed") and their kin, as a listener may
# ask for them in words (music.recommendation.asked): +1 more energy, -1 less.
ENERGY_WORDS: dict[str, int] = {
    **dict.fromkeys("energetic energy lively fast loud pumping uptempo intense".split(), 1),
    **dict.fromkeys("relaxed relaxing slow calm calming quiet gentle soft mellow chill chilled soothing".split(), -1),
}
# Where the mood was read from, in the explanation's opening: "your words sound sad (72%)".
READ_FROM_PHRASE = {"face": "you look {}", "words": "your words sound {}", "face and words": "you seem {}"}


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


def mood_phrase(emotions: dict[str, float], detected: bool, looked: str = "", read_from: str = "face") -> str:
    """Where the mood came from. Read from a face: "you look sad (61%)", from words "your words
    sound sad (61%)", from both "you seem sad (61%)" (READ_FROM_PHRASE). Said by the listener:
    "you said you feel sad", a share only for a mix, and `looked` (what the photo looked like
    before a correction) in brackets, so the explanation never credits the face with their choice."""
    top = max(EMOTIONS, key=lambda name: emotions.get(name, 0.0))
    share = emotions[top] / sum(emotions.values())
    if detected:
        return READ_FROM_PHRASE[read_from].format(EMOTION_ADJECTIVE[top]) + f" ({share:.0%})"
    phrase = f"you said you feel {EMOTION_ADJECTIVE[top]}"
    if share < 0.995:
        phrase += f" ({share:.0%})"
    if looked:
        phrase += f" (the photo looked {EMOTION_ADJECTIVE[looked]})"
    return phrase
