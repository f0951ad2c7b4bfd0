"""Kept images go as soon as the user stops keeping them or withdraws consent, and a
queued analysis does not run after consent is withdrawn.

Audit finding L2.
"""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from detection import tasks
from detection.models import CheckIn, CheckInFrame, FaceResult
from detection.tests import images
from detection.tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db


def kept(owner, **fields) -> CheckIn:
    check_in = CheckInFactory(owner=owner, **fields)
    frame = CheckInFrame(check_in=check_in, index=0, width=512, height=512)
    frame.image.save("frame.jpg", ContentFile(images.face_jpeg()), save=False)
    frame.save()
    return check_in


@pytest.fixture
def keeper(alice):
    alice.keep_images = True
    alice.save()
    return alice


def image_status(client, check_in) -> int:
    return client.get(f"/api/v1/checkins/{check_in.pk}/image/").status_code


def test_switching_keep_images_off_deletes_the_kept_images(keeper, django_capture_on_commit_callbacks):
    check_in = kept(keeper, done=True)
    api = APIClient()
    api.force_authenticate(keeper)
    assert image_status(api, check_in) == 200

    with django_capture_on_commit_callbacks(execute=True):
        assert api.patch("/api/v1/me/", {"keep_images": False}, format="json").status_code == 200

    assert image_status(api, check_in) == 404
    assert images.stored_files() == []
    check_in.refresh_from_db()
    assert check_in.image_expires_at is None


def test_the_profile_page_switch_deletes_them_too(keeper, django_capture_on_commit_callbacks):
    kept(keeper, done=True)
    page = Client()
    page.force_login(keeper)
    with django_capture_on_commit_callbacks(execute=True):
        page.post("/accounts/profile/", {"email": keeper.email, "goal": keeper.goal, "password": PASSWORD})
    assert images.stored_files() == []


def test_withdrawing_consent_deletes_kept_images_and_cancels_pending_analyses(
    keeper, django_capture_on_commit_callbacks
):
    done = kept(keeper, done=True)
    queued = kept(keeper)
    page = Client()
    page.force_login(keeper)

    with django_capture_on_commit_callbacks(execute=True):
        page.post("/accounts/consent/withdraw/")

    assert images.stored_files() == []
    done.refresh_from_db()
    queued.refresh_from_db()
    assert done.status == CheckIn.Status.DONE
    assert queued.status == CheckIn.Status.FAILED
    assert "consent" in queued.error.lower()


def test_a_queued_analysis_does_not_run_once_consent_is_gone(alice, django_capture_on_commit_callbacks):
    queued = kept(alice)
    # Withdrawn between the upload and the worker picking the task up.
    alice.consent_version = ""
    alice.consent_at = None
    alice.save()

    with django_capture_on_commit_callbacks(execute=True):
        tasks.check_in_analyze_task.apply(args=[queued.pk])

    queued.refresh_from_db()
    assert queued.status == CheckIn.Status.FAILED
    assert "consent" in queued.error.lower()
    assert not FaceResult.objects.filter(check_in=queued).exists()
    assert images.stored_files() == []
