"""Words that name music ("some 80s rock", "something slow"): soft preferences for one list.

Plain Python, no Django. `asks_in()` reads a text written with a check-in ("Say it in words")
against the catalogue's own vocabulary: its genres and their aliases (through
music.catalog.genres.GenreResolver, the importer's reader, so "hip hop", "rap" and "Hip-Hop" are
one genre), decades as people write them ("80s", "1980s", "'80s", "eighties"), and the energy
words of the explanations (phrasing.ENERGY_WORDS: "relaxed", "energetic" and their kin).

Genre and energy words count only in a request for music: beside a cue such as "some",
"something", "play", "songs" or "music" ("my house is cold" asks for no house music). A decade
needs no cue.

In `recommend()` each matching song gains ASKED_BONUS per ask it meets, and the list's mood floor
widens to ASKED_MOOD_BAND: the listener asked, so the songs they asked for may fit the mood a
little less than the best fits. Each such pick says so: "you asked for rock".
"""

import re
from dataclasses import dataclass

from music.catalog.paths import path_names
from music.recommendation.phrasing import ENERGY_WORDS

ASKED_BONUS = 0.15
ASKED_MOOD_BAND = 0.1
MUSIC_CUES = frozenset(
    "some something anything play playing put listen listening hear song songs music tunes track tracks "
    "mood vibe vibes playlist give want need".split()
)
DECADE_WORDS = {
    "fifties": 1950, "sixties": 1960, "seventies": 1970, "eighties": 1980, "nineties": 1990,
    "noughties": 2000, "aughts": 2000,
}  # fmt: skip
_DECADE = re.compile(r"(?<![\w'’])['’]?(?:(19|20)(\d)0|(\d)0)['’]?s\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:[-&'’][^\W_]+)*", re.UNICODE)
MAX_NGRAM = 3


@dataclass(frozen=True)
class Asks:
    """What a text asked of the music. Genres are vocabulary paths ("rock/metal")."""

    genres: tuple[str, ...] = ()
    decades: tuple[int, ...] = ()
    energy: int = 0  # -1 calmer, +1 more energetic, 0 not asked

    def __bool__(self) -> bool:
        return bool(self.genres or self.decades or self.energy)

    def as_json(self) -> dict:
        return {"genres": list(self.genres), "decades": list(self.decades), "energy": self.energy}

    @classmethod
    def from_json(cls, data: dict | None) -> "Asks":
        data = data or {}
        return cls(tuple(data.get("genres", ())), tuple(data.get("decades", ())), int(data.get("energy", 0)))


def _decade(match: re.Match) -> int:
    if match.group(1):
        return int(match.group(1) + match.group(2) + "0")
    digit = int(match.group(3))
    return (1900 if digit >= 3 else 2000) + digit * 10  # "80s" is 1980, "10s" is 2010


def decades_in(text: str) -> tuple[int, ...]:
    found = {_decade(m) for m in _DECADE.finditer(text)}
    found |= {year for word, year in DECADE_WORDS.items() if re.search(rf"\b{word}\b", text, re.IGNORECASE)}
    return tuple(sorted(found))


def genres_in(words: list[str], resolve) -> tuple[str, ...]:
    """Vocabulary genre paths named by the words, longest phrase first ("hard rock" before "rock");
    `resolve(phrase) -> path or None` looks a phrase up in the vocabulary."""
    found: list[str] = []
    used = [False] * len(words)
    for size in range(MAX_NGRAM, 0, -1):
        for start in range(len(words) - size + 1):
            if any(used[start : start + size]):
                continue
            path = resolve(" ".join(words[start : start + size]))
            if path and path not in found:
                found.append(path)
                used[start : start + size] = [True] * size
    return tuple(found)


def asks_in(text: str, resolve) -> Asks:
    """The music a text asks for (see the module docstring). `resolve` as for genres_in()."""
    words = [w.casefold() for w in _WORD.findall(text)]
    asking = any(w in MUSIC_CUES for w in words)
    energies = {ENERGY_WORDS[w] for w in words if w in ENERGY_WORDS} if asking else set()
    return Asks(
        genres=genres_in(words, resolve) if asking else (),
        decades=decades_in(text),
        energy=energies.pop() if len(energies) == 1 else 0,  # "slow but energetic" asks nothing clear
    )


def _genre_met(genres: tuple[str, ...], asks: Asks) -> str:
    """The asked genre this song's path is, or is under ("rock" for rock/metal), or ""."""
    for path in asks.genres:
        names = path_names(path)
        if genres[: len(names)] == names:
            return names[-1]
    return ""


def met(genres: tuple[str, ...], decade: int | None, arousal: float, asks: Asks) -> list[str]:
    """The asks a song meets, as the words of its explanation."""
    meets = []
    if genre := _genre_met(genres, asks):
        meets.append(genre)
    if decade is not None and decade in asks.decades:
        meets.append(f"the {str(decade)[2:]}s")
    if asks.energy and asks.energy * arousal > 0.15:
        meets.append("something " + ("energetic" if asks.energy > 0 else "relaxed"))
    return meets


def bonus(genres: tuple[str, ...], decade: int | None, arousal: float, asks: Asks) -> float:
    return ASKED_BONUS * len(met(genres, decade, arousal, asks))


def reason(genres: tuple[str, ...], decade: int | None, arousal: float, asks: Asks) -> str:
    meets = met(genres, decade, arousal, asks)
    return f"you asked for {' and '.join(meets)}" if meets else ""
