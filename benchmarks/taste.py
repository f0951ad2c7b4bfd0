#!/usr/bin/env python
"""Does the recommender learn taste? Simulated listeners with hidden tastes, against a control.

    python benchmarks/taste.py --json            # 60 listeners x 12 lists on the starter catalogue

Works in its own temporary SQLite database (migrated, starter catalogue seeded, deleted at the
end): what is measured is the quality of the lists, not speed, and the same code runs on every
backend. Each list is made and each reaction recorded by the service functions the REST API
calls (`music.recommendation.services.recommendation_create`, `music.library.services.feedback_create`), so the whole
real path is exercised: history query, candidate query, taste model, scoring.

**Listeners.** Each has a hidden taste:
* a liked genre and a disliked genre, drawn from the genres with at least MIN_GENRE_SONGS songs
  (neither inside the other). By default a song is "of" a genre when that is its own genre, as
  the API's `genre` field shows it (`--match exact`); `--match family` counts sub-genres too
  (metal songs are rock songs);
* a liked decade, two favourite artists and one disliked artist (a weaker taste, +0.4 / +0.6 /
  -0.6 against +-1 for the genres);
* a fixed personal noise per song (normal, sd 0.25).
Their hidden utility of a song is the sum of those terms.

**Feedback (noisy).** For every song of a list: one of the liked genre is played (90%) and
liked (60% of those plays); one of the disliked genre is skipped (90%) and disliked (30% of
those skips); any other song is played with probability 0.5 + 0.3 * (its other utility terms),
clipped to 5..95%, and otherwise skipped one time in five and ignored the rest.
`--plain` listeners have the genre taste only (no decade, artists or noise), always play (and
60% of the time like) their genre, always skip (and 30% of the time dislike) the other, and
play half of the rest, ignoring the others.

**Moods.** Every list asks for a random mood: one of the 8 emotions at 60-90% plus a random
spread over the others (Dirichlet). The goal is the profile default (`match_then_lift`) unless
`--goal` says otherwise.

**Strategies**, all given the same moods and seeds:
* `taste`: the recommender with the listener's feedback (the real thing);
* `control`: the recommender for a listener who never reacts;
* `popularity`: no personal taste: among the songs not in the listener's last 3 lists, the
  score is 0.55 * the recommender's mood fit + 0.45 * the song's share of likes minus dislikes
  given so far by all the simulated listeners, one song per artist.

**Reported per strategy** (the "last" figures are over the last `--last` lists, default 3):
`liked_share_last` / `disliked_share_last` (share of songs of the liked / disliked genre);
`mood_fit_last` (mean tag weight of the requested emotion, the one weighing most in the mood);
`ndcg_at_10` (of the last lists, gains = the hidden utility without noise, floored at 0,
against the ten best songs of the catalogue); `novelty` (share of songs never shown to that
listener before, lists 2..N); for `taste` also `explained_share` (picks with a personal
reason) and `explore_share` (picks marked "new for you").
"""

import argparse
import io
import json
import math
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EMOTIONS = ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt")
MIN_GENRE_SONGS = 8
W_GENRE, W_ERA, W_ARTIST, NOISE = 1.0, 0.4, 0.6, 0.25


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Song:
    id: int
    artist_key: str
    genre: str
    genres: tuple[str, ...]
    decade: int | None
    emotions: dict[str, float]


@dataclass
class Listener:
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

    def of(self, song: Song, genre: str) -> bool:
        return song.genre == genre if self.match == "exact" else genre in song.genres

    def other_utility(self, song: Song) -> float:
        value = W_ERA * (song.decade == self.era)
        value += W_ARTIST * (song.artist_key in self.fav_artists) - W_ARTIST * (song.artist_key in self.bad_artists)
        return value + self.noise[song.id]

    def relevance(self, song: Song) -> float:
        """The hidden utility without noise, floored at 0: the gain for nDCG."""
        value = W_GENRE * (self.of(song, self.liked) - self.of(song, self.disliked))
        value += W_ERA * (song.decade == self.era)
        value += W_ARTIST * (song.artist_key in self.fav_artists) - W_ARTIST * (song.artist_key in self.bad_artists)
        return max(value, 0.0)

    def react(self, song: Song, rng: random.Random) -> list[str]:
        """The feedback kinds this listener sends for one song of a list, in order."""
        if self.plain:
            if self.of(song, self.liked):
                return ["played", "like"] if rng.random() < 0.6 else ["played"]
            if self.of(song, self.disliked):
                return ["skipped", "dislike"] if rng.random() < 0.3 else ["skipped"]
            return ["played"] if rng.random() < 0.5 else []
        if self.of(song, self.liked):
            if rng.random() < 0.9:
                return ["played", "like"] if rng.random() < 0.6 else ["played"]
            return []
        if self.of(song, self.disliked):
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


