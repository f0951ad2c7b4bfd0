"""The simulated listeners of benchmarks/taste.py: hidden tastes (a genre or a sound), noisy
reactions, random moods, and the non-personal popularity baseline. The module docstring of
taste.py describes them."""

import math
import random
from collections import Counter
from dataclasses import dataclass, field

EMOTIONS = ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt")
MIN_GENRE_SONGS = 8
W_TASTE, W_ERA, W_ARTIST, NOISE = 1.0, 0.4, 0.6, 0.25
# A sound: one audio feature in a range (about a quarter to a third of the shipped catalogue each).
SOUNDS = {
    "energetic": ("audio_energy", 0.82, 1.01),
    "calm": ("audio_energy", 0.0, 0.58),
    "acoustic": ("acousticness", 0.25, 1.01),
    "danceable": ("danceability", 0.76, 1.01),
    "slow": ("tempo", 0.0, 100.0),
}
SOUND_TASTES = [
    ("energetic", "acoustic"), ("acoustic", "danceable"), ("danceable", "slow"),
    ("slow", "energetic"), ("calm", "danceable"),
]  # fmt: skip


@dataclass
class Song:
    id: int
    artist_key: str
    genre: str
    genres: tuple[str, ...]
    decade: int | None
    emotions: dict[str, float]
    audio: dict[str, float | None]


@dataclass
class Listener:
    kind: str  # "genre" or "sound"
    liked: str
    disliked: str
    era: int
    fav_artists: set[str]
    bad_artists: set[str]
    noise: dict[int, float]
    match: str
    plain: bool = False
    shown: set[int] = field(default_factory=set)
    recent: list[list[int]] = field(default_factory=list)

    def of(self, song: Song, taste: str) -> bool:
        if self.kind == "sound":
            feature, low, high = SOUNDS[taste]
            value = song.audio.get(feature)
            return value is not None and low <= value < high
        return song.genre == taste if self.match == "exact" else taste in song.genres

    def other_utility(self, song: Song) -> float:
        value = W_ERA * (song.decade == self.era)
        value += W_ARTIST * (song.artist_key in self.fav_artists) - W_ARTIST * (song.artist_key in self.bad_artists)
        return value + self.noise.get(song.id, 0.0)

    def relevance(self, song: Song) -> float:
        """The hidden utility without noise, floored at 0: the gain for nDCG."""
        value = W_TASTE * (self.of(song, self.liked) - self.of(song, self.disliked))
        value += W_ERA * (song.decade == self.era)
        value += W_ARTIST * (song.artist_key in self.fav_artists) - W_ARTIST * (song.artist_key in self.bad_artists)
        return max(value, 0.0)

    def react(self, song: Song, rng: random.Random) -> list[str]:
        """The feedback kinds this listener sends for one song of a list, in order."""
        liked, disliked = self.of(song, self.liked), self.of(song, self.disliked)
        if self.plain:
            if liked:
                return ["played", "like"] if rng.random() < 0.6 else ["played"]
            if disliked:
                return ["skipped", "dislike"] if rng.random() < 0.3 else ["skipped"]
            return ["played"] if rng.random() < 0.5 else []
        if liked and not disliked:
            if rng.random() < 0.9:
                return ["played", "like"] if rng.random() < 0.6 else ["played"]
            return []
        if disliked and not liked:
            if rng.random() < 0.9:
                return ["skipped", "dislike"] if rng.random() < 0.3 else ["skipped"]
            return []
        if rng.random() < min(0.95, max(0.05, 0.5 + 0.3 * self.other_utility(song))):
            return ["played"]
        return ["skipped"] if rng.random() < 0.2 else []


def mood(rng: random.Random) -> tuple[str, dict[str, float]]:
    top = rng.choice(EMOTIONS)
    share = rng.uniform(0.6, 0.9)
    spread = [rng.gammavariate(0.5, 1.0) for _ in EMOTIONS]
    total = sum(spread) or 1.0
    values = {name: (1 - share) * s / total for name, s in zip(EMOTIONS, spread, strict=True)}
    values[top] += share
    return top, values


