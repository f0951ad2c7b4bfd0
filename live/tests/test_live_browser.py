"""Live mode in Chromium: the fake camera shows one face, then another (the test swaps the video file
between readings: Chromium opens it anew each time the camera starts), the live interval is
shortened by LIVE_INTERVAL_SECONDS, and every request to another host is blocked.

Marked `embedded` as well: bin/test runs it again on bin/run's defaults (SQLite, eager tasks)."""

import csv
import os
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.conf import settings as django_settings

from accounts.tests.factories import UserFactory
from detection.models import CheckIn
from detection.services import check_in_create_manual
from detection.tests import images
from live.models import LiveReading, LiveSession
from music.models import Song
from music.tests.factories import load_starter_catalog
from tests.browser.harness import PHONE, wait_for_js
from tests.browser.test_detection_browser import write_y4m

pytestmark = [pytest.mark.browser, pytest.mark.embedded, pytest.mark.django_db(transaction=True)]
FERPLUS_VALID = django_settings.BASE_DIR.parent / "shared" / "data" / "ferplus" / "FER2013Valid"
INTERVAL_S = 4
# Counts every camera stream the page opens, so the test can see it released (add_init_script runs
# through DevTools, outside the page's CSP).
TRACK_STREAMS = """
window.__streams = [];
const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (c) => original(c).then((s) => { window.__streams.push(s); return s; });
"""


def sad_face() -> np.ndarray:
    """A FER+ validation face most taggers called sad, enlarged on a grey frame (as a webcam would see it)."""
    if not FERPLUS_VALID.exists():
        pytest.skip(f"needs the FER+ faces at {FERPLUS_VALID}")
    for row in csv.reader((FERPLUS_VALID / "label.csv").open()):
        if row[0] == "fer0028679.png":
            gray = cv2.imread(str(FERPLUS_VALID / row[0]), cv2.IMREAD_GRAYSCALE)
            canvas = np.full((480, 640), 128, np.uint8)
            canvas[80:400, 160:480] = cv2.resize(gray, (320, 320), interpolation=cv2.INTER_CUBIC)
            return np.dstack([canvas] * 3)
    pytest.skip("the sad FER+ face is not in this copy of the data")


@pytest.fixture(autouse=True)
def preview_server(preview_urls, settings):
    settings.LIVE_INTERVAL_SECONDS = INTERVAL_S


@pytest.fixture
def listener():
    load_starter_catalog()
    return UserFactory(consented=True, goal="lift")


def make_previews(live_server):
    """Long previews on every song: the first is still playing when the readings come."""
    songs = list(Song.objects.filter(active=True))
    for song in songs:
        song.preview_url = f"{live_server.url}/test-previews/60.wav?song={song.pk}"
    Song.objects.bulk_update(songs, ["preview_url"])


def show(video: Path, rgb: np.ndarray) -> None:
    """What the camera shows from its next start on: a new file moved into place."""
    fresh = write_y4m(video.with_suffix(".next.y4m"), rgb)
    os.replace(fresh, video)


def queue(page) -> dict:
    return page.evaluate(
        """(() => {
          const rows = [...document.querySelectorAll('.song-list > li')];
          const now = document.querySelector('.song-list > li.now-playing');
          const i = rows.indexOf(now);
          const id = (row) => row.querySelector('[data-track]').dataset.track;
          return {playing: now ? id(now) : null, after: rows.slice(i + 1).map(id),
                  title: document.querySelector('[data-np-title]').textContent,
                  time: document.querySelector('[data-np-audio]').currentTime};
        })()"""
    )


def wait_for_readings(page, count: int) -> None:
    # The page's own count: the test thread leaves the database alone while the server works on it
    # (on SQLite the live server shares the test's in-memory database).
    wait_for_js(page, f"document.querySelector('[data-live]').dataset.readings === '{count}'", timeout=60)


def readings() -> int:
    return LiveReading.objects.count()