def setup_django(directory: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/taste.sqlite3"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "taste-benchmark-" + os.urandom(8).hex())
    os.environ["DJANGO_SETTINGS_MODULE"] = "symphony.settings"
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.backends.signals import connection_created

    def no_fsync(sender, connection, **kwargs):
        # A throwaway database: waiting for the disk on every commit would only measure the disk.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA journal_mode = MEMORY")

    connection_created.connect(no_fsync, weak=False)

    call_command("migrate", verbosity=0)
    call_command("seed_catalog", verbosity=0, stdout=io.StringIO())


def load_songs() -> dict[int, Song]:
    from music.models import Song as SongModel

    return {
        s.pk: Song(s.pk, s.artist_key, s.genre.name if s.genre else "", s.genres, s.era, s.emotions or {})
        for s in SongModel.objects.filter(active=True).select_related("genre")
    }


def make_listeners(args, songs: dict[int, Song], rng: random.Random) -> list[Listener]:
    def count(genre: str) -> int:
        return sum(1 for s in songs.values() if (s.genre == genre if args.match == "exact" else genre in s.genres))

    names = sorted({g for s in songs.values() for g in (s.genres if args.match == "family" else (s.genre,)) if g})
    pool = [g for g in names if count(g) >= MIN_GENRE_SONGS]
    pairs = [(a, b) for a in pool for b in pool if a != b]
    if args.match == "family":  # neither genre inside the other
        paths = {s.genre: s.genres for s in songs.values()}
        pairs = [(a, b) for a, b in pairs if a not in paths.get(b, ()) and b not in paths.get(a, ())]
    decades = sorted({s.decade for s in songs.values() if s.decade})
    artists = sorted({s.artist_key for s in songs.values()})
    listeners = []
    for i in range(args.listeners):
        liked, disliked = pairs[i % len(pairs)] if i < len(pairs) else rng.choice(pairs)
        chosen = rng.sample(artists, 3)
        era, noise = rng.choice(decades), {s: rng.gauss(0, NOISE) for s in songs}
        if args.plain:
            chosen, era, noise = ["", "", ""], 0, dict.fromkeys(songs, 0.0)
        listeners.append(
            Listener(liked, disliked, era, set(chosen[:2]) - {""}, {chosen[2]} - {""}, noise, args.match, args.plain)
        )
    rng.shuffle(listeners)
    return listeners


def popularity_list(songs, score_counts, listener: Listener, emotions, goal, n=10) -> list[int]:
    import numpy as np

    from music.emotions import EMOTION_VA
    from music.recommendation.recommender import mood_fit, targets_for

    recent = {s for lst in listener.recent[-3:] for s in lst}
    pool = [s for s in songs.values() if s.id not in recent]
    tags = np.array([[s.emotions.get(e, 0.0) for e in EMOTIONS] for s in pool])
    va = np.array([[EMOTION_VA[e][k] for e in EMOTIONS] for k in (0, 1)]).T
    weights = tags.sum(axis=1, keepdims=True)
    points = np.divide(tags @ va, weights, out=np.zeros((len(pool), 2)), where=weights > 0)
    top = max(max(score_counts.values(), default=0), 1)
    popular = np.array([score_counts.get(s.id, 0) / top for s in pool])
    chosen, artists = [], set()
    for target in targets_for(emotions, goal, n):
        scores = 0.55 * mood_fit(target, tags, points) + 0.45 * popular
        for i in np.argsort(-scores, kind="stable"):
            if pool[i].artist_key not in artists and pool[i].id not in chosen:
                chosen.append(pool[i].id)
                artists.add(pool[i].artist_key)
                break
    return chosen


def simulate(args) -> dict:
    from accounts.models import User
    from music.library.services import feedback_create
    from music.models import Recommendation
    from music.recommendation.services import recommendation_create

    songs = load_songs()
    rng = random.Random(args.seed)
    listeners = make_listeners(args, songs, rng)
    ideal = {id(lst): sorted((lst.relevance(s) for s in songs.values()), reverse=True)[:10] for lst in listeners}
    song_rows = {s.pk: s for s in __import__("music.models", fromlist=["Song"]).Song.objects.all()}
    strategies = ("taste", "control", "popularity")
    state = {
        name: [Listener(**{**vars(lst), "shown": set(), "recent": []}) for lst in listeners] for name in strategies
    }
    users = {
        name: [
            User.objects.create(username=f"{name}{i}", email=f"{name}{i}@example.org", password="!", **(
                {"goal": args.goal} if args.goal else {}))
            for i in range(len(listeners))
        ]
        for name in ("taste", "control")
    }  # fmt: skip
    goal = args.goal or User._meta.get_field("goal").default
    popularity: Counter[int] = Counter()
    stats = {name: defaultdict(list) for name in strategies}
    for t in range(args.lists):
        log(f"list {t + 1} of {args.lists}…")
        for i, hidden in enumerate(listeners):
            top, emotions = mood(random.Random(f"{args.seed}-{i}-{t}"))
            seed = rng.randrange(2**40)
            for name in strategies:
                listener = state[name][i]
                explanations = []
                if name == "popularity":
                    ids = popularity_list(songs, popularity, listener, emotions, goal)
                else:
                    rec = recommendation_create(user=users[name][i], emotions=emotions, seed=seed)
                    items = list(rec.items.order_by("rank").values_list("song_id", "explanation"))
                    ids = [song_id for song_id, _ in items]
                    explanations = [text for _, text in items]
                listed = [songs[s] for s in ids]
                if t > 0:
                    stats[name]["novelty"].append(sum(s.id not in listener.shown for s in listed) / max(len(listed), 1))
                listener.shown.update(ids)
                listener.recent.append(ids)
                if t >= args.lists - args.last:
                    n = max(len(listed), 1)
                    stats[name]["liked"].append(sum(hidden.of(s, hidden.liked) for s in listed) / n)
                    stats[name]["disliked"].append(sum(hidden.of(s, hidden.disliked) for s in listed) / n)
                    stats[name]["mood"].append(sum(s.emotions.get(top, 0.0) for s in listed) / n)
                    stats[name]["ndcg"].append(ndcg(listed, hidden, ideal[id(hidden)]))
                    stats[name]["explained"].append(
                        sum(len(text.split(" · ")) > 3 for text in explanations) / n if explanations else 0.0
                    )
                    stats[name]["explore"].append(sum("new for you" in text for text in explanations) / n)
                if name == "taste":
                    react = random.Random(f"{args.seed}-react-{i}-{t}")
                    for song in listed:
                        for kind in hidden.react(song, react):
                            feedback_create(user=users[name][i], song=song_rows[song.id], kind=kind, recommendation=rec)
                            popularity[song.id] += {"like": 1, "dislike": -1}.get(kind, 0)
    result = {}
    for name in strategies:
        s = stats[name]
        figures = {
            "liked_share_last": round(sum(s["liked"]) / len(s["liked"]), 4),
            "disliked_share_last": round(sum(s["disliked"]) / len(s["disliked"]), 4),
            "mood_fit_last": round(sum(s["mood"]) / len(s["mood"]), 4),
            "ndcg_at_10": round(sum(s["ndcg"]) / len(s["ndcg"]), 4),
            "novelty": round(sum(s["novelty"]) / max(len(s["novelty"]), 1), 4),
        }
        if name == "taste":
            figures["explained_share"] = round(sum(s["explained"]) / len(s["explained"]), 4)
            figures["explore_share"] = round(sum(s["explore"]) / len(s["explore"]), 4)
        result[name] = figures
    assert Recommendation.objects.count() == 2 * args.listeners * args.lists
    return result


def warm_start(args) -> dict:
    """`--warm-start` (issue 29): the first list of listeners who said what they like, against the
    same listeners silent. Each onboarded listener states their hidden liked genre and avoids their
    disliked one (unless it holds the liked one); both get the same mood and seed for their very
    first list. Reported: liked and disliked genre shares and the mood fit, for both."""
    from accounts.models import User
    from music.library.services import preferences_update
    from music.recommendation.services import recommendation_create

    songs = load_songs()
    rng = random.Random(args.seed)
    listeners = make_listeners(args, songs, rng)
    stats = {name: defaultdict(list) for name in ("onboarded", "silent")}
    for i, hidden in enumerate(listeners):
        top, emotions = mood(random.Random(f"{args.seed}-warm-{i}"))
        seed = rng.randrange(2**40)
        for name in stats:
            user = User.objects.create(username=f"warm-{name}{i}", email=f"warm-{name}{i}@example.org", password="!")
            if name == "onboarded":
                liked_path = next(
                    s.genres for s in songs.values() if s.genre == hidden.liked or hidden.liked in s.genres
                )
                avoid = [] if hidden.disliked in liked_path else [hidden.disliked]
                preferences_update(
                    user=user, likes_genres=[hidden.liked], avoid_genres=avoid, likes_artists=[], eras=None
                )
            rec = recommendation_create(user=user, emotions=emotions, seed=seed)
            listed = [songs[song_id] for song_id in rec.items.order_by("rank").values_list("song_id", flat=True)]
            n = max(len(listed), 1)
            stats[name]["liked"].append(sum(hidden.of(s, hidden.liked) for s in listed) / n)
            stats[name]["disliked"].append(sum(hidden.of(s, hidden.disliked) for s in listed) / n)
            stats[name]["mood"].append(sum(s.emotions.get(top, 0.0) for s in listed) / n)
            stats[name]["length"].append(len(listed))

    def mean(values):
        return round(sum(values) / len(values), 4)

    result = {
        name: {"liked_share_first": mean(s["liked"]), "disliked_share_first": mean(s["disliked"]),
               "mood_fit_first": mean(s["mood"]), "list_length": mean(s["length"])}
        for name, s in stats.items()
    }  # fmt: skip
    onboarded, silent = result["onboarded"], result["silent"]
    result["liked_gain_points"] = round(100 * (onboarded["liked_share_first"] - silent["liked_share_first"]), 1)
    result["mood_fit_gap"] = round(silent["mood_fit_first"] - onboarded["mood_fit_first"], 4)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print only the JSON result on stdout")
    parser.add_argument("--listeners", type=int, default=60)
    parser.add_argument("--lists", type=int, default=12, help="lists per listener")
    parser.add_argument("--last", type=int, default=3, help="lists at the end that the *_last figures cover")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--goal", default="", help="every listener's goal (default: the profile default)")
    parser.add_argument("--match", choices=("exact", "family"), default="exact", help="what a song 'of a genre' is")
    parser.add_argument("--plain", action="store_true", help="listeners with a genre taste only (see above)")
    parser.add_argument(
        "--warm-start", action="store_true", help="only the first lists of onboarded vs silent listeners"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    if args.warm_start:
        with tempfile.TemporaryDirectory(prefix="taste-bench-") as directory:
            setup_django(directory)
            result = {"mode": "warm_start", "listeners": args.listeners, "match": args.match, "seed": args.seed}
            result |= warm_start(args)
        result["seconds"] = round(time.perf_counter() - started, 1)
        print(json.dumps(result, indent=None if args.json else 2))
        return 0
    with tempfile.TemporaryDirectory(prefix="taste-bench-") as directory:
        setup_django(directory)
        strategies = simulate(args)
        from django.db import connections

        connections.close_all()
    taste, control = strategies["taste"], strategies["control"]
    result = {
        "listeners": args.listeners, "lists": args.lists, "last_lists": args.last, "match": args.match,
        "listener_model": "plain" if args.plain else "rich",
        "goal": args.goal or "profile default", "seed": args.seed, "strategies": strategies,
        "liked_gain_points": round(100 * (taste["liked_share_last"] - control["liked_share_last"]), 1),
        "mood_fit_gap": round(control["mood_fit_last"] - taste["mood_fit_last"], 4),
        "seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip
    result["pass"] = (
        result["liked_gain_points"] >= 15 and taste["disliked_share_last"] <= 0.08 and result["mood_fit_gap"] <= 0.05
    )
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
