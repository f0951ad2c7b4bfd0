"""Test configuration shared by every layer (unit, app, integration, browser)."""

import pytest


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
    if request.node.get_closest_marker("integration") is None:
        # Outside integration tests, tasks run in-process; integration tests use
        # a real worker process and a real broker.
        from symphony.celery import app

        app.conf.task_always_eager = True
        settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
