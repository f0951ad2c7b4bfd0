"""Browser tests. The harness (fixtures playwright, browser, launch_browser, page,
new_page, screenshot) lives in tests/browser/harness.py, loaded project-wide by the
root conftest.py; its constants are re-exported here for tests that import them."""

import pytest

from tests.browser.harness import CHROMIUM_ARGS, DESKTOP, PHONE, chromium_path

__all__ = ["CHROMIUM_ARGS", "DESKTOP", "PHONE", "chromium_path"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
