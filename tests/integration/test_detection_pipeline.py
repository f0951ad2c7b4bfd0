"""The detection pipeline on the real stack: PostgreSQL, Redis and Celery worker processes."""

import os
import signal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from detection.models import CheckIn, FaceResult
from detection.tests import images
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _model(model_required):
    """Every test here analyses real photos."""


def submit(files: dict) -> dict:
    client = APIClient()
    client.force_authenticate(UserFactory(consented=True))
    response = client.post("/api/v1/checkins/", files, format="multipart")
    assert response.status_code == 202, response.content
    return response.json()


def finished(check_in_id: int):
    check_in = CheckIn.objects.get(pk=check_in_id)
    return check_in if check_in.is_finished else None


def test_a_selfie_is_analysed_by_a_worker_process_and_read_as_happiness(celery_workers):
    workers = celery_workers(count=1, concurrency=1)

    created = submit({"image": SimpleUploadedFile("me.jpg", images.face_jpeg(), "image/jpeg")})

    check_in = wait_until(lambda: finished(created["id"]), timeout=60, message=workers.logs())
    assert check_in.status == CheckIn.Status.DONE, check_in.error
    assert check_in.top_emotion == "happiness"
    assert check_in.faces.count() == 1
    # The worker deleted the photo right after the analysis (the user keeps no images).
    assert not check_in.frames.exists()
    assert images.stored_files() == []
    assert "detection.tasks.check_in_analyze_task" in workers.logs()
    # The model was loaded in the pool process that ran the task, never in the
    # parent before the fork (a forked TFLite runtime is not safe to use).
    [worker] = workers.workers
    assert not loaded_ml_runtime(worker.pid)
    assert any(loaded_ml_runtime(pid) for pid in worker.child_pids())


def test_a_photo_without_a_face_fails_with_a_message_and_the_worker_carries_on(celery_workers):
    workers = celery_workers(count=1, concurrency=1)
    [worker] = workers.workers

    no_face = submit({"image": SimpleUploadedFile("wall.jpg", images.no_face_jpeg(), "image/jpeg")})
    failed = wait_until(lambda: finished(no_face["id"]), timeout=60, message=workers.logs())
    face = submit({"image": SimpleUploadedFile("me.jpg", images.face_jpeg(), "image/jpeg")})
    done = wait_until(lambda: finished(face["id"]), timeout=60, message=workers.logs())

    assert failed.status == CheckIn.Status.FAILED
    assert "couldn't find a face" in failed.error
    assert failed.attempts == 1, "a bad image is not retried"
    assert done.status == CheckIn.Status.DONE
    assert worker.process.poll() is None, "the worker process survives bad input"
    assert "Traceback" not in worker.log()


def loaded_ml_runtime(pid: int) -> bool:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return "litert" in maps.lower() or "tensorflow" in maps.lower()


def test_a_worker_killed_mid_analysis_is_replaced_and_the_result_is_written_once(celery_workers, settings):
    workers = celery_workers(count=1, concurrency=1)
    frames = [
        SimpleUploadedFile(f"f{i}.jpg", images.face_jpeg(), "image/jpeg") for i in range(settings.MAX_BURST_FRAMES)
    ]

    created = submit({"frames": frames})
    # The pool process marks the check-in running before it loads the model and
    # reads the burst: kill it right then, with SIGKILL (no chance to clean up).
    wait_until(
        lambda: CheckIn.objects.filter(pk=created["id"], status=CheckIn.Status.RUNNING).exists(),
        timeout=60,
        interval=0.005,
        message=workers.logs(),
    )
    killed = workers.child_pids()
    for pid in killed:
        os.kill(pid, signal.SIGKILL)

    check_in = wait_until(lambda: finished(created["id"]), timeout=90, message=workers.logs())
    assert check_in.status == CheckIn.Status.DONE, check_in.error
    assert check_in.attempts == 2, "the task should have been re-delivered to a new pool process"
    assert set(workers.child_pids()).isdisjoint(killed)
    # Exactly one set of results: one face per frame, no leftovers of the killed run.
    assert FaceResult.objects.filter(check_in=check_in).count() == settings.MAX_BURST_FRAMES


def test_with_prefer_wait_the_submit_itself_answers_with_the_result(celery_workers):
    """`Prefer: wait=S` (RFC 7240): one request instead of a submit and a long poll."""
    workers = celery_workers(count=1, concurrency=1)
    client = APIClient()
    client.force_authenticate(UserFactory(consented=True))
    photo = SimpleUploadedFile("me.jpg", images.face_jpeg(), "image/jpeg")

    response = client.post("/api/v1/checkins/", {"image": photo}, format="multipart", HTTP_PREFER="wait=20")

    assert response.status_code == 201, (response.content, workers.logs())
    assert response["Preference-Applied"] == "wait=20"
    body = response.json()
    assert body["status"] == "done" and body["top_emotion"] == "happiness"
    assert len(body["faces"]) == 1 and response["Location"] == body["url"]


def test_with_prefer_wait_an_analysis_still_queued_answers_202_when_the_wait_ends(transactional_db):
    """No worker runs: the answer comes when the wait is over, queued, as without the preference."""
    import time

    client = APIClient()
    client.force_authenticate(UserFactory(consented=True))
    photo = SimpleUploadedFile("me.jpg", images.face_jpeg(), "image/jpeg")
    started = time.monotonic()

    response = client.post("/api/v1/checkins/", {"image": photo}, format="multipart", HTTP_PREFER="wait=0.5")

    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert time.monotonic() - started >= 0.5
    from detection import services

    services.check_in_delete(check_in=CheckIn.objects.get(pk=response.json()["id"]))  # and its stored image
