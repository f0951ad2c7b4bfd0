"""The catalogue's data: the genre vocabulary and the songs, with their tags and where they play."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, FloatField, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from music.catalog import providers
from music.catalog.identity import song_key
from music.catalog.paths import GENRE_SEPARATOR
from music.emotions import EMOTIONS, QUADRANTS, quadrant_of, va_from_tags


def genre_key(name: str) -> str:
    """The identity of a genre name: "Hip Hop", "hip-hop" and "HIPHOP" are one genre."""
    return re.sub(r"[\s\-_.]+", "", unicodedata.normalize("NFKC", name)).casefold()


MAX_GENRE_DEPTH = 3


# A language is an ISO 639 code with optional BCP 47 subtags: "en", "pt-BR"; "zxx" (ISO 639-2 for
# "no linguistic content") marks an instrumental.
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")


def normalize_language(code: str) -> str:
    """ "EN" -> "en", "pt-br" -> "pt-BR": lower-case language, upper-case region."""
    parts = code.strip().replace("_", "-").split("-")
    return "-".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])


def emotion_weight(name: str):
    """SQL expression for one tag weight; the same expression backs the per-emotion indexes."""
    return Cast(KeyTextTransform(name, "emotions"), FloatField())


def weight_indexes(prefix: str, *leading) -> list[models.Index]:
    # One index per emotion on its weight, best first; the id breaks ties in the index itself, or
    # "ORDER BY weight DESC, id LIMIT 40" reads every one of thousands of songs weighing 1.0.
    return [
        models.Index(*leading, emotion_weight(n).desc(), F("id"), condition=Q(active=True), name=f"{prefix}{n}")
        for n in EMOTIONS
    ]


class Enrichment(models.TextChoices):
    """What enrich_catalog found for a song the last time it asked the catalogue service."""

    MATCHED = "matched", "Matched"
    UNMATCHED = "unmatched", "No match"
    AMBIGUOUS = "ambiguous", "Ambiguous"


class TagSource(models.TextChoices):
    """Where a song's emotion tags came from. Machine tags (audio, lyrics, enrichment) wait in the
    admin's review queue until a curator approves or adjusts them; adjusted tags are curated."""

    CURATED = "curated", "Curated by a person"
    AUDIO = "audio", "From audio features"
    LYRICS = "lyrics", "From a lyrics-mood file"
    ENRICHMENT = "enrichment", "From enrichment"


MACHINE_TAG_SOURCES = (TagSource.AUDIO, TagSource.LYRICS, TagSource.ENRICHMENT)
# Spotify's audio features as the catalogue stores them (the tagger and the taste model read them):
# the 0..1 descriptors, loudness in dB, tempo in BPM and mode (1 major, 0 minor).
AUDIO_FEATURES = (
    "audio_valence", "audio_energy", "danceability", "acousticness", "instrumentalness", "loudness", "tempo", "mode",
)  # fmt: skip
AUDIO_FEATURE_RANGES = {
    "audio_valence": (0.0, 1.0), "audio_energy": (0.0, 1.0), "danceability": (0.0, 1.0), "acousticness": (0.0, 1.0),
    "instrumentalness": (0.0, 1.0), "loudness": (-60.0, 5.0), "tempo": (0.0, 300.0), "mode": (0, 1),
}  # fmt: skip


def _feature(label: str, help_text: str) -> models.FloatField:
    return models.FloatField(label, null=True, blank=True, help_text=help_text)


