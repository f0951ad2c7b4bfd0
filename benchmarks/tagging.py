#!/usr/bin/env python
"""Does music.catalog.tagging read a song's mood from its audio features? Two labelled sets, two taggers.

    python benchmarks/tagging.py --json [--data ../shared/data/catalog]

**Labelled sets**, each song joined to its Spotify audio features (spotify_songs.csv):
* `starter`: the hand-tagged starter catalogue (music/data/starter_catalog.csv); a song's label is
  the quadrant of its tag-derived point, quadrant_of(*va_from_tags(tags));
* `moodylyrics`: MoodyLyrics.csv and MoodyLyrics4Q.csv (mojibake repaired with ftfy), moods happy /
  angry / sad / relaxed = quadrants happy / tense / sad / relaxed; a song in both files counts once.

The join is on artist + title with case, spacing and Unicode width forms ignored (music.catalog.identity). A song that does not match exactly is tried
once more with a version suffix removed from both titles ("Bohemian Rhapsody - 2011 Mix",
"Imagine - Remastered", "Crazy In Love (feat. Jay-Z)"): the same recording, so the same features.
Remixes, live and acoustic versions are other recordings and are never joined. When a track is in
the Spotify file several times (one row per playlist), the first row is used.

**Taggers**: `baseline` reads Spotify's valence - 0.5 and energy - 0.5 as the two axes; `ours` is
music.catalog.tagging.tag_from_features.

**Reported** per set and tagger: n; quadrant agreement, overall and per labelled quadrant;
half-plane agreement (valence side right, arousal side right); `quadrant_or_half_plane`, the share
of songs whose predicted quadrant is the labelled one or shares a half-plane with it (anything but
the diagonally opposite quadrant), overall and per labelled quadrant; the confusion matrix
(labelled -> predicted); for `ours` the mean confidence of right and of wrong predictions.

**Fit** (`fit`): the recipe that produced the constants of music.catalog.tagging, run again on both
sets pooled (a track in both sets counts once, with its starter label): the two logistic models
(L2 penalty FIT_L2 on the slopes per catalogue SD, quadrants weighted equally); the constants they
give; and their agreement on the training songs (`train`), in cross-validation (`cross_validated`:
CV_FOLDS folds stratified by quadrant, CV_REPEATS seeds; every figure is the mean over the seeds)
and fitted on one set only, tested on the other (`transfer`).

Without the shared data it prints {"skipped": reason} and exits 0.
"""

import argparse
import csv
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from music.catalog import tagging  # noqa: E402
from music.catalog.identity import base_title, song_key  # noqa: E402
from music.emotions import parse_tags, quadrant_of, va_from_tags  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "catalog"
STARTER = ROOT / "music" / "data" / "starter_catalog.csv"
QUADRANTS = ("happy", "tense", "sad", "relaxed")
OPPOSITE = {"happy": "sad", "sad": "happy", "tense": "relaxed", "relaxed": "tense"}
MOODYLYRICS_QUADRANT = {"happy": "happy", "angry": "tense", "sad": "sad", "relaxed": "relaxed"}
MOODYLYRICS_FILES = (("MoodyLyrics.csv", "Song", "Emotion"), ("MoodyLyrics4Q.csv", "Title", "Mood"))
FIT_L2 = 3.0  # ridge penalty per axis; the figures hardly move between 0.3 and 10
CV_FOLDS, CV_REPEATS = 5, 4


@dataclass(frozen=True)
class Labelled:
    key: str
    quadrant: str
    row: dict  # the Spotify row
    exact: bool  # joined on the exact key, not after removing a version suffix
    point: tuple[float, float] | None = None  # the tag-derived (valence, arousal) of a hand-tagged song


class Spotify:
    def __init__(self, path: Path):
        self.exact: dict[str, dict] = {}
        self.base: dict[str, dict] = {}
        self.tracks: dict[str, dict] = {}
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                self.exact.setdefault(song_key(row["track_artist"], row["track_name"]), row)
                self.base.setdefault(song_key(row["track_artist"], base_title(row["track_name"])), row)
                self.tracks.setdefault(row["track_id"], row)

    def find(self, artist: str, title: str) -> tuple[dict | None, bool]:
        row = self.exact.get(song_key(artist, title))
        if row is not None:
            return row, True
        return self.base.get(song_key(artist, base_title(title))), False


