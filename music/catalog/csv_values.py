"""One CSV row's cells to a song's values, per layout, with every problem of the row collected
(music.catalog.csv_format reads the file and calls these)."""

import re
from urllib.parse import urlparse

from music.catalog import tagging
from music.catalog.csv_columns import FALSE, TRUE, URL_COLUMNS
from music.catalog.models import AUDIO_FEATURE_RANGES, AUDIO_FEATURES, LANGUAGE_RE, TagSource, normalize_language
from music.catalog.providers import PROVIDERS, normalize_provider_id
from music.emotions import MOODYLYRICS_MOODS, parse_tags


def parse_duration(text: str) -> int | None:
    if not text:
        return None
    parts = text.split(":")
    if len(parts) > 3 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"duration must be seconds or m:ss, got {text!r}")
    seconds = 0
    for p in parts:
        seconds = seconds * 60 + int(p)
    if not 1 <= seconds <= 36000:
        raise ValueError("duration must be between 1 second and 10 hours")
    return seconds


def _float(name: str, text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} is not a number: {text!r}") from None
    if not low <= value <= high:  # also refuses nan
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {text}")
    return value


class _Problems(list):
    """Every problem of one row, so a file is fixed in one go rather than one error per upload."""

    def check(self, parse, *args):
        try:
            return parse(*args)
        except ValueError as exc:
            self.append(str(exc))
            return None


def _text(raw: dict[str, str], name: str, problems: _Problems, *, required: bool = False) -> str:
    value = raw.get(name, "")
    if required and not value:
        problems.append(f"{name} is empty")
    return value


def _year(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"year is not a whole number: {text!r}")
    if not 1000 <= int(text) <= 2100:
        raise ValueError(f"year {text} is out of range")
    return int(text)


def _features(raw: dict[str, str], v: dict, problems: _Problems) -> None:
    """The audio features the row has (an empty cell is unknown) and its popularity."""
    for name in AUDIO_FEATURES:
        if name in raw:
            low, high = AUDIO_FEATURE_RANGES[name]
            value = problems.check(_float, name, raw[name], low, high) if raw[name] else None
            v[name] = round(value) if name == "mode" and value is not None else value
    if "popularity" in raw:
        value = problems.check(_float, "popularity", raw["popularity"], 0, 100) if raw["popularity"] else None
        v["popularity"] = round(value) if value is not None else None


def _tag_values(raw: dict[str, str], v: dict, problems: _Problems) -> None:
    """Tags as given, with their source; none given and audio features known: machine tags."""
    tags = problems.check(parse_tags, raw["tags"]) if raw.get("tags") else {}
    if tags:
        source = raw.get("tag_source", "") or TagSource.CURATED  # tags a person typed into a file
        if source not in TagSource.values:
            problems.append(f"tag_source must be one of {', '.join(TagSource.values)}, got {source!r}")
        confidence = raw.get("tag_confidence", "")
        v.update(
            emotions=tags,
            tag_source=source,
            tag_confidence=problems.check(_float, "tag_confidence", confidence, 0, 1) if confidence else None,
            tags_reviewed=problems.check(_flag, "tags_reviewed", raw.get("tags_reviewed", "")) or False,
        )
    elif v.get("audio_valence") is not None and v.get("audio_energy") is not None:
        machine = tagging.tag_from_features(tagging.AudioFeatures(
            valence=v["audio_valence"], energy=v["audio_energy"],
            **{name: v.get(name) for name in AUDIO_FEATURES[2:]},
        ))  # fmt: skip
        v.update(
            emotions=machine.emotions, tag_source=TagSource.AUDIO, tag_confidence=round(machine.confidence, 3),
            tags_reviewed=False, va_manual=True, valence=round(machine.valence, 4), arousal=round(machine.arousal, 4),
        )  # fmt: skip
    elif "tags" in raw:
        v.update(emotions={}, tag_source="", tag_confidence=None, tags_reviewed=False)


def _flag(name: str, text: str) -> bool:
    flag = text.lower()
    if flag not in TRUE | FALSE:
        raise ValueError(f"{name} must be true or false, got {text!r}")
    return flag in TRUE and flag != ""


