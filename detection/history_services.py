"""Mood history writes: forgetting one session, or the whole history.

The song lists made for a session go with it (Recommendation.submission cascades); feedback
events and likes stay: they are the user's music taste, kept on "My likes"."""

from django.db import transaction

from . import services
from .models import Submission


def history_session_delete(*, session: Submission) -> None:
    """Delete one session: the submission, its stored images and its song lists."""
    services.submission_delete(submission=session)


def history_delete(*, user) -> int:
    """Delete every session of the user (files after commit); returns how many submissions went."""
    with transaction.atomic():
        services.user_files_delete(user)
        _, per_model = Submission.objects.filter(owner=user).delete()
    return per_model.get(Submission._meta.label, 0)
