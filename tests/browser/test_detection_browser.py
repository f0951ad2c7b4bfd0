"""The "How are you feeling?" flow in Chromium: photo upload and the webcam burst,
with Chromium's fake camera playing a video made from a real face photo."""

import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.tests.factories import UserFactory
from detection import services
from detection.models import Submission
from detection.tests import images
from tests.browser.conftest import CHROMIUM_ARGS, DESKTOP, PHONE, chromium_path

pytestmark = pytest.mark.browser


@pytest.fixture
def model_required():
    if not settings.EMOTION_MODEL_PATH.exists():
        pytest.skip(f"the trained emotion model is not at {settings.EMOTION_MODEL_PATH} yet")


def log_in(context, live_server):
    """A consenting user, logged in through a session cookie (the login page has its own tests)."""
    user = UserFactory(consented=True)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return user


def write_y4m(path: Path, rgb: np.ndarray, frames: int = 20) -> Path:
    """A Y4M (raw I420) video of `frames` copies of `rgb`: what --use-file-for-fake-video-capture plays."""
    height, width = rgb.shape[:2]
    i420 = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes()
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + i420)
    return path


@pytest.fixture
def camera_page(browser, live_server):
    """`camera_page(video)`: a page in a Chromium whose webcam plays `video` (permission granted)."""
    launched = []

    def make(video: Path):
        # Fake-camera flags are launch options, so this needs its own browser process.
        camera_browser = browser.browser_type.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        launched.append(camera_browser)
        context = camera_browser.new_context(base_url=live_server.url, viewport=DESKTOP)
        context.set_default_timeout(15_000)
        context.grant_permissions(["camera"], origin=live_server.url)
        return context.new_page()

    yield make
    for camera_browser in launched:
        camera_browser.close()


@pytest.mark.usefixtures("model_required")
def test_uploading_a_selfie_shows_the_mood_with_face_box_and_bars(page, live_server, screenshot, tmp_path):
    photo = tmp_path / "selfie.jpg"
    photo.write_bytes(images.face_jpeg())
    user = log_in(page.context, live_server)

    page.goto("/feel/")
    page.set_input_files("#image-input", str(photo))
    page.wait_for_selector("#upload-preview:not([hidden])")
    screenshot("photo chosen")
    page.click("#upload-submit")

    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    page.wait_for_selector("#top-emotion")
    assert page.text_content("#top-emotion") == "happiness"
    assert page.locator("#emotion-bars li").count() == 8
    # The photo was deleted on the server; the page draws the copy kept in this tab.
    page.wait_for_selector("#photo-canvas[data-drawn='1']")
    screenshot("result")
    submission = Submission.objects.get(owner=user)
    assert submission.status == "done" and not submission.frames.exists()
    assert page.external_requests == []


@pytest.mark.usefixtures("model_required")
def test_the_result_page_shows_progress_then_the_result_without_reloading(page, live_server, screenshot, monkeypatch):
    # Queue without a worker, so the page is seen waiting; the test then runs the analysis.
    monkeypatch.setattr("detection.tasks.submission_analyze_task.delay", lambda _id: None)
    user = log_in(page.context, live_server)
    user.keep_images = True
    user.save()
    photo = SimpleUploadedFile("me.jpg", images.face_jpeg(), "image/jpeg")
    submission = services.submission_create(user=user, files=[photo], kind="upload")

    page.goto(f"/submissions/{submission.pk}/")
    page.wait_for_selector("#result-state[data-status='queued']")
    page.evaluate("window.stillTheSamePage = true")
    screenshot("waiting")

    services.submission_analyze(submission.pk)

    page.wait_for_selector("#top-emotion", timeout=15_000)
    assert page.evaluate("window.stillTheSamePage") is True
    # The kept photo comes from the owner-only image route, with the face box drawn on it.
    page.wait_for_selector("#photo-canvas[data-drawn='1']")
    screenshot("done")


def test_an_unreadable_file_gets_a_clear_message_on_the_page(page, live_server, screenshot, tmp_path):
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(images.HTML)
    user = log_in(page.context, live_server)

    page.goto("/feel/")
    page.set_input_files("#image-input", str(bad))
    page.click("#upload-submit")

    page.wait_for_selector("#feel-error:not([hidden])")
    assert "not an image" in page.inner_text("#feel-error")
    screenshot("refused")
    assert not Submission.objects.filter(owner=user).exists()


def test_picking_an_emotion_by_hand_leads_to_its_result(page, live_server, screenshot):
    user = log_in(page.context, live_server)

    page.goto("/feel/")
    page.click("#manual button[value='surprise']")

    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    assert page.text_content("#top-emotion") == "surprise"
    screenshot("manual result")
    assert Submission.objects.get(owner=user).kind == "manual"


@pytest.mark.usefixtures("model_required")
def test_the_webcam_burst_from_a_fake_camera_gives_a_result(camera_page, live_server, screenshot, tmp_path):
    page = camera_page(write_y4m(tmp_path / "face.y4m", images.astronaut()))
    user = log_in(page.context, live_server)

    page.goto("/feel/")
    page.click("#webcam-start")
    page.wait_for_selector("#webcam-capture:not([hidden])")
    page.wait_for_function("document.getElementById('webcam-video').videoWidth > 0")
    screenshot("webcam preview", page=page)
    page.click("#webcam-capture")

    page.wait_for_url(re.compile(r"/submissions/\d+/$"), timeout=30_000)
    page.wait_for_selector("#top-emotion")
    submission = Submission.objects.get(owner=user)
    assert submission.kind == "webcam"
    assert submission.faces.count() == 5
    assert page.text_content("#top-emotion") == "happiness"
    page.wait_for_selector("#photo-canvas[data-drawn='1']")
    screenshot("webcam result", page=page)


def test_a_dark_webcam_says_so_and_offers_the_upload(camera_page, live_server, screenshot, tmp_path):
    page = camera_page(write_y4m(tmp_path / "dark.y4m", np.full((480, 640, 3), 4, dtype=np.uint8)))
    user = log_in(page.context, live_server)

    page.goto("/feel/")
    page.click("#webcam-start")
    page.wait_for_function("document.getElementById('webcam-video').videoWidth > 0")
    page.click("#webcam-capture")

    page.wait_for_function("document.getElementById('webcam-status').textContent.includes('too dark')")
    assert page.locator("#webcam-status a[href='#upload']").count() == 1
    screenshot("too dark", page=page)
    assert not Submission.objects.filter(owner=user).exists()


def test_the_feel_and_result_pages_fit_a_phone_screen(new_page, live_server, screenshot):
    phone = new_page(viewport=PHONE)
    user = log_in(phone.context, live_server)
    submission = services.submission_create_manual(user=user, emotion="fear")
    for path in ("/feel/", f"/submissions/{submission.pk}/"):
        phone.goto(path)
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        screenshot(f"phone{path.replace('/', '-')}", page=phone)
    assert phone.external_requests == []