def starter_set(spotify: Spotify) -> list[Labelled]:
    songs = []
    with open(STARTER, newline="", encoding="utf-8") as handle:
        for song in csv.DictReader(handle):
            row, exact = spotify.find(song["artist"], song["title"])
            if row is not None:
                point = va_from_tags(parse_tags(song["tags"]))
                songs.append(Labelled(song_key(song["artist"], song["title"]), quadrant_of(*point), row, exact, point))
    return songs


def moodylyrics_set(spotify: Spotify, data: Path) -> tuple[list[Labelled], int]:
    import ftfy

    songs: dict[str, Labelled] = {}
    conflicts = 0
    for name, title_column, mood_column in MOODYLYRICS_FILES:
        with open(data / name, newline="", encoding="utf-8") as handle:
            for song in csv.DictReader(handle):
                artist, title = ftfy.fix_text(song["Artist"]).strip(), ftfy.fix_text(song[title_column]).strip()
                row, exact = spotify.find(artist, title)
                if row is None:
                    continue
                key = song_key(artist, title)
                quadrant = MOODYLYRICS_QUADRANT[song[mood_column].strip().lower()]
                if key in songs:
                    conflicts += songs[key].quadrant != quadrant
                    continue
                songs[key] = Labelled(key, quadrant, row, exact)
    return list(songs.values()), conflicts


def baseline_quadrant(row: dict) -> str:
    return quadrant_of(float(row["valence"]) - 0.5, float(row["energy"]) - 0.5)


def share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def agreement(labels: list[str], predicted: list[str]) -> dict:
    """Quadrant, half-plane and quadrant-or-half-plane agreement, overall and per labelled quadrant."""
    right = [p == t for t, p in zip(labels, predicted, strict=True)]
    near = [p != OPPOSITE[t] for t, p in zip(labels, predicted, strict=True)]
    positive = ("happy", "relaxed")
    energetic = ("happy", "tense")
    return {
        "n": len(labels),
        "quadrant": share(right),
        "quadrant_per_mood": {q: share([r for t, r in zip(labels, right, strict=True) if t == q]) for q in QUADRANTS},
        "valence_side": share([(t in positive) == (p in positive) for t, p in zip(labels, predicted, strict=True)]),
        "arousal_side": share([(t in energetic) == (p in energetic) for t, p in zip(labels, predicted, strict=True)]),
        "quadrant_or_half_plane": share(near),
        "quadrant_or_half_plane_per_mood": {
            q: share([r for t, r in zip(labels, near, strict=True) if t == q]) for q in QUADRANTS
        },
        "labelled_per_mood": {q: labels.count(q) for q in QUADRANTS},
    }


def confusion(labels: list[str], predicted: list[str]) -> dict:
    return {t: {p: sum(1 for a, b in zip(labels, predicted, strict=True) if (a, b) == (t, p)) for p in QUADRANTS}
            for t in QUADRANTS}  # fmt: skip


def evaluate_set(songs: list[Labelled]) -> dict:
    labels = [song.quadrant for song in songs]
    base = [baseline_quadrant(song.row) for song in songs]
    tags = [tagging.tag_from_features(song.row) for song in songs]
    ours = [tag.quadrant for tag in tags]
    near = [p != OPPOSITE[t] for t, p in zip(labels, ours, strict=True)]
    exact = [p == t for t, p in zip(labels, ours, strict=True)]

    def mean_confidence(flags: list[bool], wanted: bool) -> float | None:
        values = [tag.confidence for tag, flag in zip(tags, flags, strict=True) if flag == wanted]
        return round(float(np.mean(values)), 3) if values else None

    return {
        "n": len(songs),
        "joined_exactly": sum(song.exact for song in songs),
        "baseline": {**agreement(labels, base), "confusion": confusion(labels, base)},
        "ours": {
            **agreement(labels, ours),
            "confusion": confusion(labels, ours),
            "mean_confidence": {
                "quadrant_or_half_plane_right": mean_confidence(near, True),
                "quadrant_or_half_plane_wrong": mean_confidence(near, False),
                "quadrant_right": mean_confidence(exact, True),
                "quadrant_wrong": mean_confidence(exact, False),
            },
        },
    }


# --- The fit -----------------------------------------------------------------------------------
VALENCE_INPUTS = ("valence", "danceability", "texture")
AROUSAL_INPUTS = ("energy", "acousticness")


def inputs_matrix(rows: list[dict], names: tuple[str, ...]) -> np.ndarray:
    values = [tagging.model_inputs(tagging.AudioFeatures.from_mapping(row)) for row in rows]
    return np.array([[value[name] for name in names] for value in values], dtype=float)


