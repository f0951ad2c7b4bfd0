"""What listeners have: the lists they were given, their feedback and ratings, and their playlists."""

from django.conf import settings
from django.db import models

from accounts.models import Goal
from music.catalog.models import Genre, Song
from music.emotions import EMOTIONS


class FeedbackKind(models.TextChoices):
    LIKE = "like", "Like"
    DISLIKE = "dislike", "Dislike"
    PLAYED = "played", "Played"
    SKIPPED = "skipped", "Skipped"


class Recommendation(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendations")
    goal = models.CharField(max_length=20)
    emotions = models.JSONField(help_text="The input distribution, {emotion: probability}.")
    seed = models.BigIntegerField()
    # Said to the listener when the list is shorter than asked, e.g. because of the genres they avoid.
    note = models.CharField(max_length=300, blank=True, default="", db_default="")
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

    @property
    def songs(self) -> list["Song"]:
        return [item.song for item in self.items.all()]


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
    playlist = models.ForeignKey("Playlist", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Seconds into the song when the player sent the event; null for a button press.
    position = models.FloatField(null=True, blank=True)
    # Player events only: kind, song and list (or day), so a retried event is stored once.
    event_key = models.CharField(max_length=80, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="music_feedback_user_recent")]
        constraints = [models.UniqueConstraint(fields=["user", "event_key"], name="music_feedback_unique_event")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.song}"


class Rating(models.Model):
    """The current like (+1) or dislike (-1) of a song by a user: the latest of those feedback events.

    Kept apart from the event log so "my likes", "never a disliked song" and the co-occurrence
    query read one row per (user, song) instead of replaying events."""

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

    @property
    def songs(self) -> list[Song]:
        return [item.song for item in self.items.all()]


class PlaylistItem(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["playlist", "position"]
        constraints = [models.UniqueConstraint(fields=["playlist", "position"], name="music_playlist_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.song}"


class ListenerPreferences(models.Model):
    """What a listener said they like and never want (the warm start, issue 29): one row per user.

    Kept in the library rather than in accounts because it names catalogue genres and artists,
    which accounts must not know (accounts imports no app, and a foreign key points down the
    floors); like ratings, it is something the listener holds, and goes with the user by cascade.
    The row exists once onboarding was done or skipped (`onboarded_at`), so it is offered once."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="music_preferences")
    # Artist names as the catalogue spells them; matched to songs by artist key.
    likes_artists = models.JSONField(default=list, blank=True)
    era_from = models.PositiveSmallIntegerField(null=True, blank=True)
    era_to = models.PositiveSmallIntegerField(null=True, blank=True)
    onboarded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user"]
        verbose_name_plural = "listener preferences"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(era_from__isnull=True, era_to__isnull=True)
                | models.Q(era_from__isnull=False, era_to__isnull=False, era_from__lte=models.F("era_to")),
                name="music_prefs_era_range",
            )
        ]

    def __str__(self) -> str:
        return f"Preferences of {self.user}"

    @property
    def eras(self) -> list[int] | None:
        return None if self.era_from is None else [self.era_from, self.era_to]


class GenrePreference(models.Model):
    """A genre a listener likes, or avoids (then with its sub-genres: a hard filter)."""

    preferences = models.ForeignKey(ListenerPreferences, on_delete=models.CASCADE, related_name="genres")
    genre = models.ForeignKey(Genre, on_delete=models.CASCADE, related_name="+")
    avoid = models.BooleanField(default=False)

    class Meta:
        ordering = ["preferences", "avoid", "genre__path"]
        constraints = [models.UniqueConstraint(fields=["preferences", "genre"], name="music_genre_pref_unique")]

    def __str__(self) -> str:
        return f"{'avoids' if self.avoid else 'likes'} {self.genre}"
