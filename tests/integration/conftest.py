"""Integration tests. The `celery_workers` fixture lives in tests/integration/workers.py,
loaded project-wide by the root conftest.py."""

import pytest

from tests.integration.workers import wait_until

__all__ = ["wait_until"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.integration)
