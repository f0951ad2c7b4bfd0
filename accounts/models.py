from django.contrib.auth.models import AbstractUser
from django.db import models

from accounts.consent import CONSENT_VERSION
from accounts.goals import GOAL_LABELS

# Goal.MATCH, Goal.LIFT, ...: the choices made from accounts.goals, the one list.
Goal = models.TextChoices("Goal", [(name.upper(), (name, label)) for name, label in GOAL_LABELS.items()])


class User(AbstractUser):
    email = models.EmailField("email address", unique=True)
    goal = models.CharField(max_length=20, choices=Goal.choices, default=Goal.MATCH_THEN_LIFT)
    keep_images = models.BooleanField(
        default=False, help_text="Keep my face images after analysis (otherwise deleted right away)."
    )
    # Face analysis in the browser (the picture never leaves the device) instead of on our server.
    analyse_on_device = models.BooleanField(
        default=False, help_text="Analyse my face in this browser: only the results are sent, never the picture."
    )
    # The consent text version the user agreed to; blank = no consent given.
    consent_version = models.CharField(max_length=20, blank=True, default="")
    consent_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractUser.Meta):
        ordering = ["id"]
        swappable = "AUTH_USER_MODEL"

    @property
    def has_current_consent(self) -> bool:
        return self.consent_version == CONSENT_VERSION

    @property
    def keeps_images(self) -> bool:
        """Face images are kept only while the user asks for it and consents to face analysis."""
        return self.keep_images and self.has_current_consent
