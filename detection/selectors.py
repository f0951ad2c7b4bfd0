"""Reads of submissions, always scoped to their owner."""

import time

from django.db.models import Prefetch, QuerySet

from music.models import Recommendation
from music.selectors import items_with_songs

from .models import FaceResult, Submission


def submission_list(*, user) -> QuerySet[Submission]:
    """The user's own submissions, newest first."""
    return Submission.objects.filter(owner=user).prefetch_related(
        Prefetch("faces", queryset=FaceResult.objects.order_by("frame_index", "id")), "frames"
    )


def submission_get(*, user, submission_id) -> Submission | None:
    """One of the user's submissions, or None: another user's is indistinguishable from a missing one."""
    if not user.is_authenticated:
        return None
    return submission_list(user=user).filter(pk=submission_id).first()


MAX_WAIT_S = 20.0
WAIT_POLL_S = 0.05


def submission_wait_finished(*, submission_id: int, timeout: float) -> bool:
    """Block until the submission is done or failed, at most `timeout` seconds; True if it is."""
    finished = (Submission.Status.DONE, Submission.Status.FAILED)
    deadline = time.monotonic() + min(timeout, MAX_WAIT_S)
    while True:
        if Submission.objects.filter(pk=submission_id, status__in=finished).exists():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(WAIT_POLL_S)


def submission_recommendation(submission: Submission) -> Recommendation | None:
    """The latest recommendation made for this submission, with its songs, or None."""
    return (
        Recommendation.objects.filter(submission_id=submission.pk)
        .prefetch_related(items_with_songs())
        .order_by("-created_at", "-id")
        .first()
    )


def submission_export(*, user) -> list[dict]:
    """Data rights: every submission and face result of the user, without image bytes."""
    return [
        {
            "id": s.pk,
            "kind": s.kind,
            "status": s.status,
            "error": s.error,
            "created_at": s.created_at.isoformat(),
            "finished_at": s.finished_at.isoformat() if s.finished_at else None,
            "emotions": s.emotions,
            "top_emotion": s.top_emotion or None,
            "confidence": s.confidence,
            "corrected_emotion": s.corrected_emotion or None,
            "stored_images": s.frames.count(),
            "image_expires_at": s.image_expires_at.isoformat() if s.image_expires_at else None,
            "faces": [
                {"frame": f.frame_index, "box": f.box, "emotions": f.probabilities, "top_emotion": f.top_emotion}
                for f in s.faces.all()
            ],
        }
        for s in submission_list(user=user)
    ]