def _generic_values(raw: dict[str, str]) -> tuple[dict, list[str]]:
    problems = _Problems()
    v: dict = {"title": _text(raw, "title", problems, required=True)}
    v["artist"] = _text(raw, "artist", problems, required=True)
    if "album" in raw:
        v["album"] = raw["album"]
    if "genre" in raw:
        v["genre"] = raw["genre"].lower()  # a name; the importer resolves it against the vocabulary
    if "language" in raw:
        language = normalize_language(raw["language"]) if raw["language"] else ""
        if language and not LANGUAGE_RE.match(language):
            problems.append(f"language must be an ISO 639 code such as en, pt-BR or zxx, got {language!r}")
        v["language"] = language
    if "year" in raw:
        v["year"] = problems.check(_year, raw["year"])
    if "duration" in raw:
        v["duration"] = problems.check(parse_duration, raw["duration"])
    _features(raw, v, problems)
    _tag_values(raw, v, problems)
    if "valence" in raw or "arousal" in raw:
        valence, arousal = raw.get("valence", ""), raw.get("arousal", "")
        if bool(valence) != bool(arousal):
            problems.append("give both valence and arousal, or neither")
        elif valence:
            v["va_manual"] = True
            v["valence"] = problems.check(_float, "valence", valence, -1, 1)
            v["arousal"] = problems.check(_float, "arousal", arousal, -1, 1)
        elif v.get("tag_source") != TagSource.AUDIO:
            v["va_manual"] = False
    for name in URL_COLUMNS:
        if name in raw:
            url = raw[name]
            parsed = urlparse(url)
            if url and (parsed.scheme not in ("http", "https") or not parsed.netloc):
                problems.append(f"{name} is not an http(s) address: {url!r}")
            v[name] = url
    for name, provider in PROVIDERS.items():
        if provider.field in raw:
            v[provider.field] = problems.check(normalize_provider_id, name, raw[provider.field])
    if "active" in raw:
        v["active"] = raw["active"] == "" or problems.check(_flag, "active", raw["active"])
    return v, problems


def _released_year(text: str) -> int | None:
    """Spotify release dates are YYYY-MM-DD, YYYY-MM or YYYY."""
    if not text:
        return None
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise ValueError(f"release date must be YYYY-MM-DD, YYYY-MM or YYYY, got {text!r}")
    return _year(text[:4])


def _spotify_values(raw: dict[str, str]) -> tuple[dict, list[str]]:
    problems = _Problems()
    v: dict = {name: _text(raw, name, problems, required=True) for name in ("title", "artist")}
    v["spotify_id"] = problems.check(normalize_provider_id, "spotify", raw["spotify_id"]) if raw["spotify_id"] else ""
    if not raw["spotify_id"]:
        problems.append("spotify_id (track_id) is empty")
    # Kaggle's layout joins several artists with ";".
    v["artist"] = ", ".join(a.strip() for a in v["artist"].split(";") if a.strip())
    if "album" in raw:
        v["album"] = raw["album"]
    if "released" in raw:
        v["year"] = problems.check(_released_year, raw["released"])
    if raw.get("duration_ms"):
        ms = problems.check(_float, "duration_ms", raw["duration_ms"], 1000, 36_000_000)
        v["duration"] = round(ms / 1000) if ms is not None else None
    for name in ("genre", "genre_family"):
        if name in raw:
            v[name] = raw[name].lower()
    for name in ("audio_valence", "audio_energy"):
        if not raw[name]:
            problems.append(f"{name.removeprefix('audio_')} is empty")
    _features(raw, v, problems)
    _tag_values(raw, v, problems)
    return v, problems


def _moody_values(raw: dict[str, str]) -> tuple[dict, list[str]]:
    problems = _Problems()
    v = {name: _text(raw, name, problems, required=True) for name in ("title", "artist")}
    mood = raw["mood"].lower()
    if mood not in MOODYLYRICS_MOODS:
        problems.append(f"unknown mood {raw['mood']!r} (expected one of: {', '.join(MOODYLYRICS_MOODS)})")
    else:
        v.update(emotions=dict(MOODYLYRICS_MOODS[mood]), tag_source=TagSource.LYRICS, tags_reviewed=False)
    return v, problems


VALUES = {
    "generic": _generic_values,
    "moodylyrics": _moody_values,
    "tidytuesday": _spotify_values,
    "kaggle": _spotify_values,
}
