"""The recommender's scoring rules: plain Python and numpy, no Django, no database.

`music.recommendation.selectors` gathers a listener's history and a few hundred candidate songs from the
database; `recommend()` here turns them into a ranked, explained list. Keeping the rules free of
I/O lets each of them be tested with hand-built scenarios, and keeps the hot path to a handful of
indexed queries plus vector arithmetic on a few hundred rows.

Score of a candidate at rank i (higher is better):

    0.55 * mood_fit(target_i)      (b) whole distribution against tags and valence/arousal
  + W_TASTE * taste                (c) likes, dislikes, plays and skips, generalised to artists, tags
                                       and, through music.taste, to genres, eras, language, energy, length
  + 0.15 * collaborative           (d) co-occurrence with the listener's liked songs
  - recency penalty                (e) songs played in the last days sink
  + jitter < 0.03                  seeded, so equal songs rotate between lists yet the list is reproducible

The target mood at each rank comes from the goal (a); disliked songs and songs from the last few
lists are never candidates (e); one song per artist (f); each pick carries an explanation (g).
Once a listener has some history, a seeded share of the ranks (EXPLORE_SHARE) goes to the best
mood fit among songs of a genre they have hardly met, marked "new for you", so that taste can
change and be learned.
"""

import math
import random

import numpy as np

from accounts.goals import GOALS
from music.emotions import EMOTION_VA, EMOTIONS
from music.recommendation import asked, preferences
from music.recommendation.phrasing import describe, goal_phrase, mood_phrase, times
from music.recommendation.records import Candidate, History, Pick

# Where "lift" and "calm" steer the listener, as emotion distributions.
LIFT_TARGET = {"happiness": 0.7, "surprise": 0.3}
CALM_TARGET = {"neutral": 0.8, "happiness": 0.2}
# With a fixed goal the list still keeps a little of the current mood, so a sad listener is not
# thrown straight into party songs.
GOAL_KEEPS_MOOD = 0.2

W_MOOD, W_TASTE, W_COLLAB, MAX_JITTER = 0.55, 0.4, 0.15, 0.03
# How much the learned feature taste (music.recommendation.taste: genre, era, ...) adds to rule (c)'s score.
W_FEATURES = 1.0
# Mood first: taste chooses only among the songs above the list's floor at each rank: the worst
# fit in the list that mood alone would choose (for the rank's target), less MOOD_BAND. So taste
# changes which of the fitting songs are played, never lets in a song that fits worse; an
# exploration pick must also fit within EXPLORE_BAND of the best song left.
# MOOD_BAND trades liked share against mood fit (benchmarks/taste.py, music/README.md).
MOOD_BAND, EXPLORE_BAND = 0.01, 0.1
EXPLORE_SHARE = 0.1
EXPLORE_AFTER = 5  # observations before exploring: a new listener's every song is new anyway
# Small: songs of the last lists are excluded outright, and a song the listener loves may come back.
RECENT_PLAY_PENALTY = 0.1
RECENT_PLAY_HALF_LIFE_HOURS = 24.0

_VA = np.array([EMOTION_VA[name] for name in EMOTIONS])
_MAX_VA_DISTANCE = 2 * math.sqrt(2)


def vector(distribution: dict[str, float]) -> np.ndarray:
    return np.array([float(distribution.get(name, 0.0)) for name in EMOTIONS])


def targets_for(emotions: dict[str, float], goal: str, n: int) -> list[np.ndarray]:
    """The mood each rank should fit: (a) the goal applied to the current distribution.

    match: the current mood throughout. lift / calm: mostly the goal's mood. match_then_lift
    (the iso principle of music therapy): rank 1 meets the listener where they are and each
    following rank steps linearly towards the lift target.
    """
    current = vector(emotions)
    current = current / current.sum()
    if goal == "match":
        return [current] * n
    if goal in ("lift", "calm"):
        aim = vector(LIFT_TARGET if goal == "lift" else CALM_TARGET)
        return [GOAL_KEEPS_MOOD * current + (1 - GOAL_KEEPS_MOOD) * aim] * n
    if goal == "match_then_lift":
        aim = vector(LIFT_TARGET)
        steps = max(n - 1, 1)
        return [(1 - i / steps) * current + (i / steps) * aim for i in range(n)]
    raise ValueError(f"unknown goal {goal!r}")


