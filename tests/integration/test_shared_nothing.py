"""Shared nothing: the web process (gunicorn) and a Celery worker run in different folders with
different PRIVATE_MEDIA_ROOTs; only PostgreSQL and Redis are common to them. A photo and a webcam
burst are analysed, and a worker killed mid-analysis loses nothing (the re-delivered message finds
its images still in the image store)."""

import json
import os
import signal
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory
from accounts.tokens import api_token_create
from detection.models import CheckIn
from detection.tests import images
from tests.integration.conftest import wait_until
from tests.integration.workers import ROOT, database_url

pytestmark = pytest.mark.integration


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Web:
    """gunicorn in a folder of its own, with a media root of its own."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "gunicorn.log"
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        env |= {
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "symphony.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "REDIS_URL": settings.REDIS_URL,
            "PRIVATE_MEDIA_ROOT": str(folder / "media"),
            "DEBUG": "1",
        }
        command = [sys.executable, "-m", "gunicorn", "symphony.wsgi", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", "1", "--worker-class", "gthread", "--threads", "4"]  # fmt: skip
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_until(self.healthy, timeout=60, message=self.log)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def healthy(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{self.log()}")
        try:
            return urllib.request.urlopen(self.base + "/healthz", timeout=2).status == 200
        except OSError:
            return False

    def submit(self, token: str, field: str, frames: list[bytes]) -> dict:
        boundary = uuid.uuid4().hex
        body = (
            b"".join(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="f{i}.jpg"\r\n'
                f"Content-Type: image/jpeg\r\n\r\n".encode()
                + data
                + b"\r\n"
                for i, data in enumerate(frames)
            )
            + f"--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            self.base + "/api/v1/checkins/",
            data=body,
            headers={"Authorization": f"Token {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 202
            return json.loads(response.read())

    def result(self, token: str, check_in_id: int) -> dict:
        request = urllib.request.Request(
            f"{self.base}/api/v1/checkins/{check_in_id}/?wait=5", headers={"Authorization": f"Token {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


@pytest.fixture
def two_machines(celery_workers, tmp_path, model_required):
    web_folder, worker_folder = tmp_path / "web", tmp_path / "worker"
    web_folder.mkdir(), worker_folder.mkdir()
    workers = celery_workers(
        count=1, concurrency=1, cwd=worker_folder, extra_env={"PRIVATE_MEDIA_ROOT": str(worker_folder / "media")}
    )
    web = Web(web_folder)
    yield web, workers, (web_folder, worker_folder)
    web.stop()


def finished(web: Web, token: str, check_in_id: int) -> dict | None:
    body = web.result(token, check_in_id)
    return body if body["status"] in ("done", "failed") else None


def test_a_photo_and_a_burst_are_analysed_with_nothing_shared_but_postgres_and_redis(two_machines):
    web, workers, folders = two_machines
    token = api_token_create(UserFactory(consented=True))[0]

    photo = web.submit(token, "image", [images.face_jpeg()])
    burst = web.submit(token, "frames", [images.face_jpeg() for _ in range(4)])

    for created, faces in ((photo, 1), (burst, 4)):
        body = wait_until(lambda c=created: finished(web, token, c["id"]), timeout=90, message=workers.logs())
        assert body["status"] == "done", body["error"]
        assert body["top_emotion"] == "happiness"
        assert len(body["faces"]) == faces
    # Neither process wrote an image file anywhere: the images went through the store.
    for folder in folders:
        assert not [path for path in folder.rglob("*") if path.suffix in (".jpg", ".png")], folder
    assert CheckIn.objects.exclude(image_keys=[]).count() == 0


def test_a_worker_killed_mid_analysis_loses_nothing(two_machines, settings):
    web, workers, _ = two_machines
    token = api_token_create(UserFactory(consented=True))[0]

    created = web.submit(token, "frames", [images.face_jpeg() for _ in range(settings.MAX_BURST_FRAMES)])
    wait_until(
        lambda: CheckIn.objects.filter(pk=created["id"], status=CheckIn.Status.RUNNING).exists(),
        timeout=60,
        interval=0.005,
        message=workers.logs(),
    )
    for pid in workers.child_pids():
        os.kill(pid, signal.SIGKILL)

    body = wait_until(lambda: finished(web, token, created["id"]), timeout=120, message=workers.logs())
    assert body["status"] == "done", body["error"]
    assert len(body["faces"]) == settings.MAX_BURST_FRAMES
    assert CheckIn.objects.get(pk=created["id"]).attempts == 2
