import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Length, NullIf
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.formats import date_format

from ml.calibration import NOT_SURE_BELOW
from ml.labels import EMOTIONS
from ml.text import TEXT_MAX_CHARS
from music.library.models import Recommendation

from . import fusion

EMOTION_CHOICES = [(name, name) for name in EMOTIONS]
# Below this (calibrated) confidence the result page says it is not sure and asks the user.
LOW_CONFIDENCE = NOT_SURE_BELOW


def manual_distribution(emotion: str) -> dict[str, float]:
    """A hand-picked mood is what it is: the chosen emotion at 1.0, every other at 0 (no made-up spread)."""
    return {name: (1.0 if name == emotion else 0.0) for name in EMOTIONS}


def user_folder(user_id: int) -> str:
    """Where one user's face images live in storage: together, for deletion."""
    return f"faces/{user_id}"


def frame_upload_to(instance: "CheckInFrame", filename: str) -> str:
    # Random names: a guessed path reveals nothing.
    return f"{user_folder(instance.check_in.owner_id)}/{uuid.uuid4().hex}.jpg"


class CheckInKind(models.TextChoices):
    UPLOAD = "upload", "Photo upload"
    WEBCAM = "webcam", "Webcam burst"
    MANUAL = "manual", "Picked by hand"
    WORDS = "words", "Said in words"


class CheckInStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Analysing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class AnalysedOn(models.TextChoices):
    SERVER = "server", "On our server"
    # The browser found and read the faces itself and sent only the results: no image came here.
    DEVICE = "device", "On the user's device"


# A check-in in one of these has its final answer and changes no more.
FINISHED_STATUSES = (CheckInStatus.DONE, CheckInStatus.FAILED)


def effective_emotion() -> Coalesce:
    """The mood of a check-in, in SQL: the user's correction wins over the detected emotion.

    The one definition of that rule for queries; CheckIn.effective_emotion is its Python twin."""
    return Coalesce(NullIf("corrected_emotion", Value("")), "top_emotion")


