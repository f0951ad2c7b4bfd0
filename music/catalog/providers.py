"""Where a song can be heard: provider ids (strictly validated), their links and their embeds.

The model, the CSV importer, the admin and the API share this one set of rules. An id may be given as the bare id or as one of the provider's own track URLs; either way
the bare id is stored, so a pasted link and a typed id end up the same.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote_plus, urlparse

from django.conf import settings
from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Provider:
    field: str  # the Song field holding the id
    label: str
    pattern: re.Pattern  # a whole bare id
    shape: str  # what a valid id looks like, for error messages
    hosts: tuple[str, ...]  # hosts of the track URLs we accept instead of a bare id
    track_url: str  # a page for the track, "{id}" replaced

    def link(self, track_id: str) -> str:
        return self.track_url.format(id=track_id)


# YouTube ids are 11 characters of URL-safe base64 encoding 64 bits, so the last character
# carries only 4 bits: it is one of 16. Spotify ids are 22 base-62 characters. Apple Music
# (iTunes trackId) and Deezer track ids are positive integers.
PROVIDERS: dict[str, Provider] = {
    "youtube": Provider(
        "youtube_id", "YouTube", re.compile(r"[A-Za-z0-9_-]{10}[AEIMQUYcgkosw048]"),
        "11 characters (letters, digits, - and _)",
        ("youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be",
         "www.youtube-nocookie.com"),
        "https://www.youtube.com/watch?v={id}",
    ),
    "spotify": Provider(
        "spotify_id", "Spotify", re.compile(r"[0-9A-Za-z]{22}"), "22 letters and digits",
        ("open.spotify.com",), "https://open.spotify.com/track/{id}",
    ),
    "apple_music": Provider(
        "apple_music_id", "Apple Music", re.compile(r"[1-9][0-9]{0,14}"), "a number (the iTunes trackId)",
        ("music.apple.com", "itunes.apple.com"), "https://music.apple.com/song/{id}",
    ),
    "deezer": Provider(
        "deezer_id", "Deezer", re.compile(r"[1-9][0-9]{0,14}"), "a number", ("www.deezer.com", "deezer.com"),
        "https://www.deezer.com/track/{id}",
    ),
}  # fmt: skip
PROVIDER_FIELDS = tuple(p.field for p in PROVIDERS.values())
ID_MAX_LENGTH = 22

# Paths of the embedded players under their origins (settings.PLAYER_EMBED_ORIGINS, which the
# CSP's frame-src also reads). The player inserts them only after the listener clicks play.
EMBED_PATHS = {"youtube": "/embed/{id}?autoplay=1&rel=0", "spotify": "/embed/track/{id}"}


def _id_from_url(provider: Provider, url: str) -> str | None:
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in provider.hosts:
        return None
    segments = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    if provider.field == "youtube_id":
        if parts.hostname == "youtu.be":
            return segments[0] if len(segments) == 1 else None
        if segments == ["watch"]:
            return (query.get("v") or [None])[0]
        if len(segments) == 2 and segments[0] in ("embed", "shorts", "live", "v"):
            return segments[1]
        return None
    if provider.field == "apple_music_id":
        # An album page names the track with ?i=…; a song page ends with its id.
        if "i" in query:
            return query["i"][0]
        if "song" in segments[:-1]:
            return segments[-1].removeprefix("id")
        return None
    # Spotify /track/<id> (optionally after /intl-xx/), Deezer /track/<id> (optionally after /en/).
    if len(segments) >= 2 and segments[-2] == "track":
        return segments[-1]
    return None


def normalize_provider_id(name: str, value: str) -> str:
    """The bare id for `value` (an id or a track URL of provider `name`); "" stays "".

    Raises ValueError with a message a curator can act on.
    """
    provider = PROVIDERS[name]
    value = (value or "").strip()
    if not value:
        return ""
    candidate = value
    if "/" in value or ":" in value:
        if value.startswith(f"{name}:track:"):  # spotify:track:<id> URIs
            candidate = value.rsplit(":", 1)[1]
        else:
            candidate = _id_from_url(provider, value) or ""
    if not provider.pattern.fullmatch(candidate):
        raise ValueError(
            f"{provider.field} is not a valid {provider.label} track id ({provider.shape}): {value[:80]!r}"
        )
    return candidate


def _id_validator(name: str):
    def validate(value: str) -> None:
        try:
            if normalize_provider_id(name, value) != value:
                raise ValueError(f"store the bare {PROVIDERS[name].label} id, not a link")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    validate.__name__ = validate.__qualname__ = f"validate_{name}_id"
    return validate


# Model field validators: the stored value is a bare id. Module-level names, so migrations find them.
validate_youtube_id = _id_validator("youtube")
validate_spotify_id = _id_validator("spotify")
validate_apple_music_id = _id_validator("apple_music")
validate_deezer_id = _id_validator("deezer")


def search_links(artist: str, title: str) -> dict[str, str]:
    """Search pages that find the song on YouTube and Spotify: the fallback when no id is known."""
    query = f"{artist} {title}"
    return {
        "youtube": "https://www.youtube.com/results?search_query=" + quote_plus(query),
        "spotify": "https://open.spotify.com/search/" + quote_plus(query).replace("+", "%20"),
    }


def embed_url(name: str, track_id: str) -> str:
    return settings.PLAYER_EMBED_ORIGINS[name] + EMBED_PATHS[name].format(id=track_id)
