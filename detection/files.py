"""Stored image files: deleting them, when their time is up, and a user's folder. Never raises: a file that is already
gone is the state we want."""

import logging
import os
from collections.abc import Sequence
from datetime import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from . import store
from .models import CheckIn, CheckInFrame, user_folder

logger = logging.getLogger(__name__)


def files_delete(names: Sequence[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # A file that is already gone is the state we want; anything else is
            # logged, never raised, so a disk hiccup cannot undo a finished analysis.
            logger.warning("Could not delete stored image %s", name, exc_info=True)


def user_folder_remove(user_id: int) -> None:
    try:
        os.rmdir(default_storage.path(user_folder(user_id)))
    except (NotImplementedError, FileNotFoundError):
        pass  # storage without local folders, or the user never stored an image
    except OSError:
        logger.warning("Could not remove the image folder of user %s", user_id, exc_info=True)


def user_files_delete(user) -> None:
    """Data rights: remove every stored image of the user, and their folder (rows go by cascade)."""
    names = list(CheckInFrame.objects.filter(check_in__owner=user).values_list("image", flat=True))
    pending = CheckIn.objects.filter(owner=user).exclude(image_keys=[]).values_list("image_keys", flat=True)
    keys = [key for check_in_keys in pending for key in check_in_keys]
    user_id = user.pk
    # After the account deletion commits: if it rolls back, the user keeps their files too.
    transaction.on_commit(lambda: (files_delete(names), store.images_delete(keys), user_folder_remove(user_id)))


def purge_expired_images(*, now: datetime | None = None) -> int:
    """Delete kept images whose time is up. Returns how many files were removed."""
    now = now or timezone.now()
    removed = 0
    expired = CheckIn.objects.filter(image_expires_at__lte=now).values_list("pk", flat=True)
    for check_in_id in list(expired):
        with transaction.atomic():
            frames = CheckInFrame.objects.select_for_update().filter(check_in_id=check_in_id)
            names = list(frames.values_list("image", flat=True))
            frames.delete()
            CheckIn.objects.filter(pk=check_in_id).update(image_expires_at=None)
            transaction.on_commit(lambda names=names: files_delete(names))
        removed += len(names)
    # And what abandoned check-ins left in a store that does not expire images itself.
    store.images_purge_expired()
    return removed
