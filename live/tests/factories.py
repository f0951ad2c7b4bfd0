"""Readings and sessions for live mode's tests."""

from detection.models import CheckIn, manual_distribution
from live import services
from music.recommendation.services import recommendation_create


def webcam_check_in(user, emotion: str = "happiness", confidence: float = 0.9, created_at=None, **changes) -> CheckIn:
    """A finished webcam check-in, as the analysis leaves it (mostly `emotion`)."""
    emotions = {name: (0.3 if name == "neutral" else 0.0) for name in manual_distribution(emotion)}
    emotions[emotion] = 0.7 if emotion != "neutral" else 1.0
    values = dict(
        owner=user, kind=CheckIn.Kind.WEBCAM, status=CheckIn.Status.DONE, emotions=emotions, top_emotion=emotion,
        confidence=confidence,
    )  # fmt: skip
    check_in = CheckIn.objects.create(**{**values, **changes})
    return _finished(check_in, created_at) if check_in.is_finished else check_in


def _finished(check_in: CheckIn, created_at=None) -> CheckIn:
    # created_at is set on insert (auto_now_add): an earlier one is written afterwards.
    check_in.created_at = created_at or check_in.created_at
    check_in.started_at = check_in.finished_at = check_in.created_at
    check_in.save(update_fields=["created_at", "started_at", "finished_at"])
    return check_in


def failed_check_in(user) -> CheckIn:
    return _finished(
        CheckIn.objects.create(owner=user, kind=CheckIn.Kind.WEBCAM, status=CheckIn.Status.FAILED, error="no face")
    )


def live_session(user, emotion: str = "sadness", goal: str = "lift", **options):
    """A session started on a list made for `emotion` (stated by hand, as from the mood page)."""
    start = recommendation_create(user=user, emotions={emotion: 1.0}, goal=goal, seed=1)
    return services.session_start(user=user, recommendation=start, goal=goal, **options)


def reading(session, check_in, **options):
    return services.reading_record(
        session=session, mood=services.mood_from_check_in(check_in), check_in=check_in, **options
    )
