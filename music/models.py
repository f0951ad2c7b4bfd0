import re
import unicodedata
from urllib.parse import quote_plus

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import FloatField, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from accounts.models import Goal
from music.emotions import EMOTIONS, QUADRANTS, quadrant_of, va_from_tags


def song_key(artist: str, title: str) -> str:
    """The identity of a song: artist and title, ignoring case, spacing and Unicode width forms."""

    def norm(text: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()

    return f"{norm(artist)}\x1f{norm(title)}"


def emotion_weight(name: str):
    """SQL expression for one tag weight; the same expression backs the per-emotion indexes."""
    return Cast(KeyTextTransform(name, "emotions"), FloatField())


class Song(models.Model):
    title = models.CharField(max_length=300)
    artist = models.CharField(max_length=200)
    album = models.CharField(max_length=300, blank=True, default="")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    genre = models.CharField(max_length=60, blank=True, default="", db_index=True)
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
    active = models.BooleanField(default=True)
    key = models.CharField(max_length=520, unique=True, editable=False)
    artist_key = models.CharField(max_length=200, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["artist", "title"]
        indexes = [
            models.Index(fields=["quadrant", "id"], condition=Q(active=True), name="music_song_active_quadrant"),
            *[
                models.Index(emotion_weight(name).desc(), condition=Q(active=True), name=f"music_song_w_{name}")
                for name in EMOTIONS
            ],
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
    def youtube_url(self) -> str:
        return "https://www.youtube.com/results?search_query=" + quote_plus(f"{self.artist} {self.title}")

    @property
    def spotify_url(self) -> str:
        return "https://open.spotify.com/search/" + quote_plus(f"{self.artist} {self.title}").replace("+", "%20")

    @property
    def links(self) -> dict[str, str]:
        links = {"youtube": self.youtube_url, "spotify": self.spotify_url}
        if self.preview_url:
            links["preview"] = self.preview_url
        return links

    @property
    def top_emotions(self) -> list[tuple[str, float]]:
        return sorted((self.emotions or {}).items(), key=lambda kv: (-kv[1], EMOTIONS.index(kv[0])))


class FeedbackKind(models.TextChoices):
    LIKE = "like", "Like"
    DISLIKE = "dislike", "Dislike"
    PLAYED = "played", "Played"
    SKIPPED = "skipped", "Skipped"


class Recommendation(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendations")
    # The selfie this list answered; null for a mood picked by hand. Deleting the
    # submission deletes its lists (their feedback stays, as the user's taste).
    submission = models.ForeignKey(
        "detection.Submission", null=True, blank=True, on_delete=models.CASCADE, related_name="recommendations"
    )
    goal = models.CharField(max_length=20)
    emotions = models.JSONField(help_text="The input distribution, {emotion: probability}.")
    seed = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="music_rec_user_recent")]

    def __str__(self) -> str:
        return f"Recommendation {self.pk} for {self.user}"

    @property
    def goal_label(self) -> str:
        return dict(Goal.choices).get(self.goal, self.goal)

    @property
    def top_emotion(self) -> str:
        return max(EMOTIONS, key=lambda name: self.emotions.get(name, 0.0))


class RecommendationItem(models.Model):
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="items")
    rank = models.PositiveSmallIntegerField()
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    explanation = models.CharField(max_length=300)

    class Meta:
        ordering = ["recommendation", "rank"]
        constraints = [models.UniqueConstraint(fields=["recommendation", "rank"], name="music_item_unique_rank")]

    def __str__(self) -> str:
        return f"#{self.rank} {self.song}"


class Feedback(models.Model):
    """One listening event. The log the recommender's "played recently" and "skipped" signals read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="song_feedback")
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(max_length=10, choices=FeedbackKind.choices)
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="music_feedback_user_recent")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.song}"


class Rating(models.Model):
    """The current like (+1) or dislike (-1) of a song by a user: the latest of those feedback events.

    Kept apart from the event log so "my likes", "never a disliked song" and the co-occurrence
    query read one row per (user, song) instead of replaying events.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="song_ratings")
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="ratings")
    value = models.SmallIntegerField(choices=[(1, "like"), (-1, "dislike")])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "song"], name="music_rating_unique_user_song")]
        indexes = [
            # Co-occurrence: who else liked these songs, and what else did they like.
            models.Index(fields=["song", "value", "user"], name="music_rating_song_value_user"),
            models.Index(fields=["user", "value", "-updated_at", "song"], name="music_rating_user_value_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {'likes' if self.value > 0 else 'dislikes'} {self.song}"


class Playlist(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlists")
    name = models.CharField(max_length=120)
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.SET_NULL, null=True, blank=True, related_name="playlists"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class PlaylistItem(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["playlist", "position"]
        constraints = [models.UniqueConstraint(fields=["playlist", "position"], name="music_playlist_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.song}"
