"""A listener's taste over song features, learned from what they did: plain Python and numpy.

**Evidence.** One observation per song the listener met, built by `music.recommendation.selectors.history_for`:
their current rating (like +1, dislike -1), each play +0.3 and each skip -0.7 (two of each at
most), or, for a song shown in a list the listener acted on but neither played nor skipped,
-0.1. The sum, clipped to -1..1, is the song's signal. Events sent by a player are the same
kinds (played, skipped) as the buttons and count the same.

**Model.** Additive over feature groups: genre family, sub-genre (a deviation from its family),
sub-sub-genre, artist, era (decade), language, energy (calm / mid / energetic, the mood's arousal
axis), length (short / mid / long), and the song's sound from its audio features: tempo band
(slow / moderate / fast), mode (major / minor) and a linear effect of the standardised audio
energy, danceability, acousticness and valence (`sound`). Through the sound a song nobody has
rated still gets a taste: three liked slow acoustic songs raise other slow acoustic songs,
whatever their genre. It is ridge regression, i.e. a Bayesian linear model with a Gaussian prior
at 0 ("neutral") on every effect, fitted by backfitting (`music.recommendation.fitting.fit`): a
few Gauss-Seidel sweeps in which each group's effects become the shrunk weighted mean of what the
other groups leave unexplained,

    effect(value) = sum(w * residual) / (sum(w) + prior strength of the group),

and, for the sound, the ridge solution beta = (Z'WZ + prior * I)^-1 Z'W residual over the
standardised features Z.

Fitting the groups jointly keeps one favourite artist from passing for a taste for their genre,
and a loved genre from passing for a taste for its decades. With little evidence every effect
stays near 0 (shrinkage), and a sub-genre with no evidence of its own inherits its family's.

**Recency.** An observation weighs 0.5 ** (k / SAME_VALUE_HALF_LIFE), k being the number of
newer observations that share the feature value, times 0.5 ** (age / HALF_LIFE_DAYS). Evidence
about a genre thus ages as the listener meets more of that genre: a run of recent skips reverses
a once-loved genre, while a genre skipped a while ago stays out of the lists however much other
music is played in between. Everything fades over months, so old dislikes come up for exploration again.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from music.catalog.paths import GENRE_SEPARATOR

LIKE, DISLIKE, PLAY, SKIP, IGNORED = 1.0, -1.0, 0.3, -0.7, -0.1
MAX_REPEATS = 2  # plays (or skips) of one song that count
SAME_VALUE_HALF_LIFE = 12.0
HALF_LIFE_DAYS = 120.0
SWEEPS = 6
# Prior strength per group, in observations' worth: how much evidence it takes to move an effect
# halfway to what the data say. Families learn fastest; sub-genres hold closer to their family;
# energy, length and language are weak, broad signals.
PRIOR = {
    "all": 1.0,  # the listener's average signal: the other effects are deviations from it
    "genre0": 2.5,
    "genre1": 3.0,
    "genre2": 3.0,
    "artist": 4.0,  # most artists are met once: only a repeated pattern should count
    "era": 5.0,
    "language": 6.0,
    "energy": 8.0,
    "length": 8.0,
    "tempo": 6.0,
    "mode": 8.0,
    "sound": 4.0,  # per standardised feature: sound generalises across genres, so it learns quickly
}
GROUPS = tuple(g for g in PRIOR if g != "sound")  # categorical groups; the sound is linear
GENRE_GROUPS = ("genre0", "genre1", "genre2")
SOUND_GROUPS = ("sound", "tempo", "mode")  # told together: "you like acoustic, slower songs"
# The average is not a taste for anything in particular (it shifts every song alike), and the
# artist effect is estimated for attribution only: the recommender's rule (c) already scores a
# listener's artists from their likes, dislikes and skips.
SCORED = tuple(g for g in GROUPS if g not in ("all", "artist"))

# The audio features the sound effect reads, standardised with the shipped catalogue's mean and
# standard deviation (music/data/catalog.csv.gz, the 26,155 songs with features): fixed, so a
# z-score means the same for every listener and request. Clipped so one extreme song cannot
# dominate a listener's fit.
SOUND_FEATURES = ("energy", "danceability", "acousticness", "valence")
SOUND_MEAN = np.array([0.696, 0.654, 0.181, 0.506])
SOUND_SD = np.array([0.185, 0.146, 0.226, 0.235])
SOUND_CLIP = 2.5
# Words for a feature's high and low side, for explanations ("you like acoustic, slower songs").
SOUND_WORDS = {
    "energy": ("energetic", "calm"), "danceability": ("danceable", "less danceable"),
    "acousticness": ("acoustic", "electric"), "valence": ("bright", "darker"),
}  # fmt: skip
TEMPO_WORDS = {"slow": "slower", "moderate": "mid-tempo", "fast": "faster"}
SLOW_BPM, FAST_BPM = 100.0, 130.0  # about the catalogue's lower and upper third
# A sound word is said when its part of the song's effect is at least this large.
SOUND_WORD_MIN = 0.04

# Explanations mention a feature whose effect on the song is at least this large, once the
# listener has met at least REASON_MIN_MET songs with it.
REASON_MIN, REASON_MIN_MET = 0.15, 3
# A song is new for the listener when they have met at most this many songs of its genre.
NOVEL_MAX_MET = 1

LANGUAGE_NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese", "it": "Italian",
    "ko": "Korean", "ja": "Japanese", "zh": "Chinese", "sv": "Swedish", "nl": "Dutch", "ru": "Russian",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Sound:
    """A song's audio features (Spotify's), raw: 0..1 descriptors, tempo in BPM, mode 1 major."""

    energy: float
    danceability: float
    acousticness: float
    valence: float
    tempo: float | None = None
    mode: int | None = None

    @property
    def z(self) -> np.ndarray:
        raw = np.array([self.energy, self.danceability, self.acousticness, self.valence])
        return np.clip((raw - SOUND_MEAN) / SOUND_SD, -SOUND_CLIP, SOUND_CLIP)

    @classmethod
    def of(cls, energy, danceability, acousticness, valence, tempo=None, mode=None) -> "Sound | None":
        """A Sound from nullable columns; None unless the four descriptors are known."""
        if None in (energy, danceability, acousticness, valence):
            return None
        return cls(energy, danceability, acousticness, valence, tempo, mode)


@dataclass(frozen=True, slots=True)
class Features:
    """What the taste model knows of a song."""

    artist_key: str = ""
    genres: tuple[str, ...] = ()  # broadest first: ("rock", "metal")
    decade: int | None = None
    language: str = ""
    energy: float | None = None  # the arousal axis, -1..1
    duration: int | None = None  # seconds
    sound: Sound | None = None


@dataclass(frozen=True, slots=True)
class Observation:
    """One song the listener met, and what they did with it."""

    features: Features
    rating: int = 0  # +1 like, -1 dislike, 0 neither
    plays: int = 0
    skips: int = 0
    shown: bool = False  # shown in a list the listener acted on
    age_hours: float = 0.0  # since the newest thing that happened to it

    @property
    def signal(self) -> float:
        if not (self.rating or self.plays or self.skips):
            return IGNORED if self.shown else 0.0
        value = (
            (LIKE if self.rating > 0 else DISLIKE if self.rating < 0 else 0.0)
            + PLAY * min(self.plays, MAX_REPEATS)
            + SKIP * min(self.skips, MAX_REPEATS)
        )
        return max(-1.0, min(1.0, value))


def energy_band(energy: float | None) -> str | None:
    if energy is None:
        return None
    return "energetic" if energy > 0.25 else "calm" if energy < -0.25 else "mid-tempo"


def length_band(duration: int | None) -> str | None:
    if not duration:
        return None
    return "short" if duration < 150 else "long" if duration > 360 else "mid-length"


def tempo_band(tempo: float | None) -> str | None:
    if not tempo:
        return None
    return "slow" if tempo < SLOW_BPM else "fast" if tempo >= FAST_BPM else "moderate"


def feature_keys(f: Features) -> dict[str, str | int]:
    """The value of each group for a song; a group it has no value for is absent."""
    keys: dict[str, str | int] = {"all": ""}
    for level, group in enumerate(GENRE_GROUPS):
        if len(f.genres) > level:
            keys[group] = GENRE_SEPARATOR.join(f.genres[: level + 1])
    if f.artist_key:
        keys["artist"] = f.artist_key
    if f.decade is not None:
        keys["era"] = f.decade
    if f.language:
        keys["language"] = f.language.split("-")[0]
    if (band := energy_band(f.energy)) is not None:
        keys["energy"] = band
    if (band := length_band(f.duration)) is not None:
        keys["length"] = band
    if f.sound is not None:
        if (band := tempo_band(f.sound.tempo)) is not None:
            keys["tempo"] = band
        if f.sound.mode is not None:
            keys["mode"] = "major" if f.sound.mode else "minor"
    return keys


@dataclass
class Taste:
    """Fitted effects per group and value, with the (recency-weighted) evidence behind each."""

    effects: dict[str, dict] = field(default_factory=lambda: {g: {} for g in GROUPS})
    evidence: dict[str, dict] = field(default_factory=lambda: {g: {} for g in GROUPS})
    met: dict[str, dict] = field(default_factory=lambda: {g: {} for g in GROUPS})  # raw counts
    observations: int = 0
    sound: np.ndarray = field(default_factory=lambda: np.zeros(len(SOUND_FEATURES)))  # effect per z unit
    sound_met: int = 0  # observations with audio features

    def contributions(self, f: Features) -> dict[str, float]:
        """Each scored group's effect on this song."""
        out = {}
        for group, key in feature_keys(f).items():
            if group in SCORED:
                effect = self.effects[group].get(key)
                if effect:
                    out[group] = effect
        if f.sound is not None and (effect := float(f.sound.z @ self.sound)):
            out["sound"] = effect
        return out

    def score(self, f: Features) -> float:
        return self._score(feature_keys(f), f.sound)

    def _score(self, keys: dict, sound: Sound | None) -> float:
        value = sum(self.effects[group].get(keys[group], 0.0) for group in SCORED if group in keys)
        if sound is not None:
            value += sound.z @ self.sound
        return float(value)

    def genre_effect(self, path: tuple[str, ...]) -> float:
        return sum(
            self.effects[group].get(GENRE_SEPARATOR.join(path[: level + 1]), 0.0)
            for level, group in enumerate(GENRE_GROUPS[: len(path)])
        )

    def assess(self, songs: Sequence[Features]) -> tuple[list[float], list[bool]]:
        """Each song's score, and whether it is new to the listener (never met its genre, nor its
        artist), reading each song's features once."""
        scores, novel = [], []
        for f in songs:
            keys = feature_keys(f)
            scores.append(self._score(keys, f.sound))
            novel.append(self._novel(keys))
        return scores, novel

    def _novel(self, keys: dict) -> bool:
        if self.met["artist"].get(keys.get("artist"), 0):
            return False
        leaf = next((keys[g] for g in reversed(GENRE_GROUPS) if g in keys), None)
        group = next((g for g in reversed(GENRE_GROUPS) if g in keys), None)
        if leaf is None:
            return self.met["era"].get(keys.get("era"), 0) <= NOVEL_MAX_MET
        return self.met[group].get(leaf, 0) <= NOVEL_MAX_MET

    def favourite_genres(self, limit: int = 3, minimum: float = 0.1) -> list[tuple[str, ...]]:
        """The most liked genres (as paths), best first: where to look for more songs."""
        paths = {tuple(str(k).split(GENRE_SEPARATOR)) for g in GENRE_GROUPS for k in self.met[g]}
        ranked = sorted(((self.genre_effect(p), p) for p in paths), key=lambda t: (-t[0], t[1]))
        return [p for effect, p in ranked if effect >= minimum][:limit]

    def reason(self, f: Features) -> str:
        """The taste reason worth telling about a song, or ""."""
        keys = feature_keys(f)
        parts = {
            g: v for g, v in self.contributions(f).items()
            if (self.sound_met if g == "sound" else self.met[g].get(keys[g], 0)) >= REASON_MIN_MET
        }  # fmt: skip
        grouped = {g: v for g, v in parts.items() if g not in GENRE_GROUPS + SOUND_GROUPS}
        if any(g in parts for g in GENRE_GROUPS):
            grouped["genre"] = sum(parts.get(g, 0.0) for g in GENRE_GROUPS)
        if any(g in parts for g in SOUND_GROUPS):
            grouped["sound"] = sum(parts.get(g, 0.0) for g in SOUND_GROUPS)
        if not grouped:
            return ""
        group, effect = max(grouped.items(), key=lambda kv: (abs(kv[1]), kv[0]))
        if abs(effect) < REASON_MIN:
            return ""
        if group == "sound":
            what = self._sound_words(f, parts, effect > 0)
        else:
            what = self._genre_name(f) if group == "genre" else _feature_name(group, f)
        if effect > 0:
            verb = "you like" if group in ("energy", "length", "sound") else "you often play"
            return f"{verb} {what}"
        return f"you skip {what}, but this fits your mood"

    def _sound_words(self, f: Features, parts: dict[str, float], liked: bool) -> str:
        """What the listener likes (or skips) in this song's sound, in words: "acoustic, slower songs"."""
        sign = 1.0 if liked else -1.0
        words = [
            (sign * part, SOUND_WORDS[name][0 if z > 0 else 1])
            for name, z, part in zip(SOUND_FEATURES, f.sound.z, f.sound.z * self.sound, strict=True)
        ]
        keys = feature_keys(f)
        if "tempo" in parts:
            words.append((sign * parts["tempo"], TEMPO_WORDS[keys["tempo"]]))
        if "mode" in parts:
            words.append((sign * parts["mode"], f"{keys['mode']}-key"))
        said = [word for part, word in sorted(words, reverse=True) if part >= SOUND_WORD_MIN][:2]
        return f"{', '.join(said) or 'similar-sounding'} songs"

    def _genre_name(self, f: Features) -> str:
        """The level of the song's genre path that the taste is about: "metal" when the listener's
        rock songs were all metal, or when metal stands out from the rest of rock; else "rock"."""
        level = 0
        for deeper in range(1, len(f.genres)):
            family, branch = (GENRE_SEPARATOR.join(f.genres[: k + 1]) for k in (deeper - 1, deeper))
            family_met = self.met[GENRE_GROUPS[deeper - 1]].get(family, 0)
            branch_met = self.met[GENRE_GROUPS[deeper]].get(branch, 0)
            branch_effect = abs(self.effects[GENRE_GROUPS[deeper]].get(branch, 0.0))
            family_effect = abs(self.effects[GENRE_GROUPS[deeper - 1]].get(family, 0.0))
            if branch_met >= 0.75 * family_met or branch_effect > family_effect:
                level = deeper
            else:
                break
        return f.genres[level]


def _feature_name(group: str, f: Features) -> str:
    if group == "era":
        return f"{f.decade}s songs"
    if group == "language":
        code = f.language.split("-")[0]
        return "instrumentals" if code == "zxx" else f"songs in {LANGUAGE_NAMES.get(code, code)}"
    if group == "energy":
        return f"{energy_band(f.energy)} songs"
    return f"{length_band(f.duration)} songs"
