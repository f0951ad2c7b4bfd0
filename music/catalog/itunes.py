"""The iTunes Search API client and the matching rules of enrich_catalog (no database access).

Apple's documented request is `GET https://itunes.apple.com/search?term=…&media=music&entity=song`;
the answer is `{"resultCount": n, "results": [...]}`, each result a track with `trackId`,
`trackName`, `artistName`, `previewUrl`, `artworkUrl100`, `trackViewUrl`, `trackTimeMillis`, ...
The base URL comes from settings (ITUNES_SEARCH_URL), so tests point it at a local fake server.

Matching is deliberately strict: a result counts only when its normalised artist and title equal
ours; versions that are other recordings (live, remix, acoustic, karaoke, ...) never count; and
when the remaining results disagree (durations far apart, or none near the duration we know) the
song is reported as ambiguous rather than guessed.
"""

import json
import re
import time
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlparse

from music.catalog.providers import PROVIDERS

RESULT_LIMIT = 25
MAX_RESPONSE_BYTES = 2 * 1024 * 1024  # 25 results are ~25 KB; anything far larger is not an answer
# Versions of one recording (album, single, compilation, remaster) differ by a few seconds.
SAME_RECORDING_SECONDS = 10
USER_AGENT = "EmotionSymphony-enrich_catalog/1.0"

# Version notes that name another recording: such a result is never the song itself. Other notes
# ("Remastered 2011", "feat. X", "Single Version") keep it; the duration check catches edits.
OTHER_RECORDING = re.compile(
    r"\b(live|remix|acoustic|karaoke|instrumental|cover|demo|rehearsal|sped up|slowed|reprise|unplugged"
    r"|a cappella|tribute|in the style of|made famous)\b"
)


class ServiceError(Exception):
    """The service did not answer usefully for this song (timeout, 5xx, malformed JSON, ...)."""


class ServiceRefused(ServiceError):
    """The service refused us (403, or 429 after retrying): stop the run, nothing is wrong with the songs."""


@dataclass(frozen=True)
class Track:
    track_id: str
    title: str
    artist: str
    preview_url: str
    artwork_url: str
    duration: int | None  # seconds


@dataclass
class Match:
    status: str  # "matched", "unmatched" or "ambiguous" (music.models.Enrichment)
    track: Track | None = None
    reason: str = ""
    candidates: list[Track] = field(default_factory=list)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ").replace("+", " and ")
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()


def norm_artist(artist: str) -> str:
    folded = _fold(artist)
    return folded[4:] if folded.startswith("the ") else folded


def artist_parts(artist: str) -> set[str]:
    """An iTunes artist credit split into its artists: "Queen & David Bowie" -> {queen, david bowie}."""
    parts = re.split(r"\s*(?:,|&|\bfeat\.?|\bft\.?|\bfeaturing\b|\bwith\b|\bx\b)\s*", artist, flags=re.IGNORECASE)
    return {norm_artist(p) for p in parts if p.strip()} | {norm_artist(artist)}


def split_title(title: str) -> tuple[str, list[str]]:
    """The core title and its version notes: "Help! (Remastered 2009)" -> ("help", ["remastered 2009"])."""
    notes = [m.strip() for m in re.findall(r"[(\[]([^)\]]*)[)\]]", title)]
    core = re.sub(r"[(\[][^)\]]*[)\]]", " ", title)
    if " - " in core:
        core, _, tail = core.partition(" - ")
        notes.append(tail.strip())
    return _fold(core), [_fold(n) for n in notes if n.strip()]


def same_recording(notes: list[str]) -> bool:
    return not any(OTHER_RECORDING.search(n) for n in notes)


def match(artist: str, title: str, duration: int | None, tracks: list[Track]) -> Match:
    """Pick the result that is this song, or say why none can be picked with confidence."""
    want_artist = norm_artist(artist)
    want_title, want_notes = split_title(title)
    candidates = []
    for track in tracks:
        core, notes = split_title(track.title)
        if core != want_title or want_artist not in artist_parts(track.artist):
            continue
        # A version note we also carry ("(Live)" in both) is the same recording.
        if not same_recording([n for n in notes if n not in want_notes]):
            continue
        candidates.append(track)
    if not candidates:
        return Match("unmatched", reason=f"none of {len(tracks)} result(s) has this artist and title")
    if duration:
        near = [t for t in candidates if t.duration and abs(t.duration - duration) <= SAME_RECORDING_SECONDS]
        if not near:
            lengths = ", ".join(f"{t.duration}s" for t in candidates[:5])
            return Match(
                "ambiguous",
                reason=f"{len(candidates)} match(es), none near {duration}s ({lengths})",
                candidates=candidates,
            )
        candidates = near
    lengths = [t.duration for t in candidates if t.duration]
    if lengths and max(lengths) - min(lengths) > SAME_RECORDING_SECONDS:
        return Match(
            "ambiguous",
            reason=f"{len(candidates)} versions from {min(lengths)}s to {max(lengths)}s",
            candidates=candidates,
        )
    # The service ranks by relevance; among equal recordings prefer one with a preview.
    best = next((t for t in candidates if t.preview_url), candidates[0])
    return Match("matched", track=best, candidates=candidates)


