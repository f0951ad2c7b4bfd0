"""What a listener said (the warm start, issue 29) as the recommender uses it: plain Python, no Django.

* **Avoided genres** are a hard filter, sub-genres included: `avoided()` is the one rule; the
  candidate query leaves out the genre ids it selects (every source), and `recommend()` applies it
  again to whatever it is given. A list that cannot be filled without them says so (`shortfall()`).
* **Liked genres** become prior observations for the taste model (music.recommendation.taste): one
  like of a song of that genre, weighing PRIOR_WEIGHT of a real like. It is expressed through the
  model's own time decay (an observation that old weighs that much), so nothing in the model needs
  to know about it, and it is the oldest evidence of its genre: each real observation of the genre
  ages it further (the same-value half-life), and real dislikes and skips outweigh it.
* **Liked artists** count as PRIOR_ARTIST_LIKES of a like in rule (c)'s artist term, so a real
  like, dislike or skip of that artist soon outweighs them, and bring their songs in as candidates.
* **The era range** is a soft preference: songs of a decade that overlaps it gain ERA_BONUS (a
  fraction of the mood band), songs outside lose nothing.
* **Explanations** name the choice: "you said you like soul", while it still lifts the song.
"""

import math
from dataclasses import dataclass, field

from music.recommendation.taste import HALF_LIFE_DAYS, Features, Observation, Taste

PRIOR_WEIGHT = 0.3  # a stated genre weighs 0.3 of a real like of one of its songs
PRIOR_AGE_HOURS = HALF_LIFE_DAYS * 24 * math.log2(1 / PRIOR_WEIGHT)
PRIOR_ARTIST_LIKES = 0.5
ERA_BONUS = 0.04


@dataclass(frozen=True)
class Stated:
    """A listener's stated preferences. Genres are paths, broadest first: ("r&b", "soul")."""

    likes: tuple[tuple[str, ...], ...] = ()
    avoids: tuple[tuple[str, ...], ...] = ()
    artists: dict[str, str] = field(default_factory=dict)  # artist key -> name as shown
    eras: tuple[int, int] | None = None
    # The vocabulary genres avoided() selects, for the candidate query.
    avoided_genre_ids: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.likes or self.avoids or self.artists or self.eras)


def avoided(genres: tuple[str, ...], stated: Stated) -> bool:
    """Whether a song of this genre path must never be listed: it is, or is under, an avoided genre."""
    return any(genres[: len(path)] == path for path in stated.avoids)


def prior_observations(stated: Stated) -> list[Observation]:
    """The stated likes as evidence for the taste model (see the module docstring)."""
    return [Observation(Features(genres=path), rating=1, age_hours=PRIOR_AGE_HOURS) for path in stated.likes]


def artist_prior(stated: Stated, artist_key: str) -> float:
    return PRIOR_ARTIST_LIKES if artist_key in stated.artists else 0.0


def in_eras(decade: int | None, stated: Stated) -> bool:
    return stated.eras is not None and decade is not None and decade + 9 >= stated.eras[0] and decade <= stated.eras[1]


def era_bonus(decade: int | None, stated: Stated) -> float:
    return ERA_BONUS if in_eras(decade, stated) else 0.0


def reason(f: Features, stated: Stated, taste: Taste, artist_score: float) -> str:
    """The stated choice behind a pick, while it still counts for the song, or ""."""
    if f.artist_key in stated.artists and artist_score > 0:
        return f"you said you like {stated.artists[f.artist_key]}"
    liked = next((path for path in stated.likes if f.genres[: len(path)] == path), None)
    if liked is not None and taste.genre_effect(f.genres) > 0:
        return f"you said you like {liked[-1]}"
    if in_eras(f.decade, stated):
        start, end = stated.eras
        return f"you said you like songs from {start}–{end}"
    return ""


def shortfall(found: int, wanted: int, stated: Stated) -> str:
    """What to tell the listener when fewer songs than wanted fit without the genres they avoid."""
    if found >= wanted or not stated.avoids:
        return ""
    names = ", ".join(path[-1] for path in stated.avoids)
    if not found:
        return f"No song fits this mood without the genres you avoid ({names}). Try another mood, or change them."
    return (
        f"Only {found} song{'s fit' if found > 1 else ' fits'} this mood without the genres you avoid ({names}); "
        "you can change them on your profile."
    )