class CheckInQuerySet(models.QuerySet):
    def with_effective_emotion(self) -> "CheckInQuerySet":
        """Annotate each row with `effective` (see effective_emotion())."""
        return self.annotate(effective=effective_emotion())

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete these check-ins and the song lists made for them (their feedback stays: the user's taste).
        The link is ours (CheckInRecommendation), so no foreign key cascades from a check-in to its lists."""
        with transaction.atomic(using=self.db):
            lists = _lists_delete(CheckInRecommendation.objects.filter(check_in__in=self))
            return _counts_add(lists, super().delete())


def _lists_delete(links: QuerySet) -> tuple[int, dict[str, int]]:
    return Recommendation.objects.filter(pk__in=links.values("recommendation_id")).delete()


def _counts_add(*results: tuple[int, dict[str, int]]) -> tuple[int, dict[str, int]]:
    """Two QuerySet.delete() answers as one: (rows in all, {model label: rows})."""
    per_model: dict[str, int] = {}
    for _, counts in results:
        for label, count in counts.items():
            per_model[label] = per_model.get(label, 0) + count
    return sum(total for total, _ in results), per_model


class CheckIn(models.Model):
    Kind = CheckInKind
    Status = CheckInStatus
    AnalysedOn = AnalysedOn

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, default="")
    analysed_on = models.CharField(max_length=10, choices=AnalysedOn.choices, default=AnalysedOn.SERVER)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker started the analysis: >1 after a re-delivery.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Aggregated 8-emotion distribution {name: probability} of the face that is "you".
    emotions = models.JSONField(null=True, blank=True)
    top_emotion = models.CharField(max_length=20, choices=EMOTION_CHOICES, blank=True, default="")
    confidence = models.FloatField(null=True, blank=True)
    corrected_emotion = models.CharField(max_length=20, choices=EMOTION_CHOICES, blank=True, default="")
    # Which face is "you": the largest unless the user picked another.
    selected_face = models.ForeignKey("FaceResult", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Pixel size of the analysed image (after EXIF orientation): face boxes are in these coordinates.
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    # Set only when the user keeps images; the periodic purge deletes them after it.
    image_expires_at = models.DateTimeField(null=True, blank=True)
    # Keys of the uploaded images in detection.store while the analysis is pending; emptied when it
    # ends (the images are deleted then, or kept as CheckInFrame files if the owner keeps images).
    image_keys = models.JSONField(default=list, blank=True)
    # What the user wrote ("Say it in words"), unless they chose not to keep it (then only the
    # readings below are stored). Personal data: shown in the history, exported, deleted with the rest.
    text = models.TextField(blank=True, default="")
    # The separate readings when words were given: {"words": {emotions, top, confidence, asks}} and,
    # for a selfie with words, {"face": {...}}; `emotions` then holds their fusion (detection.fusion).
    readings = models.JSONField(default=dict, blank=True)
    # The song lists made for it, through a link of ours so that the schema points down the floors
    # (detection uses music; music knows no check-in). A correction makes another: the latest counts.
    recommendations = models.ManyToManyField(
        "music.Recommendation", through="CheckInRecommendation", related_name="+", blank=True
    )

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="detection_checkin_owner_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CheckInKind.values), name="check_in_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=CheckInStatus.values), name="check_in_status_valid"),
            models.CheckConstraint(condition=Q(analysed_on__in=AnalysedOn.values), name="check_in_analysed_on_valid"),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                name="check_in_confidence_range",
            ),
            # A finished analysis always has a result; a failed one always says why.
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(emotions__isnull=False) & ~Q(top_emotion="")),
                name="check_in_done_has_result",
            ),
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""), name="check_in_failed_has_error"),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=F("created_at")),
                name="check_in_finishes_after_creation",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), TEXT_MAX_CHARS), name="check_in_text_length"
            ),
        ]

    def __str__(self) -> str:
        return f"CheckIn {self.pk} ({self.kind}, {self.status})"

    @property
    def effective_emotion(self) -> str:
        """What history and recommendations use: the user's correction wins (as in effective_emotion())."""
        return self.corrected_emotion or self.top_emotion

    @property
    def effective_distribution(self) -> dict[str, float] | None:
        """The mix of moods songs should follow: a correction counts as that mood, picked by hand."""
        if self.corrected_emotion:
            return manual_distribution(self.corrected_emotion)
        return self.emotions

    @property
    def label(self) -> str:
        """How pages name a check-in to its owner, e.g. in "Deleted your check-in of Mon 7 Dec 2026, 14:05 (sadness)"."""
        when = date_format(timezone.localtime(self.created_at), "D j M Y, H:i")
        return f"{when} ({self.effective_emotion})" if self.effective_emotion else when

    @property
    def mood_said(self) -> bool:
        """The mood came from the user (picked by hand or corrected), not read from a face."""
        return self.kind == CheckInKind.MANUAL or bool(self.corrected_emotion)

    @property
    def photo_looked(self) -> str:
        """What the photo looked like when the user corrected it; empty when there is nothing to set against."""
        return self.top_emotion if self.corrected_emotion and self.kind != CheckInKind.MANUAL else ""

    @property
    def read_from(self) -> str:
        """What the mood was read from: "words", "face and words", "face", or "" (picked by hand)."""
        if self.kind == CheckInKind.MANUAL:
            return ""
        if self.kind == CheckInKind.WORDS:
            return "words"
        return "face and words" if "words" in self.readings else "face"

    @property
    def disagreement(self) -> str:
        """ "Your face looks calm; your words sound anxious." for a selfie with words that differ, else ""."""
        if "face" not in self.readings or "words" not in self.readings:
            return ""
        return fusion.disagreement(self.readings["face"], self.readings["words"])

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_low_confidence(self) -> bool:
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE and not self.corrected_emotion

    def delete(self, *args, **kwargs) -> tuple[int, dict[str, int]]:
        """Delete the check-in and its song lists (as CheckInQuerySet.delete does)."""
        with transaction.atomic():
            lists = _lists_delete(CheckInRecommendation.objects.filter(check_in=self))
            return _counts_add(lists, super().delete(*args, **kwargs))


class CheckInRecommendation(models.Model):
    """A song list made for a check-in: music's list, linked from here (CheckIn.recommendations)."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="+")
    recommendation = models.OneToOneField(Recommendation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["check_in", "recommendation"]

    def __str__(self) -> str:
        return f"List {self.recommendation_id} of check-in {self.check_in_id}"


class CheckInFrame(models.Model):
    """One stored image: the photo of an upload, or one frame of a webcam burst.

    Stored sanitised (re-encoded JPEG without EXIF/GPS) in private storage, and
    deleted right after analysis unless the owner keeps images.
    """

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="frames")
    index = models.PositiveSmallIntegerField()
    image = models.FileField(upload_to=frame_upload_to)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["check_in", "index"]
        constraints = [models.UniqueConstraint(fields=["check_in", "index"], name="frame_unique_index")]

    def __str__(self) -> str:
        return f"Frame {self.index} of check-in {self.check_in_id}"


class FaceResult(models.Model):
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="faces")
    frame_index = models.PositiveSmallIntegerField(default=0)
    x = models.PositiveIntegerField()
    y = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    probabilities = models.JSONField()
    top_emotion = models.CharField(max_length=20, choices=EMOTION_CHOICES)
    confidence = models.FloatField()

    class Meta:
        ordering = ["check_in", "frame_index", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(width__gt=0, height__gt=0), name="face_box_not_empty"),
            models.CheckConstraint(condition=Q(confidence__gte=0, confidence__lte=1), name="face_confidence_range"),
        ]

    def __str__(self) -> str:
        return f"Face {self.box} in check-in {self.check_in_id}"

    @property
    def box(self) -> list[int]:
        return [self.x, self.y, self.width, self.height]

    @property
    def area(self) -> int:
        return self.width * self.height


class PendingImage(models.Model):
    """An image on its way to a worker, for the "database" image store (detection.store): a row that
    lives seconds, or until expires_at, when the periodic purge removes it."""

    key = models.CharField(max_length=80, unique=True)
    data = models.BinaryField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["expires_at"]

    def __str__(self) -> str:
        return f"Pending image {self.key}"