def mood_fit(target: np.ndarray, tags: np.ndarray, va: np.ndarray, tag_norms: np.ndarray | None = None) -> np.ndarray:
    """(b) How well each song suits a target distribution, 0..1.

    Cosine between the whole target distribution and the song's tag weights (so a 55% sad,
    45% anxious face prefers songs tagged with both), blended with closeness on the
    valence/arousal plane (which also ranks untagged songs that have a hand-set point).
    """
    cosine = _cosine(tags, target, tag_norms)
    target_va = (target @ _VA) / max(target.sum(), 1e-9)
    closeness = 1 - np.linalg.norm(va - target_va, axis=1) / _MAX_VA_DISTANCE
    return 0.75 * cosine + 0.25 * closeness


def taste_scores(
    pool: list[Candidate], tags: np.ndarray, h: History, feature_scores: np.ndarray | None = None
) -> np.ndarray:
    """(c) Personal taste per candidate, in -1..1.

    A liked song counts most; the artist's likes, dislikes and skips generalise to their other
    songs; the mean tag vectors of liked (and disliked) songs generalise to similar-sounding songs;
    skips of the song itself push it down and plays nudge it up; the learned feature taste
    (music.recommendation.taste) generalises to songs of the genres, eras, languages, energy and length the
    listener plays or skips.
    """
    scores = np.zeros(len(pool))
    if h.learns:
        if feature_scores is None:
            feature_scores = np.array(h.taste.assess([c.features for c in pool])[0])
        scores += W_FEATURES * feature_scores
    if not (
        h.liked or h.artist_likes or h.artist_dislikes or h.artist_skips or h.liked_tags or h.skips or h.plays
        or h.stated.artists
    ):  # fmt: skip
        return np.clip(scores, -1.0, 1.0)  # nothing more to learn from
    for i, c in enumerate(pool):
        value = scores[i] + (0.6 if c.song_id in h.liked else 0.0)
        value += 0.5 * artist_score(c.artist_key, h)
        value -= 0.3 * min(h.skips.get(c.song_id, 0), 2)
        value += 0.1 * min(h.plays.get(c.song_id, 0), 3) / 3
        scores[i] = value
    for profile, weight in ((h.liked_tags, 0.3), (h.disliked_tags, -0.15)):
        if profile:
            scores += weight * _cosine(tags, vector(profile))
    return np.clip(scores, -1.0, 1.0)


def _cosine(rows: np.ndarray, v: np.ndarray, row_norms: np.ndarray | None = None) -> np.ndarray:
    norms = (np.linalg.norm(rows, axis=1) if row_norms is None else row_norms) * np.linalg.norm(v)
    return np.divide(rows @ v, norms, out=np.zeros(len(rows)), where=norms > 0)


def personal_reasons(c: Candidate, tags: np.ndarray, h: History, collab: float) -> list[str]:
    """The personal reasons worth telling the listener about a pick (at most two), best first."""
    reasons = []
    if h.stated and (stated := preferences.reason(c.features, h.stated, h.taste, artist_score(c.artist_key, h))):
        reasons.append(stated)  # warm start: "you said you like soul"
    if c.song_id in h.liked:
        reasons.append("you liked this song")
    if h.observations and (taste_reason := h.taste.reason(c.features)):
        reasons.append(taste_reason)
    likes = h.artist_likes.get(c.artist_key, 0)
    if likes:
        reasons.append(f"you liked {likes} song{'s' if likes > 1 else ''} by this artist")
    skips = h.artist_skips.get(c.artist_key, 0)
    if skips:
        # Said even when the mood fit won, so a listener sees their skips were heard.
        reasons.append(f"you skipped this artist {times(skips)}")
    if collab > 0.5:
        reasons.append("listeners with similar taste liked it")
    if h.liked_tags and _cosine(tags[None, :], vector(h.liked_tags))[0] > 0.8:
        reasons.append("like the songs you like")
    return reasons[:2]


def artist_score(artist_key: str, h: History) -> float:
    """Rule (c)'s artist term before weighting: likes against dislikes and skips. A stated artist
    counts as part of a like (warm start), soon outweighed by real feedback."""
    likes = h.artist_likes.get(artist_key, 0) + preferences.artist_prior(h.stated, artist_key)
    dislikes = h.artist_dislikes.get(artist_key, 0)
    skips = h.artist_skips.get(artist_key, 0)
    return (likes - dislikes - 0.5 * skips) / (likes + dislikes + 0.5 * skips + 1)


