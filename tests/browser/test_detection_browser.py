"""The "How are you feeling?" flow in Chromium: photo upload and the webcam burst,
with Chromium's fake camera playing a video made from a real face photo."""

import os
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.conf import settings
from django.test import Client

from accounts.tests.factories import UserFactory
from detection.models import Submission
from detection.tests import images

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BASE_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def model_required():
    if not settings.EMOTION_MODEL_PATH.exists():
        pytest.skip(f"the trained emotion model is not at {settings.EMOTION_MODEL_PATH} yet")


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM
    # calls are still plain synchronous code, so Django's async guard must stand aside.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as instance:
        yield instance
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def write_y4m(path: Path, rgb: np.ndarray, frames: int = 20) -> Path:
    """A Y4M (raw I420) video of `frames` copies of `rgb`: what --use-file-for-fake-video-capture plays."""
    height, width = rgb.shape[:2]
    i420 = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes()
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + i420)
    return path


def logged_in_context(browser, live_server):
    user = UserFactory(consented=True)
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    return user, context


def launch(playwright, *extra_args):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*BASE_ARGS, *extra_args])


@pytest.mark.usefixtures("model_required")
def test_uploading_a_selfie_shows_the_mood_with_face_box_and_bars(playwright, live_server, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    photo = tmp_path / "selfie.jpg"
    photo.write_bytes(images.face_jpeg())
    browser = launch(playwright)
    try:
        user, context = logged_in_context(browser, live_server)
        page = context.new_page()
        page.goto("/feel/")
        page.set_input_files("#image-input", str(photo))
        page.wait_for_selector("#upload-preview:not([hidden])")
        page.click("#upload-submit")

        page.wait_for_url(re.compile(r"/submissions/\d+/$"))
        page.wait_for_selector("#top-emotion")
        assert page.inner_text("#top-emotion") == "happiness"
        assert page.locator("#emotion-bars li").count() == 8
        # The photo was deleted on the server; the page draws the copy kept in this tab.
        page.wait_for_selector("#photo-canvas[data-drawn='1']")
        page.screenshot(path=str(ARTIFACTS / "detection-upload-result.png"), full_page=True)
        submission = Submission.objects.get(owner=user)
        assert submission.status == "done" and not submission.frames.exists()
    finally:
        browser.close()


def test_an_unreadable_file_gets_a_clear_message_on_the_page(playwright, live_server, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(images.HTML)
    browser = launch(playwright)
    try:
        user, context = logged_in_context(browser, live_server)
        page = context.new_page()
        page.goto("/feel/")
        page.set_input_files("#image-input", str(bad))
        page.click("#upload-submit")
        page.wait_for_selector("#feel-error:not([hidden])")
        assert page.inner_text("#feel-error")
        page.screenshot(path=str(ARTIFACTS / "detection-upload-bad-file.png"), full_page=True)
        assert not Submission.objects.filter(owner=user).exists()
    finally:
        browser.close()


@pytest.mark.usefixtures("model_required")
def test_the_webcam_burst_from_a_fake_camera_gives_a_result(playwright, live_server, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    video = write_y4m(tmp_path / "face.y4m", images.astronaut())
    browser = launch(
        playwright,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    try:
        user, context = logged_in_context(browser, live_server)
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        page.goto("/feel/")
        page.click("#webcam-start")
        page.wait_for_selector("#webcam-capture:not([hidden])")
        page.wait_for_function("document.getElementById('webcam-video').videoWidth > 0")
        page.screenshot(path=str(ARTIFACTS / "detection-webcam-preview.png"))
        page.click("#webcam-capture")

        page.wait_for_url(re.compile(r"/submissions/\d+/$"), timeout=30_000)
        page.wait_for_selector("#top-emotion")
        submission = Submission.objects.get(owner=user)
        assert submission.kind == "webcam"
        assert submission.faces.count() == 5
        assert page.inner_text("#top-emotion") == "happiness"
        page.wait_for_selector("#photo-canvas[data-drawn='1']")
        page.screenshot(path=str(ARTIFACTS / "detection-webcam-result.png"), full_page=True)
    finally:
        browser.close()


def test_a_dark_webcam_says_so_and_offers_the_upload(playwright, live_server, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    video = write_y4m(tmp_path / "dark.y4m", np.full((480, 640, 3), 4, dtype=np.uint8))
    browser = launch(
        playwright,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    try:
        user, context = logged_in_context(browser, live_server)
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        page.goto("/feel/")
        page.click("#webcam-start")
        page.wait_for_function("document.getElementById('webcam-video').videoWidth > 0")
        page.click("#webcam-capture")
        page.wait_for_function("document.getElementById('webcam-status').textContent.includes('too dark')")
        assert page.locator("#webcam-status a[href='#upload']").count() == 1
        page.screenshot(path=str(ARTIFACTS / "detection-webcam-dark.png"), full_page=True)
        assert not Submission.objects.filter(owner=user).exists()
    finally:
        browser.close()
