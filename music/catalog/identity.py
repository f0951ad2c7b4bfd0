"""When two rows are one song (plain Python, no Django, so benchmarks and builders can use it)."""

import re
import unicodedata

# A title suffix naming the same recording: "(feat. X)", or " - ..." naming a remaster, a year's
# mix, a radio/single/album edit, an original recording, mono/stereo or "From <film>"; never a
# remix, live, acoustic, instrumental or demo version, which are other recordings.
VERSION_SUFFIX = re.compile(
    r"\s*(?:[(\[](?:feat\.?|ft\.?|with)\s[^)\]]*[)\]]"
    r"|\s-\s(?!.*\b(?:remix|live|acoustic|instrumental|demo|mixed)\b)"
    r".*\b(?:remaster(?:ed)?|\d{4}\s+mix|radio edit|single version|album version|original recording"
    r"|mono|stereo|soundtrack version|from\s.*)\b.*)$",
    re.IGNORECASE,
)


def song_key(artist: str, title: str) -> str:
    """The identity of a song: artist and title, ignoring case, spacing and Unicode width forms."""

    def norm(text: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()

    return f"{norm(artist)}\x1f{norm(title)}"


def base_title(title: str) -> str:
    """The title without the suffixes that name the same recording: "Imagine - Remastered" -> "Imagine"."""
    previous = None
    while previous != title:
        previous, title = title, VERSION_SUFFIX.sub("", title)
    return title
