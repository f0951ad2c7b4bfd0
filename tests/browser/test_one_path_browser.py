"""One path from a selfie to songs in Chromium (docs/architecture.md, "From selfie to songs"): a photo
and a webcam burst go through the same form and API call, land on the result page at once, and the
result page swaps the finished result into its one live region, moving focus to its heading.

The analysis is held back (no task queued) until the page is seen waiting, so every run shows the
swap, on the embedded defaults too."""

import re

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from detection import services
from detection.models import CheckIn
from detection.tests import images
from music.tests.factories import load_starter_catalog
from tests.browser.harness import DESKTOP, PHONE, wait_for_js
from tests.browser.test_detection_browser import write_y4m

pytestmark = pytest.mark.usefixtures("model_required")
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


@pytest.fixture
def user(db, monkeypatch):
    monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
    load_starter_catalog()
    return UserFactory(consented=True)


def watch(page):
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.held = None
    if connection.settings_dict["ENGINE"].endswith("sqlite3"):
        # The in-memory test database is one connection that the live server shares with the test:
        # a long poll would read the analysis half-written. Hold it until the analysis is in.
        page.held = []
        page.route(re.compile(r"/checkins/\d+/\?fragment=result"), lambda route: page.held.append(route))
    return page


def lands_waiting_then_swaps_in_the_songs(page, user, viewport, screenshot):
    """The check-in's result page, first waiting, then with the result swapped in: the region and
    its aria-live stay, focus is on the result heading, the songs are there."""
    page.wait_for_url(re.compile(r"/checkins/\d+/$"))
    page.wait_for_selector("#result-state[data-status='queued']")
    assert page.get_attribute("#result", "aria-live") == "polite"
    page.evaluate("window.region = document.getElementById('result')")
    screenshot("waiting", page=page)

    while page.held == []:
        page.wait_for_timeout(50)
    services.check_in_analyze(CheckIn.objects.get(owner=user).pk)
    for route in page.held or []:
        route.continue_()

    page.wait_for_selector("#top-emotion", timeout=20_000)
    assert page.text_content("#top-emotion") == "happiness"
    assert page.evaluate("window.region === document.getElementById('result')"), "the same region, not a new page"
    assert page.get_attribute("#result", "aria-live") == "polite"
    wait_for_js(page, "document.activeElement && document.activeElement.id === 'result-heading'")
    assert page.evaluate("document.activeElement.tagName") == "H1"
    assert page.locator("#songs .song-row").count() > 0
    page.wait_for_selector("[data-player]:not([hidden])")  # the page's player started on the new songs
    page.wait_for_selector("#photo-canvas[data-drawn='1']")  # this tab's copy of the photo, with its box
    screenshot("result", page=page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.errors == [] and page.external_requests == []


@VIEWPORTS
@pytest.mark.embedded
def test_an_uploaded_selfie_lands_on_the_result_page_which_swaps_in_the_songs(
    new_page, user, screenshot, tmp_path, viewport
):
    photo = tmp_path / "selfie.jpg"
    photo.write_bytes(images.face_jpeg())
    page = watch(new_page(viewport=viewport, user=user))
    page.goto("/feel/")
    page.set_input_files("#image-input", str(photo))
    page.wait_for_selector("#upload-preview:not([hidden])")
    page.click("#upload-submit")

    lands_waiting_then_swaps_in_the_songs(page, user, viewport, screenshot)
    assert CheckIn.objects.get(owner=user).kind == "upload"


@VIEWPORTS
def test_a_webcam_burst_lands_on_the_result_page_which_swaps_in_the_songs(
    camera_page, user, screenshot, tmp_path, viewport
):
    page = watch(camera_page(write_y4m(tmp_path / "face.y4m", images.astronaut()), user, viewport=viewport))
    page.goto("/feel/")
    page.click("#webcam-start")
    wait_for_js(page, "document.getElementById('webcam-video').videoWidth > 0")
    page.click("#webcam-capture")

    lands_waiting_then_swaps_in_the_songs(page, user, viewport, screenshot)
    check_in = CheckIn.objects.get(owner=user)
    assert check_in.kind == "webcam" and check_in.faces.count() == 5


@pytest.mark.embedded
def test_without_javascript_the_form_posts_and_a_refresh_link_waits_for_the_result(new_page, user, tmp_path):
    photo = tmp_path / "selfie.jpg"
    photo.write_bytes(images.face_jpeg())
    page = new_page(user=user, java_script_enabled=False)
    page.goto("/feel/")
    page.set_input_files("#image-input", str(photo))
    page.click("#upload-submit")  # the form's own post: the feel view redirects to the result page

    page.wait_for_url(re.compile(r"/checkins/\d+/$"))
    assert page.text_content("#progress-text") == "Waiting for a free analyser…"
    services.check_in_analyze(CheckIn.objects.get(owner=user).pk)
    page.get_by_role("link", name="Refresh").click()

    page.wait_for_url(re.compile(r"/checkins/\d+/\?wait=10$"))
    assert page.text_content("#top-emotion") == "happiness"
    assert page.locator("#songs .song-row").count() > 0