class Genre(models.Model):
    """One name of the controlled genre vocabulary (music/data/genres.csv, curated in the admin),
    optionally under a parent ("metal" under "rock"). `path` holds the names from the root down
    ("rock/metal"), kept up to date on every save, so the recommender learns a sub-genre's taste
    as a deviation from its parent's without walking the tree in SQL or Python."""

    name = models.CharField(max_length=40, unique=True, help_text="Lower case, e.g. “metal” or “r&b”.")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        help_text=f"The broader genre it belongs to (at most {MAX_GENRE_DEPTH} levels).",
    )  # fmt: skip
    key = models.CharField(max_length=40, unique=True, editable=False)
    path = models.CharField(max_length=160, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.key = genre_key(self.name)
        old_path = self.path
        self.path = GENRE_SEPARATOR.join([*(g.name for g in self.ancestors()), self.name])
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in self.children.all():
                child.save(update_fields=["path", "updated_at"])

    @property
    def names(self) -> tuple[str, ...]:
        """Root first: ("rock", "metal")."""
        return tuple(self.path.split(GENRE_SEPARATOR))

    def ancestors(self) -> list["Genre"]:
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain[::-1]

    def clean(self) -> None:
        self.name = re.sub(r"\s+", " ", (self.name or "").strip()).lower()
        if not self.name or GENRE_SEPARATOR in self.name:
            raise ValidationError({"name": f"Give a name without “{GENRE_SEPARATOR}”."})
        self.key = genre_key(self.name)
        clash = Genre.objects.filter(key=self.key).exclude(pk=self.pk).first()
        if clash:
            raise ValidationError({"name": f"“{clash.name}” is already in the vocabulary."})
        node, depth = self.parent, 1
        while node is not None:
            if self.pk and node.pk == self.pk:
                raise ValidationError({"parent": "A genre cannot sit under itself or one of its sub-genres."})
            node, depth = node.parent, depth + 1
            if depth > MAX_GENRE_DEPTH:
                raise ValidationError({"parent": f"Genres nest at most {MAX_GENRE_DEPTH} levels deep."})


class Song(models.Model):
    title = models.CharField(max_length=300)
    artist = models.CharField(max_length=200)
    album = models.CharField(max_length=300, blank=True, default="")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    genre = models.ForeignKey(Genre, null=True, blank=True, on_delete=models.PROTECT, related_name="songs")
    language = models.CharField(
        max_length=16, blank=True, default="", validators=[RegexValidator(LANGUAGE_RE, "Use an ISO 639 code: en, pt-BR, zxx.")],
        help_text="ISO 639 code (en, de, pt-BR); zxx for an instrumental; empty when unknown.",
    )  # fmt: skip
    duration = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds.")
    # {emotion name: weight 0..1} meaning "suits this mood"; absent names mean 0. A JSON object
    # keeps a song's tags in its row, so the recommender reads candidates in one query, and
    # per-emotion expression indexes (below) let it take "best songs for sadness" from an index.
    emotions = models.JSONField(default=dict, blank=True)
    valence = models.FloatField(default=0.0, help_text="-1 (negative) .. 1 (positive).")
    arousal = models.FloatField(default=0.0, help_text="-1 (calm) .. 1 (energetic).")
    # False: valence/arousal are derived from the tags on every save.
    va_manual = models.BooleanField("valence/arousal set by hand", default=False)
    quadrant = models.CharField(max_length=10, choices=list(QUADRANTS.items()), editable=False, default="happy")
    preview_url = models.URLField(max_length=500, blank=True, default="")
    artwork_url = models.URLField(max_length=500, blank=True, default="")
    # Provider track ids, stored bare (music.catalog.providers validates and normalises them). When set
    # they replace the search links, and YouTube and Spotify ids give the player an embed.
    youtube_id = models.CharField(
        "YouTube video id", max_length=11, blank=True, default="", validators=[providers.validate_youtube_id]
    )
    spotify_id = models.CharField(
        "Spotify track id", max_length=22, blank=True, default="", validators=[providers.validate_spotify_id]
    )
    apple_music_id = models.CharField(
        "Apple Music track id", max_length=15, blank=True, default="", validators=[providers.validate_apple_music_id]
    )
    deezer_id = models.CharField(
        "Deezer track id", max_length=15, blank=True, default="", validators=[providers.validate_deezer_id]
    )
    popularity = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0..100, from the source file.")
    audio_valence = _feature("valence (audio)", "0..1, Spotify's musical positiveness.")
    audio_energy = _feature("energy (audio)", "0..1, Spotify's intensity and activity.")
    danceability = _feature("danceability", "0..1.")
    acousticness = _feature("acousticness", "0..1.")
    instrumentalness = _feature("instrumentalness", "0..1.")
    loudness = _feature("loudness", "dB, about -60..0.")
    tempo = _feature("tempo", "Beats per minute.")
    mode = models.PositiveSmallIntegerField(null=True, blank=True, choices=[(1, "major"), (0, "minor")])
    tag_source = models.CharField(max_length=10, choices=TagSource.choices, blank=True, default="")
    tag_confidence = models.FloatField(
        null=True, blank=True, help_text="0..1 for machine tags: low near the centre of the valence/arousal plane."
    )
    tags_reviewed = models.BooleanField("tags reviewed", default=False, help_text="A curator approved machine tags.")
    enrichment = models.CharField(max_length=10, choices=Enrichment.choices, blank=True, default="", editable=False)
    enriched_at = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(default=True)
    key = models.CharField(max_length=520, unique=True, editable=False)
    artist_key = models.CharField(max_length=200, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["artist", "title"]
        indexes = [
            models.Index(fields=["quadrant", "id"], condition=Q(active=True), name="music_song_active_quadrant"),
            # The admin list at 100k songs: its default order, the era filter, and the review queue
            # (machine tags not yet reviewed, least confident first).
            models.Index(fields=["artist", "title"], name="music_song_artist_title"),
            models.Index(fields=["year"], name="music_song_year"),
            models.Index(fields=["tag_source", "tags_reviewed", "tag_confidence"], name="music_song_review_queue"),
            models.Index(fields=["spotify_id"], condition=~Q(spotify_id=""), name="music_song_spotify"),
            *weight_indexes("music_song_w_"),
            # "The best songs for sadness in folk": a listener's favourite genres, at any catalog size.
            *weight_indexes("music_song_g_", F("genre")),
        ]

    def __str__(self) -> str:
        return f"{self.artist} – {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.refresh_derived()
        super().save(*args, **kwargs)

    def refresh_derived(self) -> None:
        """Recompute the key, the artist key and (unless set by hand) valence/arousal and quadrant."""
        self.key = song_key(self.artist, self.title)
        self.artist_key = self.key.split("\x1f", 1)[0][:200]
        if not self.va_manual:
            self.valence, self.arousal = va_from_tags(self.emotions or {})
        self.quadrant = quadrant_of(self.valence, self.arousal)

    def clean(self) -> None:
        self.refresh_derived()
        clash = Song.objects.filter(key=self.key).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError(f"{clash.first()} is already in the catalog (same artist and title).")

    @property
    def needs_review(self) -> bool:
        return self.tag_source in MACHINE_TAG_SOURCES and not self.tags_reviewed

    @property
    def genres(self) -> tuple[str, ...]:
        """The genre and its parents, broadest first: ("rock", "metal"); () when none."""
        return self.genre.names if self.genre_id else ()

    @property
    def era(self) -> int | None:
        """The decade: 1987 -> 1980."""
        return self.year // 10 * 10 if self.year else None

    @property
    def energy(self) -> float:
        """Energy is the arousal axis of the valence/arousal point (-1 calm .. 1 energetic)."""
        return self.arousal

    @property
    def youtube_url(self) -> str:
        return self.links["youtube"]

    @property
    def spotify_url(self) -> str:
        return self.links["spotify"]

    @property
    def provider_ids(self) -> dict[str, str]:
        return {name: getattr(self, p.field) for name, p in providers.PROVIDERS.items() if getattr(self, p.field)}

    @property
    def links(self) -> dict[str, str]:
        """The song's page on each provider: its track when the id is known, else a search (YouTube, Spotify)."""
        links = providers.search_links(self.artist, self.title)
        links.update({name: providers.PROVIDERS[name].link(track_id) for name, track_id in self.provider_ids.items()})
        if self.preview_url:
            links["preview"] = self.preview_url
        return links

    @property
    def embeds(self) -> dict[str, str]:
        """Embedded players, YouTube first: what the player loads, on a click, when there is no preview."""
        return {
            name: providers.embed_url(name, self.provider_ids[name])
            for name in ("youtube", "spotify")
            if name in self.provider_ids
        }

    @property
    def embed(self) -> tuple[str, str] | None:
        """(provider label, embed URL) of the player to load on a click, or None."""
        for name, url in self.embeds.items():
            return providers.PROVIDERS[name].label, url
        return None

    @property
    def mood(self) -> str:
        """The emotion the song suits best (its placeholder colour), "neutral" when untagged."""
        tops = self.top_emotions
        return tops[0][0] if tops else "neutral"

    @property
    def top_emotions(self) -> list[tuple[str, float]]:
        return sorted((self.emotions or {}).items(), key=lambda kv: (-kv[1], EMOTIONS.index(kv[0])))
