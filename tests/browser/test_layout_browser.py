"""Rough edges of issue 30 in Chromium: the phone navigation is a menu, the player does not cover
song 1, faces are numbered on the photo with their labels inside it, a reopened check-in whose photo
is gone says so, and a camera that cannot start is explained in plain words."""

import json

import pytest
from django.core.files.base import ContentFile

from accounts.tests.factories import UserFactory
from detection.models import CheckIn, CheckInFrame
from detection.tests import images
from detection.tests.factories import CheckInFactory, FaceResultFactory
from music.recommendation.services import recommendation_create
from music.tests.factories import SongFactory
from tests.browser.harness import DESKTOP, PHONE, wait_for_js

pytestmark = pytest.mark.browser
MAX_PHONE_HEADER_PX = 64


@pytest.fixture
def user(db):
    return UserFactory(consented=True, keep_images=True)


def test_on_a_phone_the_navigation_is_a_compact_menu(new_page, user, screenshot):
    page = new_page(viewport=PHONE, user=user)
    page.goto("/feel/")

    header = page.locator(".topbar").bounding_box()
    assert header["height"] <= MAX_PHONE_HEADER_PX, header
    assert not page.get_by_role("link", name="Mood history").is_visible()
    screenshot("menu-closed", page=page)

    page.get_by_role("button", name="Menu").click()
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
    page.get_by_role("link", name="Mood history").click()
    page.wait_for_url("**/history/")
    assert page.locator(".topbar").bounding_box()["height"] <= MAX_PHONE_HEADER_PX


def test_on_desktop_the_navigation_shows_every_link_and_no_menu_button(new_page, user):
    page = new_page(viewport=DESKTOP, user=user)
    page.goto("/feel/")
    assert page.get_by_role("link", name="Mood history").is_visible()
    assert not page.get_by_role("button", name="Menu").is_visible()


@pytest.mark.usefixtures("preview_urls")
def test_the_player_does_not_cover_song_one(new_page, user, live_server, screenshot):
    for i in range(12):
        song = SongFactory(title=f"Rain {i}", artist=f"Cloud {i}", emotions={"sadness": 1.0})
        song.preview_url = f"{live_server.url}/test-previews/5.wav?song={song.pk}"
        song.save()
    recommendation = recommendation_create(user=user, emotions={"sadness": 1.0})
    page = new_page(viewport=DESKTOP, user=user)
    page.goto(f"/recommendations/{recommendation.pk}/")
    page.wait_for_selector("[data-player]:not([hidden])")

    title = page.locator(".song-row").first.locator(".song-text > span").first
    # Wherever the page is scrolled, the player never lies on top of song 1's title.
    for scroll in (0, 200, 400):
        page.evaluate(f"window.scrollTo(0, {scroll})")
        covered = page.evaluate(
            """(el) => { const r = el.getBoundingClientRect();
                 if (r.bottom < 0 || r.top > innerHeight) return false;
                 const hit = document.elementFromPoint(r.left + 5, r.top + r.height / 2);
                 return !!(hit && hit.closest('[data-player]')); }""",
            title.element_handle(),
        )
        assert not covered, f"song 1 covered at scroll {scroll}"
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("player-and-song-1", page=page)


def group_check_in(user) -> CheckIn:
    """A finished group photo, kept: five faces, the last at the right edge and one at the very top."""
    check_in = CheckInFactory(owner=user, done=True, kind="upload", image_width=1100, image_height=520)
    frame = CheckInFrame(check_in=check_in, index=0, width=1100, height=520)
    frame.image.save("frame.jpg", ContentFile(images.five_faces_jpeg()), save=False)
    frame.save()
    boxes = [(10, 20, 198, 242), (224, 20, 188, 230), (428, 0, 178, 218), (622, 20, 168, 205), (930, 30, 170, 194)]
    faces = [
        FaceResultFactory(check_in=check_in, x=x, y=y, width=w, height=h, top_emotion="happiness")
        for x, y, w, h in boxes
    ]
    check_in.selected_face = faces[-1]
    check_in.save()
    return check_in


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_faces_are_numbered_on_the_photo_like_the_buttons_and_labels_stay_inside(new_page, user, screenshot, viewport):
    check_in = group_check_in(user)
    page = new_page(viewport=viewport, user=user)
    page.goto(f"/checkins/{check_in.pk}/")
    page.wait_for_selector("#photo-canvas[data-drawn='1']")

    labels = json.loads(page.get_attribute("#photo-canvas", "data-labels"))
    width, height = page.evaluate(
        "[document.querySelector('#photo-canvas').width, document.querySelector('#photo-canvas').height]"
    )
    buttons = page.locator(".face-picker button").all_inner_texts()
    assert len(labels) == len(buttons) == 5
    for number, (label, button) in enumerate(zip(labels, buttons, strict=True), start=1):
        assert label["text"].startswith(f"{number}") and button.startswith(f"Face {number}:")
        assert (
            0 <= label["x"]
            and label["x"] + label["w"] <= width
            and 0 <= label["y"]
            and label["y"] + label["h"] <= height
        )
    assert labels[-1]["text"] == "5 you: happiness"
    screenshot("numbered-faces", page=page)


def test_a_reopened_check_in_whose_photo_is_gone_says_so_and_keeps_the_result(new_page, user, screenshot):
    check_in = CheckInFactory(owner=user, done=True, top_emotion="sadness", confidence=0.8)
    FaceResultFactory(check_in=check_in, top_emotion="sadness")
    page = new_page(user=user)
    page.goto(f"/checkins/{check_in.pk}/")

    gone = page.locator("#photo-gone")
    assert gone.is_visible() and "Your photo is deleted" in gone.inner_text()
    assert not page.locator("#photo-canvas").is_visible()
    assert page.text_content("#top-emotion") == "sadness" and page.locator("#emotion-bars li").count() == 8
    screenshot("photo-gone", page=page)


def test_a_camera_that_cannot_start_is_explained_in_plain_words(new_page, user, screenshot):
    page = new_page(user=user)  # no camera permission granted: the browser refuses it
    page.goto("/feel/")
    page.click("#webcam-start")
    text = wait_for_js(
        page,
        "document.getElementById('webcam-status').textContent.length > 25 && document.getElementById('webcam-status').textContent",
    )
    assert "Error" not in text, text
    assert any(
        sentence in text
        for sentence in (
            "No camera was found on this device.",
            "Camera access was blocked; allow it in the browser's settings.",
        )
    ), text
    screenshot("camera-error", page=page)
