"""Making a list: choose songs for a listener in a mood (the recommender) and store it in the library."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from music.emotions import EMOTIONS, normalize_distribution
from music.library.models import Recommendation, RecommendationItem
from music.recommendation import asked, preferences, recommender, selectors

LIST_LENGTH = 10


def recommendation_create(
    *, user, emotions: dict[str, float], goal=None, seed=None, detected: bool = False, looked: str = "",
    reason: str = "", played=(), queued=(), target: dict[str, float] | None = None, read_from: str = "face",
    asks: dict | None = None,
) -> Recommendation:  # fmt: skip
    """Choose, store and return a list of songs for this user in this mood.

    `emotions` is a distribution over the 8 emotion names; `goal` defaults to the user's profile
    goal; the same `seed` with the same history and catalog gives the same list. The app that asked
    for the list keeps what it was for (detection links it to a check-in).
    `detected` says the mood was read from a face, else the listener said it (the default);
    `looked` is what the photo looked like when they corrected it.
    A queue that adapts while it plays (live mode) passes `target` (the mood every rank aims at, in
    place of the goal's targets), `reason` (opens every explanation instead of the mood and goal),
    `played` (songs heard in it: never again) and `queued` (songs waiting in it: they may stay,
    although they belong to a recent list).
    `read_from` ("face", "words", "face and words") says in the explanations what the mood was read
    from; `asks` (asks_read()'s answer) are what the listener's words asked of the music.
    Raises ValidationError for a malformed distribution or goal.
    """
    distribution = _distribution(emotions)
    goal = goal or user.goal
    if goal not in recommender.GOALS:
        raise ValidationError(f"Unknown goal {goal!r}; choose one of {', '.join(recommender.GOALS)}.")
    seed = secrets.randbits(62) if seed is None else int(seed)
    history = selectors.history_for(user=user)
    # Read on every list, never cached: a change of preferences shows in the very next list.
    history.stated = selectors.stated_for(user=user)
    history.recent_list_songs = (history.recent_list_songs | set(played)) - set(queued)
    target = _distribution(target) if target is not None else None
    targets = (
        [recommender.vector(target)] * LIST_LENGTH
        if target
        else recommender.targets_for(distribution, goal, LIST_LENGTH)
    )
    wanted = asked.Asks.from_json(asks)
    candidates = selectors.candidates_for(user=user, history=history, targets=targets, seed=seed, genres=wanted.genres)
    picks = recommender.recommend(
        distribution, candidates, history, goal=goal, seed=seed, n=LIST_LENGTH,
        detected=detected, looked=looked, reason=reason,
        target=target, read_from=read_from, asks=wanted,
    )  # fmt: skip
    rec = Recommendation(
        user=user,
        goal=goal,
        emotions={name: round(distribution[name], 4) for name in EMOTIONS},
        seed=seed,
        note=preferences.shortfall(len(picks), LIST_LENGTH, history.stated),
    )
    _recommendation_store(rec, picks)
    return rec


def _distribution(emotions: dict[str, float]) -> dict[str, float]:
    try:
        return normalize_distribution(emotions)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def _recommendation_store(rec: Recommendation, picks: list[recommender.Pick]) -> None:
    # A transaction of its own, but no savepoint inside a caller's: the caller's rolls back both.
    with transaction.atomic(savepoint=False):
        rec.save()
        RecommendationItem.objects.bulk_create(
            RecommendationItem(
                recommendation=rec, rank=p.rank, song_id=p.song_id, score=p.score, explanation=p.explanation
            )
            for p in picks
        )


def asks_read(text: str) -> dict:
    """What a text written with a check-in asks of the music (music.recommendation.asked), as JSON
    for recommendation_create(asks=...): vocabulary genres, decades and an energy, never the text."""
    return selectors.asks_for(text).as_json()