def ndcg(ranked: list[Song], listener: Listener, ideal: list[float]) -> float:
    dcg = sum(listener.relevance(s) / math.log2(i + 2) for i, s in enumerate(ranked[:10]))
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal[:10]))
    return dcg / best if best > 0 else 0.0


def make_listeners(args, songs: dict[int, Song], rng: random.Random) -> list[Listener]:
    def count(genre: str) -> int:
        return sum(1 for s in songs.values() if (s.genre == genre if args.match == "exact" else genre in s.genres))

    names = sorted({g for s in songs.values() for g in (s.genres if args.match == "family" else (s.genre,)) if g})
    pool = [g for g in names if count(g) >= MIN_GENRE_SONGS]
    pairs = [(a, b) for a in pool for b in pool if a != b]
    if args.match == "family":  # neither genre inside the other
        paths = {s.genre: s.genres for s in songs.values()}
        pairs = [(a, b) for a, b in pairs if a not in paths.get(b, ()) and b not in paths.get(a, ())]
    rng.shuffle(pairs)
    decades = sorted({s.decade for s in songs.values() if s.decade})
    artists = sorted({s.artist_key for s in songs.values()})
    kinds = ["genre"] * args.listeners + ["sound"] * args.sound_listeners
    listeners = []
    for i, kind in enumerate(kinds):
        if kind == "genre":
            liked, disliked = pairs[i % len(pairs)]
        else:
            liked, disliked = SOUND_TASTES[i % len(SOUND_TASTES)]
        chosen = rng.sample(artists, 3)
        era, noise = rng.choice(decades), {s: rng.gauss(0, NOISE) for s in songs}
        if args.plain:
            chosen, era, noise = ["", "", ""], 0, {}
        listeners.append(
            Listener(kind, liked, disliked, era, set(chosen[:2]) - {""}, {chosen[2]} - {""}, noise, args.match,
                     args.plain)
        )  # fmt: skip
    rng.shuffle(listeners)
    return listeners


class Popularity:
    """The non-personal baseline: mood fit and everyone's likes, over the whole catalogue."""

    def __init__(self, songs: dict[int, Song]):
        import numpy as np

        from music.emotions import EMOTION_VA

        self.np, self.songs = np, list(songs.values())
        self.index = {s.id: i for i, s in enumerate(self.songs)}
        self.tags = np.array([[s.emotions.get(e, 0.0) for e in EMOTIONS] for s in self.songs])
        va = np.array([[EMOTION_VA[e][k] for e in EMOTIONS] for k in (0, 1)]).T
        weights = self.tags.sum(axis=1, keepdims=True)
        self.points = np.divide(self.tags @ va, weights, out=np.zeros((len(self.songs), 2)), where=weights > 0)

    def list(self, counts: Counter, listener: Listener, emotions, goal, n=10) -> list[int]:
        from music.recommendation.recommender import mood_fit, targets_for

        np = self.np
        top = max(max(counts.values(), default=0), 1)
        popular = np.zeros(len(self.songs))
        for song_id, value in counts.items():
            popular[self.index[song_id]] = value / top
        blocked = np.zeros(len(self.songs), dtype=bool)
        for song_id in {s for lst in listener.recent[-3:] for s in lst}:
            blocked[self.index[song_id]] = True
        chosen, artists = [], set()
        for target in targets_for(emotions, goal, n):
            scores = np.where(blocked, -np.inf, 0.55 * mood_fit(target, self.tags, self.points) + 0.45 * popular)
            for i in np.argsort(-scores, kind="stable")[:200]:
                song = self.songs[i]
                if song.artist_key not in artists:
                    chosen.append(song.id)
                    artists.add(song.artist_key)
                    blocked[i] = True
                    break
        return chosen
