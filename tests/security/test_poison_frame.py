"""On the real stack: a frame that kills its worker every time fails after the attempt cap (audit finding M5)."""

import os
import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from detection.models import CheckIn
from detection.tests import images
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.integration


def test_a_poison_frame_that_kills_its_worker_fails_instead_of_looping(celery_workers, settings):
    if not settings.EMOTION_MODEL_PATH.exists():
        pytest.skip("the emotion model is not installed")
    workers = celery_workers(count=1, concurrency=1)
    client = APIClient()
    client.force_authenticate(UserFactory(consented=True))
    frames = [
        SimpleUploadedFile(f"f{i}.jpg", images.face_jpeg(), "image/jpeg") for i in range(settings.MAX_BURST_FRAMES)
    ]
    created = client.post("/api/v1/checkins/", {"frames": frames}, format="multipart").json()

    def running_attempt(n):
        return CheckIn.objects.filter(pk=created["id"], status=CheckIn.Status.RUNNING, attempts=n).exists()

    # The poison: whatever pool process starts on this check_in dies at once (SIGKILL), every time.
    killed = []
    for attempt in range(1, settings.ANALYSIS_MAX_ATTEMPTS + 1):
        wait_until(lambda a=attempt: running_attempt(a), timeout=90, interval=0.005, message=workers.logs)
        for pid in workers.child_pids():
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    check_in = wait_until(
        lambda: CheckIn.objects.filter(pk=created["id"], status=CheckIn.Status.FAILED).first(),
        timeout=90,
        message=workers.logs,
    )
    assert check_in.attempts == settings.ANALYSIS_MAX_ATTEMPTS
    assert "stopped" in check_in.error
    assert not check_in.frames.exists() and images.stored_files() == []
    assert len(killed) == settings.ANALYSIS_MAX_ATTEMPTS
    assert workers.workers[0].process.poll() is None, "the worker itself carries on"
