"""Test configuration shared by every layer (unit, app, integration, browser)."""

import pytest

# Shared fixtures (people, clients, model_required, on_commit) and harnesses, usable from any
# test folder: real Celery worker processes (celery_workers) and Playwright + Chromium (browser,
# page, screenshot, ...).
pytest_plugins = ["tests.fixtures", "tests.integration.workers", "tests.browser.harness"]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, request):
    # Fast hashing and in-memory mail (cookiecutter-django's test settings).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Each test gets its own private media folder, so file assertions are exact.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    storages = dict(settings.STORAGES)
    storages["default"] = {
        **storages["default"],
        "OPTIONS": {"location": settings.PRIVATE_MEDIA_ROOT, "base_url": None},
    }
    settings.STORAGES = storages

    from symphony.celery import app

    # Outside integration tests, tasks run in-process; integration tests use a
    # real worker process and a real broker. The Celery app outlives a test, so
    # set the mode every time instead of leaking one test's choice into the next.
    eager = request.node.get_closest_marker("integration") is None or not settings.CELERY_BROKER_URL
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters and other cache entries live in Redis when REDIS_URL is
    # set; without this, one test's requests would throttle the next test.
    from django.core.cache import cache

    cache.clear()
    yield