def logistic_fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float) -> np.ndarray:
    """Weighted logistic regression by Newton's method; the intercept (first) is not penalised."""
    design = np.column_stack([np.ones(len(x)), x])
    beta = np.zeros(design.shape[1])
    penalty = np.eye(len(beta)) * l2
    penalty[0, 0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-design @ beta))
        gradient = design.T @ (weight * (p - y)) + penalty @ beta
        hessian = (design * (weight * p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return beta


class Recipe:
    """The two axes' logistic models on inputs standardised by the catalogue's mean and SD."""

    def __init__(self, catalogue: list[dict]):
        self.mean, self.sd = {}, {}
        for names in (VALENCE_INPUTS, AROUSAL_INPUTS):
            matrix = inputs_matrix(catalogue, names)
            self.mean.update(zip(names, matrix.mean(axis=0), strict=True))
            self.sd.update(zip(names, matrix.std(axis=0), strict=True))

    def standardise(self, matrix: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        return (matrix - [self.mean[n] for n in names]) / [self.sd[n] for n in names]

    def fit(self, xv: np.ndarray, xa: np.ndarray, labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = {q: max(labels.count(q), 1) for q in QUADRANTS}
        weight = np.array([len(labels) / (len(QUADRANTS) * counts[q]) for q in labels])
        positive = np.array([q in ("happy", "relaxed") for q in labels], dtype=float)
        energetic = np.array([q in ("happy", "tense") for q in labels], dtype=float)
        return logistic_fit(xv, positive, weight, FIT_L2), logistic_fit(xa, energetic, weight, FIT_L2)

    @staticmethod
    def predict(beta_v, beta_a, xv, xa) -> list[str]:
        zv = beta_v[0] + xv @ beta_v[1:]
        za = beta_a[0] + xa @ beta_a[1:]
        return [quadrant_of(v, a) for v, a in zip(zv, za, strict=True)]

    def constants(self, beta_v: np.ndarray, beta_a: np.ndarray) -> dict:
        """The fitted models as music.catalog.tagging's constants (slopes per unit, learned centres)."""
        slope = {n: b / self.sd[n] for n, b in zip(VALENCE_INPUTS, beta_v[1:], strict=True)}
        slope.update({n: b / self.sd[n] for n, b in zip(AROUSAL_INPUTS, beta_a[1:], strict=True)})
        return {
            "VALENCE_SLOPE": round(slope["valence"], 3),
            "VALENCE_CENTRE": round(self.mean["valence"] - beta_v[0] / slope["valence"], 3),
            "DANCEABILITY_SLOPE": round(slope["danceability"], 3),
            "TEXTURE_SLOPE": round(slope["texture"], 3),
            "ENERGY_SLOPE": round(slope["energy"], 3),
            "ENERGY_CENTRE": round(self.mean["energy"] - beta_a[0] / slope["energy"], 3),
            "ACOUSTICNESS_SLOPE": round(slope["acousticness"], 3),
            "DANCEABILITY_MEAN": round(self.mean["danceability"], 3),
            "DANCEABILITY_SD": round(self.sd["danceability"], 3),
            "TEXTURE_MEAN": round(self.mean["texture"], 3),
            "TEXTURE_SD": round(self.sd["texture"], 3),
            "ACOUSTICNESS_MEAN": round(self.mean["acousticness"], 3),
            "ACOUSTICNESS_SD": round(self.sd["acousticness"], 3),
        }


def point_gain(logits: np.ndarray, coordinates: np.ndarray) -> float:
    """The gain g for which mean |tanh(g * logit)| equals the hand-tagged points' mean |coordinate|."""
    target, low, high = float(np.mean(np.abs(coordinates))), 0.01, 20.0
    for _ in range(60):
        gain = (low + high) / 2
        low, high = (gain, high) if np.mean(np.abs(np.tanh(gain * logits))) < target else (low, gain)
    return (low + high) / 2


def summary(labels: list[str], predicted: list[str]) -> dict:
    figures = agreement(labels, predicted)
    keep = ("n", "quadrant", "quadrant_or_half_plane", "quadrant_or_half_plane_per_mood")
    return {k: figures[k] for k in keep}


def mean_summaries(runs: list[dict]) -> dict:
    out = {"n": runs[0]["n"]}
    for key in ("quadrant", "quadrant_or_half_plane"):
        out[key] = round(float(np.mean([run[key] for run in runs])), 3)
    per_mood = "quadrant_or_half_plane_per_mood"
    out[per_mood] = {
        q: round(float(np.mean([run[per_mood][q] for run in runs])), 3) if runs[0][per_mood][q] is not None else None
        for q in QUADRANTS
    }
    return out


def fit_report(sets: dict[str, list[Labelled]], spotify: Spotify) -> dict:
    recipe = Recipe(list(spotify.tracks.values()))
    pooled: dict[str, tuple[Labelled, str]] = {}  # track id -> (song, its set); starter first
    for name in ("starter", "moodylyrics"):
        for song in sets[name]:
            pooled.setdefault(song.row["track_id"], (song, name))
    songs = [song for song, _ in pooled.values()]
    origin = np.array([name for _, name in pooled.values()])
    labels = [song.quadrant for song in songs]
    rows = [song.row for song in songs]
    xv = recipe.standardise(inputs_matrix(rows, VALENCE_INPUTS), VALENCE_INPUTS)
    xa = recipe.standardise(inputs_matrix(rows, AROUSAL_INPUTS), AROUSAL_INPUTS)

    beta_v, beta_a = recipe.fit(xv, xa, labels)
    trained = recipe.predict(beta_v, beta_a, xv, xa)
    constants = recipe.constants(beta_v, beta_a)
    tagged = [i for i, song in enumerate(songs) if song.point is not None]
    logits = np.concatenate([beta_v[0] + xv[tagged] @ beta_v[1:], beta_a[0] + xa[tagged] @ beta_a[1:]])
    coordinates = np.array([songs[i].point for i in tagged]).T.ravel()
    constants["POINT_GAIN"] = round(point_gain(logits, coordinates), 3)

    def by_set(predicted: list[str]) -> dict:
        return {
            name: summary([lab for lab, o in zip(labels, origin, strict=True) if o == name],
                          [p for p, o in zip(predicted, origin, strict=True) if o == name])
            for name in sets
        }  # fmt: skip

    runs: dict[str, list[dict]] = {name: [] for name in sets}
    for seed in range(CV_REPEATS):
        rng = np.random.default_rng(seed)
        fold = np.zeros(len(songs), dtype=int)
        for q in QUADRANTS:
            members = np.flatnonzero(np.array(labels) == q)
            rng.shuffle(members)
            fold[members] = np.arange(len(members)) % CV_FOLDS
        predicted = [""] * len(songs)
        for f in range(CV_FOLDS):
            train, test = fold != f, fold == f
            bv, ba = recipe.fit(xv[train], xa[train], [lab for lab, t in zip(labels, train, strict=True) if t])
            for i, quadrant in zip(np.flatnonzero(test), recipe.predict(bv, ba, xv[test], xa[test]), strict=True):
                predicted[i] = quadrant
        for name, figures in by_set(predicted).items():
            runs[name].append(figures)

    transfer = {}
    for train_name, test_name in (("moodylyrics", "starter"), ("starter", "moodylyrics")):
        train, test = origin == train_name, origin == test_name
        bv, ba = recipe.fit(xv[train], xa[train], [lab for lab, t in zip(labels, train, strict=True) if t])
        test_labels = [lab for lab, t in zip(labels, test, strict=True) if t]
        transfer[f"{train_name}_to_{test_name}"] = summary(test_labels, recipe.predict(bv, ba, xv[test], xa[test]))

    return {
        "songs": len(songs),
        "constants": constants,
        "train": by_set(trained),
        "cross_validated": {name: mean_summaries(figures) for name, figures in runs.items()},
        "transfer": transfer,
    }


def evaluate(data: Path = DATA) -> dict:
    """The whole report as a dict, or {"skipped": reason} without the shared data."""
    started = time.perf_counter()
    needed = [data / "spotify_songs.csv", *(data / name for name, _, _ in MOODYLYRICS_FILES)]
    missing = [str(path) for path in needed if not path.exists()]
    if missing:
        return {"skipped": f"shared data absent: {', '.join(missing)}"}
    spotify = Spotify(data / "spotify_songs.csv")
    moodylyrics, conflicts = moodylyrics_set(spotify, data)
    sets = {"starter": starter_set(spotify), "moodylyrics": moodylyrics}
    result = {name: evaluate_set(songs) for name, songs in sets.items()}
    result["moodylyrics"]["conflicting_repeats"] = conflicts
    result["fit"] = fit_report(sets, spotify)
    result["elapsed_s"] = round(time.perf_counter() - started, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON object on one line")
    parser.add_argument("--data", type=Path, default=DATA, help="folder with spotify_songs.csv and MoodyLyrics")
    args = parser.parse_args()
    result = evaluate(args.data)
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