def _https_url(value) -> str:
    if not isinstance(value, str) or len(value) > 500:
        return ""
    parts = urlparse(value)
    return value if parts.scheme == "https" and parts.netloc else ""


def parse_results(body: bytes) -> list[Track]:
    """Tracks from a response body; ServiceError when it is not the documented shape."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ServiceError(f"the answer is not JSON ({str(exc)[:80]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ServiceError("the answer has no `results` list")
    tracks = []
    for item in data["results"]:
        if not isinstance(item, dict) or item.get("kind", "song") != "song":
            continue
        title, artist, track_id = item.get("trackName"), item.get("artistName"), item.get("trackId")
        if not (isinstance(title, str) and isinstance(artist, str) and title and artist):
            continue
        track_id = str(track_id) if isinstance(track_id, int) and not isinstance(track_id, bool) else ""
        if not PROVIDERS["apple_music"].pattern.fullmatch(track_id):
            track_id = ""
        millis = item.get("trackTimeMillis")
        seconds = round(millis / 1000) if isinstance(millis, int | float) and not isinstance(millis, bool) else None
        tracks.append(
            Track(
                track_id=track_id,
                title=title[:300],
                artist=artist[:200],
                preview_url=_https_url(item.get("previewUrl")),
                artwork_url=_https_url(item.get("artworkUrl100")),
                duration=seconds if seconds and 1 <= seconds <= 36000 else None,
            )
        )
    return tracks


class Client:
    """Searches one song at a time, at most `per_minute` requests a minute (0: no limit)."""

    def __init__(
        self,
        base_url: str,
        *,
        country: str = "US",
        per_minute: int = 20,
        timeout: float = 10,
        retries_429: int = 2,
        max_wait: float = 60,
        sleep=time.sleep,
        clock=time.monotonic,
    ):
        self.base_url = base_url
        self.country = country
        self.interval = 60 / per_minute if per_minute > 0 else 0.0
        self.timeout = timeout
        self.retries_429 = retries_429
        self.max_wait = max_wait
        self.sleep, self.clock = sleep, clock
        self._next_at = 0.0
        self.requests = 0

    def _pace(self) -> None:
        wait = self._next_at - self.clock()
        if wait > 0:
            self.sleep(wait)
        self._next_at = self.clock() + self.interval

    def url(self, artist: str, title: str) -> str:
        query = {"term": f"{artist} {title}", "media": "music", "entity": "song", "limit": RESULT_LIMIT}
        query["country"] = self.country
        return f"{self.base_url}?{urlencode(query)}"

    def search(self, artist: str, title: str) -> list[Track]:
        request = urllib.request.Request(self.url(artist, title), headers={"User-Agent": USER_AGENT})
        for attempt in range(self.retries_429 + 1):
            self._pace()
            self.requests += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read(MAX_RESPONSE_BYTES + 1)
            except urllib.error.HTTPError as exc:
                if exc.code == 429 and attempt < self.retries_429:
                    self.sleep(self._retry_after(exc, attempt))
                    continue
                if exc.code in (403, 429):
                    raise ServiceRefused(f"the service refused the request (HTTP {exc.code})") from None
                raise ServiceError(f"HTTP {exc.code} from the service") from None
            except TimeoutError:
                raise ServiceError(f"no answer within {self.timeout:g} s") from None
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, TimeoutError):
                    raise ServiceError(f"no answer within {self.timeout:g} s") from None
                raise ServiceError(f"cannot reach the service ({reason})") from None
            except (ConnectionError, OSError) as exc:
                raise ServiceError(f"the connection failed ({exc})") from None
            if len(body) > MAX_RESPONSE_BYTES:
                raise ServiceError("the answer is too large")
            return parse_results(body)
        raise ServiceRefused("the service kept answering HTTP 429")  # not reached: the loop raises or returns

    def _retry_after(self, exc: urllib.error.HTTPError, attempt: int) -> float:
        header = exc.headers.get("Retry-After", "") if exc.headers else ""
        wait = float(header) if header.strip().isdigit() else max(self.interval, 1.0) * 2**attempt
        return min(wait, self.max_wait)
