"""Reading a genre name from an outside file onto the vocabulary (plain Python, no database).

A name is the vocabulary genre of the same key ("Hip Hop" is hip-hop), else an alias
(music/data/genre_aliases.csv: "rap" is hip-hop), else its family when one is clear: the last
words that name a vocabulary genre, as English genre names put the kind last ("electro house" is
house, under electronic; "southern hip hop" is hip-hop). Anything else is unknown, with the
closest vocabulary name as a suggestion.
"""

import csv
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from music.catalog.models import GENRE_SEPARATOR, genre_key

ALIASES_FILE = Path(__file__).resolve().parents[1] / "data" / "genre_aliases.csv"
SUGGESTION_CUTOFF = 0.75


@dataclass(frozen=True)
class Resolved:
    genre_id: int | None
    how: str  # "exact", "alias", "family" or "unknown"
    suggestion: str = ""

    @property
    def ok(self) -> bool:
        return self.genre_id is not None


def read_aliases(path: Path = ALIASES_FILE) -> dict[str, str]:
    with path.open(encoding="utf-8") as fh:
        return {genre_key(row["alias"]): row["genre"] for row in csv.DictReader(fh)}


class GenreResolver:
    """Built once per import from the vocabulary's (id, name, path) rows."""

    def __init__(self, genres: Iterable[tuple[int, str, str]], aliases: dict[str, str]):
        self._by_key = {genre_key(name): (pk, path) for pk, name, path in genres}
        self._names = [path.rsplit(GENRE_SEPARATOR, 1)[-1] for _, path in self._by_key.values()]
        self._aliases = {alias: self._by_key[genre_key(name)] for alias, name in aliases.items()
                         if genre_key(name) in self._by_key}  # fmt: skip
        self._paths = {pk: path for pk, path in self._by_key.values()}

    def _lookup(self, name: str) -> tuple[tuple[int, str] | None, str]:
        key = genre_key(name)
        if key in self._by_key:
            return self._by_key[key], "exact"
        if key in self._aliases:
            return self._aliases[key], "alias"
        return None, "unknown"

    def path_of(self, name: str) -> str | None:
        """The vocabulary path a name or alias is exactly ("rap" -> "hip-hop"), or None."""
        found, _ = self._lookup(name)
        return found[1] if found else None

    def resolve(self, name: str) -> Resolved:
        found, how = self._lookup(name)
        if found:
            return Resolved(found[0], how)
        words = [w for w in re.split(r"[\s\-_/]+", name.strip()) if w]
        for size in range(len(words) - 1, 0, -1):  # longest first, rightmost first: the kind comes last
            for end in range(len(words), size - 1, -1):
                found, _ = self._lookup(" ".join(words[end - size : end]))
                if found:
                    return Resolved(found[0], "family")
        close = difflib.get_close_matches(name, self._names, n=1, cutoff=SUGGESTION_CUTOFF)
        return Resolved(None, "unknown", close[0] if close else "")

    def family(self, genre_id: int) -> str:
        """The root of a genre's path: "rock" for rock/metal."""
        return self._paths[genre_id].split(GENRE_SEPARATOR, 1)[0]

    def resolve_within(self, name: str, family_name: str) -> Resolved:
        """A sub-genre read with its family known (the TidyTuesday layout has both): the
        sub-genre when it is in the vocabulary or clearly under that family, else the family."""
        family = self.resolve(family_name) if family_name else Resolved(None, "unknown")
        sub = self.resolve(name) if name else Resolved(None, "unknown")
        if sub.ok and (
            sub.how != "family" or not family.ok or self.family(sub.genre_id) == self.family(family.genre_id)
        ):
            return sub
        if family.ok:
            return family
        return sub if sub.suggestion or not family_name else family