def recommend(
    emotions: dict[str, float],
    candidates: list[Candidate],
    history: History,
    *,
    goal: str,
    seed: int,
    n: int = 10,
    detected: bool = True,
    looked: str = "",
    reason: str = "",
    target: dict[str, float] | None = None,
    read_from: str = "face",
    asks: asked.Asks | None = None,
) -> list[Pick]:
    """Rank candidates into a list of at most n songs. Same inputs and seed, same list.

    `detected`: the mood was read from a face, not said by the listener; `looked`: see mood_phrase();
    `reason`, when given (a live reading), opens every explanation in place of the mood and goal phrases;
    `target`, when given (a live reading's iso step), is every rank's target instead of the goal's;
    `read_from`: "face", "words" or "face and words"; `asks`: what the listener's words asked of the
    music (music.recommendation.asked), soft preferences for this list."""
    if goal not in GOALS:
        raise ValueError(f"unknown goal {goal!r}")
    pool = _pool(candidates, history)
    if not pool:
        return []
    rng = random.Random(seed)
    asks = asks or asked.Asks()
    tags = np.array([[c.emotions.get(name, 0.0) for name in EMOTIONS] for c in pool], dtype=float)
    collab, jitter, taste_free = _taste_free_scores(pool, history, rng)
    base, novel = _base_scores(pool, tags, history, taste_free, asks)
    artist_index: dict[str, int] = {}
    artists = np.array([artist_index.setdefault(c.artist_key, len(artist_index)) for c in pool])
    explore_ranks = _exploration_ranks(history, rng, n)

    targets = [vector(target)] * n if target else targets_for(emotions, goal, n)
    va = np.array([(c.valence, c.arousal) for c in pool])
    fits = np.array([mood_fit(t, tags, va, np.linalg.norm(tags, axis=1)) for t in targets])  # rank x candidate
    # The floor comes from the list a listener without any history would get: the same fill, by
    # mood and the seeded jitter alone. Recency stays out of it: a fed listener's recently played
    # songs are the best fits they were shown, and a floor set without them would let worse fits in.
    no_floor, no_exploring = np.full((n, 1), -np.inf), np.zeros((n, 1), dtype=bool)
    mood_only = _fill(fits, jitter, jitter, no_floor, no_exploring, novel, artists)
    band = asked.ASKED_MOOD_BAND if asks else MOOD_BAND
    floor = mood_floor(fits, targets, {r: best for r, (best, _, _) in mood_only.items()}, band)
    explore_row = np.array([rank in explore_ranks for rank in range(1, n + 1)])[:, None]
    chosen = _fill(fits, base, taste_free, floor, explore_row, novel, artists)
    opening = reason or mood_phrase(emotions, detected, looked, read_from)
    return [
        _pick(pool[best], rank, score, explored, opening, "" if reason else goal_phrase(goal, r + 1, n), tags[best],
              history, float(collab[best]), asks)
        for rank, (r, (best, score, explored)) in enumerate(sorted(chosen.items()), start=1)
    ]  # fmt: skip


def _pick(c: Candidate, rank, score, explored, opening, goal_words, tags, history, collab, asks) -> Pick:
    """A chosen song with its explanation: the mood (or the live reading), the goal, how it sounds,
    then why this song: "new for you" for an exploration pick, else what was asked and taste."""
    parts = [opening, goal_words, describe(c.valence, c.arousal)]
    if explored:
        parts.append(f"new for you: {c.genres[-1]}" if c.genres else "new for you")
    else:
        parts.append(asked.reason(c.genres, c.decade, c.arousal, asks))
        parts.extend(personal_reasons(c, tags, history, collab))
    return Pick(c.song_id, rank, round(score, 4), " · ".join(p for p in parts if p)[:300])


def _pool(candidates: list[Candidate], history: History) -> list[Candidate]:
    """The candidates that may be listed, each once, in song id order (so a seed means one list)."""
    pool = sorted(
        (
            c
            for c in candidates
            if c.song_id not in history.disliked
            and c.song_id not in history.recent_list_songs
            and not preferences.avoided(c.genres, history.stated)  # warm start: a hard filter
        ),
        key=lambda c: c.song_id,
    )
    # Deduplicate: a song can arrive from several candidate sources.
    return [c for i, c in enumerate(pool) if i == 0 or c.song_id != pool[i - 1].song_id]


