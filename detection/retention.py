"""Face images after the user's choices: stop keeping images, withdraw consent, export them
(data-rights hooks, registered in detection.apps)."""

from django.db import transaction

from . import files
from .messages import CONSENT_GONE
from .models import FINISHED_STATUSES, CheckIn, CheckInFrame
from .services import check_in_fail


def user_images_forget(user, *, cancel_pending: bool) -> None:
    """Data rights: the user stopped keeping images (or withdrew consent): delete the kept ones.

    With cancel_pending (consent withdrawn), analyses not yet run are failed and their
    images deleted too; otherwise they run, and their images go when they finish.
    """
    with transaction.atomic():
        if cancel_pending:
            pending = CheckIn.objects.filter(
                owner=user, status__in=(CheckIn.Status.QUEUED, CheckIn.Status.RUNNING)
            ).values_list("pk", flat=True)
            for check_in_id in list(pending):
                check_in_fail(check_in_id, CONSENT_GONE, release_images=True)
        kept = CheckInFrame.objects.filter(check_in__owner=user, check_in__status__in=FINISHED_STATUSES)
        names = list(kept.values_list("image", flat=True))
        kept.delete()
        CheckIn.objects.filter(owner=user, image_expires_at__isnull=False).update(image_expires_at=None)
        transaction.on_commit(lambda: files.files_delete(names))


def user_image_files(user) -> list[tuple[str, str]]:
    """Data rights: the kept images, as (name in the export archive, storage name)."""
    frames = CheckInFrame.objects.filter(check_in__owner=user).order_by("check_in_id", "index")
    return [(f"check-in-{f.check_in_id}-frame-{f.index}.jpg", f.image.name) for f in frames]
