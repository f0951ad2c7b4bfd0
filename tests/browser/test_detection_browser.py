"""The "How are you feeling?" flow in Chromium: photo upload and the webcam burst,
with Chromium's fake camera playing a video made from a real face photo."""

import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from detection import services
from detection.models import CheckIn
from detection.tests import images
from music.tests.factories import load_starter_catalog
from tests.browser.harness import PHONE, wait_for_js

pytestmark = pytest.mark.browser


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
def user(db):
    return UserFactory(consented=True)


@pytest.mark.usefixtures("model_required")
def test_uploading_a_selfie_shows_the_mood_with_face_box_and_bars(new_page, user, screenshot, tmp_path):
    photo = tmp_path / "selfie.jpg"
    photo.write_bytes(images.face_jpeg())
    page = new_page(user=user)

    page.goto("/feel/")
    page.set_input_files("#image-input", str(photo))
    page.wait_for_selector("#upload-preview:not([hidden])")
    screenshot("photo chosen", page=page)
    page.click("#upload-submit")

    page.wait_for_url(re.compile(r"/checkins/\d+/$"))
    page.wait_for_selector("#top-emotion")
    assert page.text_content("#top-emotion") == "happiness"
    assert page.locator("#emotion-bars li").count() == 8
    # The photo was deleted on the server; the page draws the copy kept in this tab.
    page.wait_for_selector("#photo-canvas[data-drawn='1']")
    screenshot("result", page=page)
    check_in = CheckIn.objects.get(owner=user)
    assert check_in.status == "done" and not check_in.frames.exists()
    assert page.external_requests == []


@pytest.mark.usefixtures("model_required")
def test_the_result_page_shows_progress_then_the_result_without_reloading(new_page, user, screenshot, monkeypatch):
    # Queue without a worker, so the page is seen waiting; the test then runs the analysis.
    monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
    user.keep_images = True
    user.save()
    page = new_page(user=user)
    photo = SimpleUploadedFile("me.jpg", images.face_jpeg(), "image/jpeg")
    check_in = services.check_in_create(user=user, files=[photo], kind="upload")

    page.goto(f"/checkins/{check_in.pk}/")
    page.wait_for_selector("#result-state[data-status='queued']")
    page.evaluate("window.stillTheSamePage = true")
    screenshot("waiting", page=page)

    services.check_in_analyze(check_in.pk)

    page.wait_for_selector("#top-emotion", timeout=15_000)
    assert page.evaluate("window.stillTheSamePage") is True
    # The kept photo comes from the owner-only image route, with the face box drawn on it.
    page.wait_for_selector("#photo-canvas[data-drawn='1']")
    screenshot("done", page=page)


def test_an_unreadable_file_gets_a_clear_message_on_the_page(new_page, user, screenshot, tmp_path):
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(images.HTML)
    page = new_page(user=user)

    page.goto("/feel/")
    page.set_input_files("#image-input", str(bad))
    page.click("#upload-submit")

    page.wait_for_selector("#feel-error:not([hidden])")
    message = page.inner_text("#feel-error")
    # The message of the API's error shape ({type, errors: [{detail}]}), and nothing of the shape itself.
    assert "not an image" in message
    assert "validation_error" not in message and "[object Object]" not in message, message
    screenshot("refused", page=page)
    assert not CheckIn.objects.filter(owner=user).exists()


def test_picking_an_emotion_by_hand_leads_to_its_result_and_songs(new_page, user, screenshot):
    load_starter_catalog()
    page = new_page(user=user)

    page.goto("/feel/")
    page.click("#manual button[value='surprise']")

    page.wait_for_url(re.compile(r"/checkins/\d+/$"))
    assert page.text_content("#top-emotion") == "surprise"
    assert page.locator("#songs .song-row").count() > 0
    screenshot("manual result", page=page)
    assert CheckIn.objects.get(owner=user).kind == "manual"


@pytest.mark.usefixtures("model_required")
def test_the_webcam_burst_from_a_fake_camera_gives_a_result(camera_page, user, screenshot, tmp_path):
    page = camera_page(write_y4m(tmp_path / "face.y4m", images.astronaut()), user)

    page.goto("/feel/")
    page.click("#webcam-start")
    page.wait_for_selector("#webcam-capture:not([hidden])")
    wait_for_js(page, "document.getElementById('webcam-video').videoWidth > 0")
    screenshot("webcam preview", page=page)
    page.click("#webcam-capture")

    page.wait_for_url(re.compile(r"/checkins/\d+/$"), timeout=30_000)
    page.wait_for_selector("#top-emotion")
    check_in = CheckIn.objects.get(owner=user)
    assert check_in.kind == "webcam"
    assert check_in.faces.count() == 5
    assert page.text_content("#top-emotion") == "happiness"
    page.wait_for_selector("#photo-canvas[data-drawn='1']")
    screenshot("webcam result", page=page)


@pytest.mark.usefixtures("model_required")
def test_a_webcam_that_sees_no_face_says_so_and_offers_the_upload(camera_page, user, screenshot, tmp_path):
    ramp = np.tile(np.linspace(60, 220, 640, dtype=np.uint8), (480, 1))
    page = camera_page(write_y4m(tmp_path / "wall.y4m", np.dstack([ramp] * 3)), user)

    page.goto("/feel/")
    page.click("#webcam-start")
    wait_for_js(page, "document.getElementById('webcam-video').videoWidth > 0")
    page.click("#webcam-capture")

    # Like every check-in, it lands on its result page, which says what went wrong.
    page.wait_for_url(re.compile(r"/checkins/\d+/$"), timeout=30_000)
    assert "see a face" in page.text_content("#result-error")
    assert page.text_content("#result-heading") == "We couldn't read your mood"
    assert page.locator("#result-state a[href='/feel/#upload']").count() == 1
    assert page.locator("#result-state a[href='/feel/#webcam']").count() == 1
    screenshot("no face", page=page)
    assert CheckIn.objects.get(owner=user).status == "failed"


def test_a_dark_webcam_says_so_and_offers_the_upload(camera_page, user, screenshot, tmp_path):
    page = camera_page(write_y4m(tmp_path / "dark.y4m", np.full((480, 640, 3), 4, dtype=np.uint8)), user)

    page.goto("/feel/")
    page.click("#webcam-start")
    wait_for_js(page, "document.getElementById('webcam-video').videoWidth > 0")
    page.click("#webcam-capture")

    wait_for_js(page, "document.getElementById('webcam-status').textContent.includes('too dark')", timeout=30)
    assert page.locator("#webcam-status a[href='#upload']").count() == 1
    screenshot("too dark", page=page)
    assert not CheckIn.objects.filter(owner=user).exists()


def test_the_feel_and_result_pages_fit_a_phone_screen(new_page, user, screenshot):
    phone = new_page(viewport=PHONE, user=user)
    check_in = services.check_in_create_manual(user=user, emotion="fear")
    for path in ("/feel/", f"/checkins/{check_in.pk}/"):
        phone.goto(path)
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        screenshot(f"phone{path.replace('/', '-')}", page=phone)
    assert phone.external_requests == []