def wait_until(check, timeout: float = 40.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def live_page(launch_browser, new_page, video: Path, user, viewport=None):
    camera = launch_browser(
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
        "--autoplay-policy=no-user-gesture-required",
    )
    options = {"viewport": viewport} if viewport else {}
    page = new_page(browser=camera, user=user, permissions=["camera"], **options)
    page.set_default_timeout(15_000)
    page.add_init_script(TRACK_STREAMS)
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


@pytest.mark.usefixtures("model_required")
def test_live_mode_adapts_the_unplayed_queue_and_keeps_the_song_playing(
    launch_browser, new_page, listener, live_server, screenshot, tmp_path
):
    make_previews(live_server)
    video = write_y4m(tmp_path / "camera.y4m", sad_face())
    check_in = check_in_create_manual(user=listener, emotion="sadness")
    page = live_page(launch_browser, new_page, video, listener)
    page.goto(f"/checkins/{check_in.pk}/")
    page.wait_for_selector("[data-live]:not([hidden])")
    page.get_by_role("button", name="Play all").click()
    wait_for_js(page, "document.querySelector('[data-player]').dataset.state === 'playing'")
    before = queue(page)

    # Given live mode on, when the first reading (a sad face) comes ...
    page.get_by_role("button", name="Start live mode").click()
    wait_for_readings(page, 1)
    first = LiveReading.objects.get()
    after_first = queue(page)
    assert first.top_emotion == "sadness" and first.sure, first.message
    show(video, images.astronaut())  # ... and the second a happy one
    wait_for_readings(page, 2)
    second = LiveReading.objects.order_by("taken_at").last()
    assert second.top_emotion == "happiness" and second.outcome == "moved", second.message
    wait_for_js(page, f"document.querySelector('[data-live-status]').textContent === {second.message!r}")
    wait_for_js(
        page,
        f"document.querySelector('.song-list > li:last-child').dataset.recommendation === '{second.recommendation_id}'",
    )
    after_second = queue(page)
    # Paused at once (the next reading is due after INTERVAL_S of listening): no reading, however long.
    page.get_by_role("button", name="Pause", exact=True).first.click()

    # then the unplayed part changed, the song playing did not (nor did it start again) ...
    assert after_second["playing"] == before["playing"] and after_second["title"] == before["title"]
    assert after_second["time"] > after_first["time"] > 0
    assert after_second["after"] != after_first["after"] and before["playing"] not in after_second["after"]
    assert after_second["after"] == [str(i.song_id) for i in second.recommendation.items.order_by("rank")]
    # ... and the camera was on only during the readings.
    assert page.evaluate("window.__streams.every(s => s.getTracks().every(t => t.readyState === 'ended'))")

    screenshot("live session, desktop", page=page)
    wait_for_js(page, "document.querySelector('[data-player]').dataset.state === 'paused'")
    check_ins = CheckIn.objects.count()
    time.sleep(INTERVAL_S * 2 + 1)
    assert readings() == 2 and CheckIn.objects.count() == check_ins
    # Hidden tab: none either (the page is told it is hidden, as a background tab is).
    page.evaluate("""Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
                     document.dispatchEvent(new Event('visibilitychange'))""")
    page.get_by_role("button", name="Play", exact=True).first.click()
    time.sleep(INTERVAL_S * 2 + 1)
    assert readings() == 2 and CheckIn.objects.count() == check_ins

    # Stopping during a reading turns the camera off at once.
    page.evaluate("Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'visible'})")
    opened = page.evaluate("window.__streams.length")
    wait_for_js(page, f"window.__streams.length > {opened}", timeout=20)
    page.get_by_role("button", name="Stop live mode").click()
    assert page.evaluate("window.__streams.every(s => s.getTracks().every(t => t.readyState === 'ended'))")
    assert page.evaluate("document.querySelector('[data-live-video]').srcObject") is None
    wait_until(lambda: LiveSession.objects.get().ended_at is not None, timeout=10)
    time.sleep(2)
    assert readings() == 2

    # The history shows one session with its two readings and its path.
    page.goto("/history/?range=all")
    sessions = page.locator(".live-session")
    assert sessions.count() == 1
    assert sessions.locator(".live-reading-row").count() == 2
    assert sessions.locator("svg polyline").count() == 1
    assert "sadness → happiness" in sessions.inner_text()
    page.locator("#live-sessions").scroll_into_view_if_needed()
    screenshot("live session in the history", page=page)
    assert page.external_requests == [] and page.errors == []


@pytest.mark.usefixtures("model_required")
def test_live_mode_on_a_phone(launch_browser, new_page, listener, live_server, screenshot, tmp_path):
    make_previews(live_server)
    video = write_y4m(tmp_path / "camera.y4m", images.astronaut())
    check_in = check_in_create_manual(user=listener, emotion="sadness")
    page = live_page(launch_browser, new_page, video, listener, viewport=PHONE)
    page.goto(f"/checkins/{check_in.pk}/")
    page.get_by_role("button", name="Play all").click()
    page.get_by_role("button", name="Start live mode").click()
    wait_for_readings(page, 1)
    page.locator("[data-live]").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("live session, phone", page=page)
    assert page.external_requests == [] and page.errors == []


@pytest.mark.usefixtures("model_required")
def test_live_mode_on_the_device_sends_no_image(launch_browser, new_page, listener, live_server, tmp_path):
    from detection.tests.test_on_device_browser import assert_no_image_bytes, record_bodies, skip_without_runtime

    skip_without_runtime()
    listener.analyse_on_device = True
    listener.save(update_fields=["analyse_on_device"])
    make_previews(live_server)
    video = write_y4m(tmp_path / "camera.y4m", images.astronaut())
    check_in = check_in_create_manual(user=listener, emotion="sadness")
    page = live_page(launch_browser, new_page, video, listener)
    bodies = record_bodies(page)
    page.goto(f"/checkins/{check_in.pk}/")
    page.get_by_role("button", name="Play all").click()
    page.get_by_role("button", name="Start live mode").click()
    wait_for_readings(page, 1)
    page.get_by_role("button", name="Stop live mode").click()
    reading = LiveReading.objects.get()
    assert reading.top_emotion == "happiness", reading.message
    assert CheckIn.objects.filter(analysed_on="device", kind="webcam").count() == 1
    assert_no_image_bytes(bodies)
    assert page.external_requests == [] and page.errors == []
