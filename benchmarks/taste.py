#!/usr/bin/env python
"""Does the recommender learn taste, and what does it cost the mood? Simulated listeners with
hidden tastes, against the same moods for listeners who never react.

    DATABASE_URL=postgres://… python benchmarks/taste.py --json    # shipped catalogue, 5 seeds
    python benchmarks/taste.py --json --catalog starter --seeds 1  # the 167 starter songs, SQLite

The catalogue is the shipped one (`manage.py seed_catalog`: 26,213 songs with audio features),
loaded once into a scratch database: `<DATABASE_URL's name>_tastebench` on PostgreSQL (dropped at
the end), else a temporary SQLite file (much slower at this size). Each list is made and each
reaction recorded by the service functions the REST API calls
(`music.recommendation.services.recommendation_create`, `music.library.services.feedback_create`),
so the whole real path is exercised: history query, candidate query, taste model, scoring.
Every seed draws new listeners, moods and reactions (fresh users in the same catalogue); the
figures are reported per seed and as mean, standard deviation, min and max over the seeds.

**Listeners.** Each has a hidden taste, either
* *genre* (`--listeners`): a liked and a disliked genre, drawn from the genres with at least
  MIN_GENRE_SONGS songs (neither inside the other). By default a song is "of" a genre when that
  is its own genre, as the API's `genre` field shows it (`--match exact`); `--match family`
  counts sub-genres too; or
* *sound* (`--sound-listeners`): a liked and a disliked sound, each a range of one audio feature
  (SOUNDS: energetic, acoustic, danceable, slow, calm), in the pairs of SOUND_TASTES such as
  "likes energetic, dislikes acoustic";
plus a liked decade, two favourite artists and one disliked artist (a weaker taste, +0.4 / +0.6
/ -0.6 against +-1 for the genre or sound) and a fixed personal noise per song (normal, sd 0.25).
Their hidden utility of a song is the sum of those terms.

**Feedback (noisy).** For every song of a list: one the listener likes (genre or sound) is
played (90%) and liked (60% of those plays); one they dislike is skipped (90%) and disliked (30%
of those skips); any other song is played with probability 0.5 + 0.3 * (its other utility
terms), clipped to 5..95%, and otherwise skipped one time in five and ignored the rest.
`--plain` listeners have the genre or sound taste only, always play (and 60% of the time like)
what they like, always skip (and 30% of the time dislike) the other, and play half of the rest.

**Moods.** Every list asks for a random mood: one of the 8 emotions at 60-90% plus a random
spread over the others (Dirichlet). The goal is the profile default (`match_then_lift`) unless
`--goal` says otherwise.

**Strategies**, all given the same moods and seeds:
* `taste`: the recommender with the listener's feedback (the real thing);
* `control`: the recommender for a listener who never reacts (silent);
* `popularity` (`--popularity`): no personal taste: among the songs not in the listener's last
  3 lists, 0.55 * the recommender's mood fit + 0.45 * the song's share of likes minus dislikes
  given so far by all the simulated listeners, one song per artist.

**Reported per strategy and listener kind** (over the last `--last` lists, default 3):
`liked_share` / `disliked_share` (share of songs of the liked / disliked genre or sound);
`mood_fit` (mean tag weight of the requested emotion, the one weighing most in the mood);
`ndcg_at_10` (gains = the hidden utility without noise, floored at 0, against the ten best
songs of the catalogue); `novelty` (share of songs never shown to that listener before, lists
2..N); for `taste` also `explained_share` (picks with a personal reason) and `explore_share`.
The bars (`pass`): genre listeners gain at least 15 points of liked share over the control with
at most 8% disliked, sound listeners gain at least 15 points, and the mood fit of fed listeners
is within 0.03 of the silent ones' - each on the mean over the seeds.
"""

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from taste_listeners import Listener, Popularity, Song, make_listeners, mood, ndcg  # noqa: E402

BARS = {"genre_gain": 15.0, "genre_disliked": 0.08, "sound_gain": 15.0, "mood_gap": 0.03}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def seed_catalog(which: str) -> None:
    from django.core.management import call_command

    if which == "starter":
        from music.tests.factories import load_starter_catalog

        load_starter_catalog()
    else:
        call_command("seed_catalog", verbosity=0, stdout=io.StringIO())


def sqlite_database(directory: str) -> None:
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


def load_songs() -> dict[int, Song]:
    from music.models import Song as SongModel

    names = ("audio_energy", "acousticness", "danceability", "tempo")
    return {
        s.pk: Song(
            s.pk, s.artist_key, s.genre.name if s.genre else "", s.genres, s.era, s.emotions or {},
            {name: getattr(s, name) for name in names},
        )
        for s in SongModel.objects.filter(active=True).select_related("genre")
    }  # fmt: skip


