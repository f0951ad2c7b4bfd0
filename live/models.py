"""A live session: one stretch of listening in live mode, with the readings taken during it."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Goal
from ml.labels import EMOTIONS

# A session ends this long after it started (or was last renewed): nobody is filmed for ever by a
# tab left open.
SESSION_LENGTH = timedelta(minutes=60)
# The minutes between readings a listener may choose, and the default.
INTERVAL_CHOICES = [(2, "Every 2 minutes"), (5, "Every 5 minutes"), (10, "Every 10 minutes")]
DEFAULT_INTERVAL = 5


class Outcome(models.TextChoices):
    MOVED = "moved", "The queue adapted"
    UNCHANGED = "unchanged", "Nothing to change"
    NOT_SURE = "not_sure", "Not sure"


class LiveSession(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_sessions")
    goal = models.CharField(max_length=20, choices=Goal.choices)
    interval_minutes = models.PositiveSmallIntegerField(choices=INTERVAL_CHOICES, default=DEFAULT_INTERVAL)
    # The list playing when live mode started: the first queue, and the mood it was made for.
    recommendation = models.ForeignKey(
        "music.Recommendation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    # Set when the listener stops live mode; a session that ran out has only ends_at.
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["owner", "-started_at"], name="live_session_owner_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(goal__in=Goal.values), name="live_session_goal_valid"),
            models.CheckConstraint(
                condition=Q(interval_minutes__in=[m for m, _ in INTERVAL_CHOICES]), name="live_session_interval_valid"
            ),
            models.CheckConstraint(condition=Q(ends_at__gte=F("started_at")), name="live_session_ends_after_start"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="live_session_stops_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Live session {self.pk} ({self.goal})"

    def is_active(self, now=None) -> bool:
        return self.ended_at is None and (now or timezone.now()) < self.ends_at

    @property
    def active(self) -> bool:
        return self.is_active()

    @property
    def finished_at(self):
        """When it stopped: by the listener, or by running out (None while it runs)."""
        if self.ended_at is not None:
            return self.ended_at
        return self.ends_at if not self.is_active() else None

    @property
    def interval_seconds(self) -> int:
        """Seconds between readings: the listener's choice, unless LIVE_INTERVAL_SECONDS (tests, demos) says."""
        return settings.LIVE_INTERVAL_SECONDS or self.interval_minutes * 60


class LiveReading(models.Model):
    """One reading of the mood during a session, and what the queue did about it.

    The mood is copied from its check-in, so an on-device reading (no check-in, no image) can be
    stored the same way, and the session's path survives the check-in's deletion."""

    Outcome = Outcome

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="readings")
    check_in = models.OneToOneField(
        "detection.CheckIn", null=True, blank=True, on_delete=models.SET_NULL, related_name="live_reading"
    )
    taken_at = models.DateTimeField()
    emotions = models.JSONField(null=True, blank=True, help_text="Null when no face was read.")
    top_emotion = models.CharField(max_length=20, choices=[(n, n) for n in EMOTIONS], blank=True, default="")
    confidence = models.FloatField(null=True, blank=True)
    valence = models.FloatField(null=True, blank=True)
    arousal = models.FloatField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # What the queue was re-ranked for (an iso step from this reading); null unless it moved.
    target = models.JSONField(null=True, blank=True)
    target_valence = models.FloatField(null=True, blank=True)
    target_arousal = models.FloatField(null=True, blank=True)
    playing = models.ForeignKey("music.Song", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The songs queued after this reading (a list in the library); null unless it moved.
    recommendation = models.ForeignKey(
        "music.Recommendation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(max_length=300)

    class Meta:
        ordering = ["taken_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="live_reading_outcome_valid"),
            # A sure reading has a mood; a moved one has its target.
            models.CheckConstraint(
                condition=Q(outcome="not_sure") | Q(emotions__isnull=False, valence__isnull=False),
                name="live_reading_sure_has_mood",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="moved") | Q(target__isnull=False, target_valence__isnull=False),
                name="live_reading_moved_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"Reading {self.pk} of live session {self.session_id} ({self.outcome})"

    @property
    def sure(self) -> bool:
        return self.outcome != Outcome.NOT_SURE

    @property
    def point(self) -> tuple[float, float] | None:
        return (self.valence, self.arousal) if self.valence is not None else None

    @property
    def target_point(self) -> tuple[float, float] | None:
        return (self.target_valence, self.target_arousal) if self.target_valence is not None else None
