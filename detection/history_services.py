"""Mood history writes: forgetting one session, or the whole history."""

from django.db import transaction

from music.models import Recommendation

from . import services
from .models import Submission


def history_session_delete(*, session: Submission) -> None:
    """Delete one session: the submission (its stored images too) and the song lists made for it.

    Feedback events and likes stay: they are the user's music taste, kept on "My likes"."""
    with transaction.atomic():
        # Recommendation.submission_id is a plain column, not a cascading foreign key.
        Recommendation.objects.filter(user_id=session.owner_id, submission_id=session.pk).delete()
        services.submission_delete(submission=session)


def history_delete(*, user) -> int:
    """Delete every session of the user (files after commit); returns how many submissions went."""
    with transaction.atomic():
        services.user_files_delete(user)
        Recommendation.objects.filter(user=user, submission_id__isnull=False).delete()
        deleted = Submission.objects.filter(owner=user).count()
        Submission.objects.filter(owner=user).delete()
    return deleted