def simulate(args, seed: int, songs: dict[int, Song], song_rows: dict, popular: Popularity | None) -> dict:
    from accounts.models import User

    rng = random.Random(seed)
    listeners = make_listeners(args, songs, rng)
    ideal = {id(lst): sorted((lst.relevance(s) for s in songs.values()), reverse=True)[:10] for lst in listeners}
    strategies = ("taste", "control") + (("popularity",) if popular else ())
    state = {
        name: [Listener(**{**vars(lst), "shown": set(), "recent": []}) for lst in listeners] for name in strategies
    }
    users = {
        name: [
            User.objects.create(username=f"s{seed}-{name}{i}", email=f"s{seed}-{name}{i}@example.org", password="!",
                                **({"goal": args.goal} if args.goal else {}))
            for i in range(len(listeners))
        ]
        for name in ("taste", "control")
    }  # fmt: skip
    goal = args.goal or User._meta.get_field("goal").default
    counts: Counter[int] = Counter()
    stats = {(name, kind): defaultdict(list) for name in strategies for kind in ("genre", "sound")}
    for t in range(args.lists):
        log(f"seed {seed}: list {t + 1} of {args.lists}…")
        for i, hidden in enumerate(listeners):
            top, emotions = mood(random.Random(f"{seed}-{i}-{t}"))
            list_seed = rng.randrange(2**40)
            for name in strategies:
                listener = state[name][i]
                if name == "popularity":
                    ids, explanations, rec = popular.list(counts, listener, emotions, goal), [], None
                else:
                    ids, explanations, rec = recommended(users[name][i], emotions, list_seed)
                listed = [songs[s] for s in ids]
                s = stats[name, hidden.kind]
                if t > 0:
                    s["novelty"].append(sum(x.id not in listener.shown for x in listed) / max(len(listed), 1))
                listener.shown.update(ids)
                listener.recent.append(ids)
                if t >= args.lists - args.last:
                    record(s, hidden, top, listed, explanations, ideal[id(hidden)])
                if name == "taste":
                    react = random.Random(f"{seed}-react-{i}-{t}")
                    for song in listed:
                        for kind in hidden.react(song, react):
                            feedback(users[name][i], song_rows[song.id], kind, rec, counts)
    return {"seed": seed, **summarise(stats, strategies)}


def recommended(user, emotions: dict, seed: int) -> tuple[list[int], list[str], object]:
    """The recommender's list for the user: song ids, explanations, the stored list."""
    from music.recommendation.services import recommendation_create

    rec = recommendation_create(user=user, emotions=emotions, seed=seed)
    items = list(rec.items.order_by("rank").values_list("song_id", "explanation"))
    return [song_id for song_id, _ in items], [text for _, text in items], rec


def feedback(user, song, kind: str, rec, counts: Counter[int]) -> None:
    """One reaction, recorded as the API records it and counted for the popularity baseline."""
    from music.library.services import feedback_create

    feedback_create(user=user, song=song, kind=kind, recommendation=rec)
    counts[song.pk] += {"like": 1, "dislike": -1}.get(kind, 0)


def record(s: dict, hidden: Listener, top: str, listed: list[Song], explanations: list[str], ideal) -> None:
    """The figures of one of the last lists, into its strategy's stats."""
    n = max(len(listed), 1)
    s["liked"].append(sum(hidden.of(x, hidden.liked) for x in listed) / n)
    s["disliked"].append(sum(hidden.of(x, hidden.disliked) for x in listed) / n)
    s["mood"].append(sum(x.emotions.get(top, 0.0) for x in listed) / n)
    s["ndcg"].append(ndcg(listed, hidden, ideal))
    if explanations:
        s["explained"].append(sum(len(text.split(" · ")) > 3 for text in explanations) / n)
        s["explore"].append(sum("new for you" in text for text in explanations) / n)


def summarise(stats: dict, strategies: tuple[str, ...]) -> dict:
    """Figures per strategy and listener kind, and the gains of taste over the control."""

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    result: dict = {}
    for (name, kind), s in stats.items():
        if not s["liked"]:
            continue
        figures = {
            "liked_share": mean(s["liked"]), "disliked_share": mean(s["disliked"]), "mood_fit": mean(s["mood"]),
            "ndcg_at_10": mean(s["ndcg"]), "novelty": mean(s["novelty"]),
        }  # fmt: skip
        if name == "taste":
            figures["explained_share"], figures["explore_share"] = mean(s["explained"]), mean(s["explore"])
        result.setdefault(name, {})[kind] = figures
    all_mood = {name: mean(stats[name, "genre"]["mood"] + stats[name, "sound"]["mood"]) for name in strategies}
    summary = {"mood_fit_gap": round(all_mood["control"] - all_mood["taste"], 4)}
    for kind in ("genre", "sound"):
        if kind in result["taste"]:
            taste, control = result["taste"][kind], result["control"][kind]
            summary[f"{kind}_gain_points"] = round(100 * (taste["liked_share"] - control["liked_share"]), 1)
            summary[f"{kind}_disliked_share"] = taste["disliked_share"]
            summary[f"{kind}_control_disliked_share"] = control["disliked_share"]
    return {"summary": summary, "strategies": result}


def spread(values: list[float]) -> dict:
    return {
        "mean": round(statistics.fmean(values), 4),
        "sd": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
        "min": round(min(values), 4), "max": round(max(values), 4),
    }  # fmt: skip


