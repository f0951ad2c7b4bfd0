"""Browser tests. The harness (fixtures browser, page, new_page, launch_browser,
screenshot) lives in tests/browser/harness.py, loaded project-wide by the root conftest.py."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
