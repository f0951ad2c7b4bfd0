"""Mood history writes: forgetting one session, or the whole history.

The song lists made for a session go with it (Recommendation.check_in cascades); feedback
events and likes stay: they are the user's music taste, kept on "My likes"."""

from django.db import transaction

from . import services
from .models import CheckIn


def history_session_delete(*, session: CheckIn) -> None:
    """Delete one session: the check-in, its stored images and its song lists."""
    services.check_in_delete(check_in=session)


def history_delete(*, user) -> int:
    """Delete every session of the user (files after commit); returns how many check-ins went."""
    with transaction.atomic():
        services.user_files_delete(user)
        _, per_model = CheckIn.objects.filter(owner=user).delete()
    return per_model.get(CheckIn._meta.label, 0)