def run(args) -> dict:
    from music.models import Song as SongModel

    started = time.perf_counter()
    if args.mood_band is not None:
        from music.recommendation import recommender

        recommender.MOOD_BAND = args.mood_band
    seed_catalog(args.catalog)
    songs = load_songs()
    song_rows = {s.pk: s for s in SongModel.objects.all()}
    log(f"catalogue: {len(songs):,} songs in {time.perf_counter() - started:.0f} s")
    popular = Popularity(songs) if args.popularity else None
    runs = [simulate(args, seed, songs, song_rows, popular) for seed in range(args.seed, args.seed + args.seeds)]
    keys = sorted({k for r in runs for k in r["summary"]})
    overall = {k: spread([r["summary"][k] for r in runs if k in r["summary"]]) for k in keys}
    return {"songs": len(songs), "runs": runs, "overall": overall}


def _mood_band() -> float:
    from music.recommendation.recommender import MOOD_BAND

    return MOOD_BAND


def in_database(args, work):
    """Run `work(args)` on a scratch PostgreSQL database when DATABASE_URL names one, else on SQLite."""
    from benchdb import scratch_database

    if "postgres" in os.environ.get("DATABASE_URL", ""):
        with scratch_database("taste.py", "tastebench"):
            return work(args)
    with tempfile.TemporaryDirectory(prefix="taste-bench-") as directory:
        sqlite_database(directory)
        try:
            return work(args)
        finally:
            from django.db import connections

            connections.close_all()


def warm_start(args) -> dict:
    """`--warm-start` (issue 29): the first list of listeners who said what they like, against the
    same listeners silent. Each onboarded listener states their hidden liked genre and avoids their
    disliked one (unless it holds the liked one); both get the same mood and seed for their very
    first list. Reported: liked and disliked genre shares and the mood fit, for both."""
    from accounts.models import User
    from music.library.services import preferences_update
    from music.recommendation.services import recommendation_create

    seed_catalog(args.catalog)
    songs = load_songs()
    rng = random.Random(args.seed)
    args.sound_listeners = 0  # a stated taste is a genre
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
    parser.add_argument("--catalog", choices=("shipped", "starter"), default="shipped")
    parser.add_argument("--listeners", type=int, default=30, help="listeners with a genre taste, per seed")
    parser.add_argument("--sound-listeners", type=int, default=20, help="listeners with a sound taste, per seed")
    parser.add_argument("--lists", type=int, default=12, help="lists per listener")
    parser.add_argument("--last", type=int, default=3, help="lists at the end that the figures cover")
    parser.add_argument("--seed", type=int, default=1, help="the first seed")
    parser.add_argument("--seeds", type=int, default=5, help="how many seeds (new listeners each)")
    parser.add_argument("--goal", default="", help="every listener's goal (default: the profile default)")
    parser.add_argument("--match", choices=("exact", "family"), default="exact", help="what a song 'of a genre' is")
    parser.add_argument("--plain", action="store_true", help="listeners with a genre or sound taste only")
    parser.add_argument("--popularity", action="store_true", help="also the non-personal popularity baseline")
    parser.add_argument("--mood-band", type=float, help="try another recommender MOOD_BAND (the trade-off)")
    parser.add_argument("--out", help="also write the JSON result to this file")
    parser.add_argument(
        "--warm-start", action="store_true", help="only the first lists of onboarded vs silent listeners"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    if args.warm_start:
        result = {"mode": "warm_start", "listeners": args.listeners, "match": args.match, "seed": args.seed}
        result |= in_database(args, warm_start)
        result["seconds"] = round(time.perf_counter() - started, 1)
        text = json.dumps(result, indent=None if args.json else 2)
        if args.out:
            Path(args.out).write_text(text + "\n")
        print(text)
        return 0

    figures = in_database(args, run)
    overall = figures["overall"]
    result = {
        "catalog": args.catalog, "songs": figures["songs"], "genre_listeners": args.listeners,
        "sound_listeners": args.sound_listeners, "lists": args.lists, "last_lists": args.last,
        "match": args.match, "listener_model": "plain" if args.plain else "rich",
        "goal": args.goal or "profile default", "mood_band": args.mood_band or _mood_band(), "seeds": list(range(args.seed, args.seed + args.seeds)),
        "overall": overall, "runs": figures["runs"], "bars": BARS,
        "seconds": round(time.perf_counter() - started, 1), "load_average": [round(x, 2) for x in os.getloadavg()],
    }  # fmt: skip

    def mean(key: str, default: float) -> float:
        return overall[key]["mean"] if key in overall else default

    result["pass"] = (
        mean("genre_gain_points", 99) >= BARS["genre_gain"]
        and mean("genre_disliked_share", 0) <= BARS["genre_disliked"]
        and mean("sound_gain_points", 99) >= BARS["sound_gain"]
        and mean("mood_fit_gap", 0) <= BARS["mood_gap"]
    )
    text = json.dumps(result, indent=None if args.json else 2)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
