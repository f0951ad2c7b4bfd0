"""Browser tests. The harness (fixtures playwright, browser, launch_browser, page,
new_page, screenshot) lives in tests/browser/harness.py, loaded project-wide by the
root conftest.py; its constants are re-exported here for tests that import them."""

from pathlib import Path

import pytest

from tests.browser.harness import CHROMIUM_ARGS, DESKTOP, PHONE, chromium_path

__all__ = ["CHROMIUM_ARGS", "DESKTOP", "PHONE", "chromium_path"]


@pytest.fixture
def camera_page(launch_browser, new_page):
    """`camera_page(video, user, viewport=DESKTOP)`: a logged-in page in a Chromium whose webcam plays
    `video` (test_detection_browser.write_y4m makes one)."""

    def make(video: Path, user, viewport=DESKTOP):
        # Fake-camera flags are launch options, so this needs its own browser process.
        camera = launch_browser(
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        )
        page = new_page(viewport=viewport, browser=camera, user=user, permissions=["camera"])
        page.set_default_timeout(15_000)
        return page

    return make


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