def _taste_free_scores(pool: list[Candidate], history: History, rng: random.Random):
    """The score that is not the listener's taste: rules (d) and (e) and the seeded jitter.
    Returns (collaborative share, jitter, their sum less the recency penalty)."""
    co = np.array([c.co_likes for c in pool], dtype=float)
    collab = np.log1p(co) / math.log1p(co.max()) if co.max() > 0 else np.zeros(len(pool))
    recency = np.array(
        [
            RECENT_PLAY_PENALTY * 0.5 ** (history.hours_since_played[c.song_id] / RECENT_PLAY_HALF_LIFE_HOURS)
            if c.song_id in history.hours_since_played
            else 0.0
            for c in pool
        ]
    )
    jitter = np.array([rng.random() for _ in pool]) * MAX_JITTER
    return collab, jitter, W_COLLAB * collab - recency + jitter


def _base_scores(pool: list[Candidate], tags, history: History, taste_free, asks: asked.Asks):
    """Each candidate's score before mood: taste (rule c), the taste-free part and the soft preferences
    (the warm start's era range, the words' asks). Returns (scores, novel: a genre hardly met)."""
    feature_scores, novel = np.zeros(len(pool)), np.zeros(len(pool), dtype=bool)
    if history.learns:
        assessed = history.taste.assess([c.features for c in pool])
        feature_scores, novel = np.array(assessed[0]), np.array(assessed[1], dtype=bool)
    base = W_TASTE * taste_scores(pool, tags, history, feature_scores) + taste_free
    if history.stated.eras or asks:
        base += np.array(
            [preferences.era_bonus(c.decade, history.stated) + asked.bonus(c.genres, c.decade, c.arousal, asks)
             for c in pool]
        )  # fmt: skip
    return base, novel


def mood_floor(
    fits: np.ndarray, targets: list[np.ndarray], mood_only: dict[int, int], band: float = MOOD_BAND
) -> np.ndarray:
    """Per rank (a column), the lowest mood fit a pick may have: the worst fit, among the ranks
    with the same target, of the list chosen by mood alone (`mood_only`: rank index -> song),
    less `band` (MOOD_BAND; wider when the listener asked for music in words). With one target for every rank (match, lift, calm) that is one floor for the
    whole list; with a target moving from rank to rank (match_then_lift), each rank's own."""
    floor = np.full((len(targets), 1), -np.inf)
    for r in range(len(targets)):
        same = [s for s in mood_only if np.array_equal(targets[s], targets[r])]
        if same:
            floor[r] = min(fits[s, mood_only[s]] for s in same) - band
    return floor


def _fill(fits, base, taste_free, floor, explore_row, novel, artists) -> dict[int, tuple[int, float, bool]]:
    """Choose a song per rank: rank index -> (candidate, score, exploring).

    Fills the (rank, song) pair with the best score first, rather than rank 1 first: each song
    lands on the rank whose target it fits best, so taste costs less mood."""
    n, count = fits.shape
    chosen: dict[int, tuple[int, float, bool]] = {}
    blocked = np.zeros(count, dtype=bool)
    open_ranks = np.ones(n, dtype=bool)
    while open_ranks.any() and not blocked.all():
        best_fit = np.where(blocked, -np.inf, fits).max(axis=1, keepdims=True)
        # Mood first: above the floor; when diversity has blocked every such song, the best one left.
        eligible = ~blocked & (fits >= np.minimum(floor, best_fit))
        explorable = novel & eligible & (fits >= best_fit - EXPLORE_BAND)
        exploring = explore_row & explorable.any(axis=1, keepdims=True)
        # An exploration pick is judged by mood and other listeners: taste would keep an
        # unfamiliar genre out.
        scores = np.where(
            exploring,
            np.where(explorable, taste_free + W_MOOD * fits, -np.inf),
            np.where(eligible, base + W_MOOD * fits, -np.inf),
        )
        scores[~open_ranks] = -np.inf
        r, best = np.unravel_index(int(np.argmax(scores)), scores.shape)
        chosen[int(r)] = (int(best), float(scores[r, best]), bool(exploring[r, 0]))
        open_ranks[r] = False
        # (f) diversity: one song per artist per list.
        blocked |= artists == artists[best]
    return chosen


def _exploration_ranks(history: History, rng: random.Random, n: int) -> set[int]:
    """The ranks given to exploration: a seeded EXPLORE_SHARE of them, never the first; none for
    a listener with too little history."""
    if len(history.observations) < EXPLORE_AFTER or n < 2:
        return set()
    share = EXPLORE_SHARE * n
    count = int(share) + (rng.random() < share - int(share))
    return set(rng.sample(range(2, n + 1), min(count, n - 1)))
