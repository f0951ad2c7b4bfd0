"""Hand-built history data for the mood history tests: check-ins at exact times, with songs and feedback."""

from datetime import datetime

from django.core.files.base import ContentFile

from detection.models import CheckIn, CheckInFrame, manual_distribution
from detection.tests.factories import CheckInFactory
from music.library.services import feedback_create
from music.models import Feedback, Recommendation, RecommendationItem
from music.tests.factories import SongFactory


def check_in_at(
    user,
    when: datetime,
    emotion: str = "happiness",
    *,
    confidence: float = 0.8,
    corrected: str = "",
    goal: str | None = None,
    songs=(),
    feedback: dict | None = None,
    stored_image: bool = False,
) -> CheckIn:
    """A finished check-in of `user` at `when` (aware), optionally with a song list and feedback.

    `feedback` maps a song to a list of kinds given on it in this check-in."""
    check_in = CheckInFactory(
        owner=user,
        done=True,
        top_emotion=emotion,
        emotions=manual_distribution(emotion),
        confidence=confidence,
        corrected_emotion=corrected,
    )
    # created_at is auto_now_add: set the time afterwards.
    CheckIn.objects.filter(pk=check_in.pk).update(created_at=when, finished_at=when)
    check_in.refresh_from_db()
    if stored_image:
        frame = CheckInFrame(check_in=check_in, index=0, width=4, height=4)
        frame.image.save("frame.jpg", ContentFile(b"\xff\xd8 not really a jpeg"), save=False)
        frame.save()
    if goal is not None:
        rec = Recommendation.objects.create(user=user, goal=goal, emotions=manual_distribution(emotion), seed=1)
        check_in.recommendations.add(rec)
        Recommendation.objects.filter(pk=rec.pk).update(created_at=when)
        songs = list(songs) or [SongFactory()]
        RecommendationItem.objects.bulk_create(
            RecommendationItem(recommendation=rec, rank=rank, song=song, score=1.0, explanation="test")
            for rank, song in enumerate(songs, start=1)
        )
        for song, kinds in (feedback or {}).items():
            for kind in kinds:
                item = feedback_create(user=user, song=song, kind=kind, recommendation=rec)
                Feedback.objects.filter(pk=item.pk).update(created_at=when)
    return check_in
