"""Settings: embedded defaults, production checks, static files in production."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from tests.checkouts import checkout_with_env_file

ROOT = Path(__file__).resolve().parent.parent


# Set for the whole test session by tests/browser/conftest.py; a deployment never has it.
TEST_ONLY_ENV = ("DJANGO_ALLOW_ASYNC_UNSAFE",)


def run_manage(*args, env_overrides: dict[str, str], drop=()) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in (*drop, *TEST_ONLY_ENV)}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "symphony.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://symphony.example.com",
    "SECURE_HSTS_PRELOAD": "1",
}


def test_deploy_check_passes_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_refuses_the_development_secret_key():
    without_key = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", "--deploy", env_overrides=without_key, drop=("SECRET_KEY",))
    assert result.returncode != 0
    # Refused by the settings themselves, before any check runs (tests/security/test_settings_fail_closed.py).
    assert "SECRET_KEY is the development default" in result.stderr


def test_embedded_defaults_need_no_services():
    """With no DATABASE_URL, CELERY_BROKER_URL or REDIS_URL the app runs on SQLite,
    eager tasks and a local-memory cache (with DEBUG=1, as bin/run sets it)."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.CACHES['default']['BACKEND'], s.DEBUG, s.EMAIL_BACKEND]))"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DEBUG", "EMAIL_BACKEND"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "symphony.settings"
    env["DEBUG"] = "1"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        '["django.db.backends.sqlite3", true, "django.core.cache.backends.locmem.LocMemCache", true, '
        '"django.core.mail.backends.console.EmailBackend"]'
    )


def test_queueing_a_task_on_embedded_defaults_logs_no_broker_warning(tmp_path):
    """Eager mode still takes a producer for .delay(); with no broker URL kombu used to fall back to
    AMQP and log "No hostname was supplied" on the first upload (issue 30)."""
    code = (
        "import logging, django; logging.basicConfig(level=logging.WARNING); django.setup(); "
        "from django.core.management import call_command; call_command('migrate', verbosity=0); "
        "from detection.tasks import check_in_analyze_task; check_in_analyze_task.delay(1); print('queued')"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="symphony.settings", DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db'}")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0 and "queued" in result.stdout, result.stderr
    assert "hostname" not in result.stderr.lower(), result.stderr


def test_env_example_lists_every_variable_settings_reads():
    import re

    source = "".join(
        (ROOT / "symphony" / name).read_text() for name in ("settings.py", "settings_api.py", "settings_player.py")
    )
    read = set(re.findall(r'env(?:_bool|_int|_list)?\("([A-Z_]+)"', source))
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read, "no env() calls found"
    assert read - listed == set(), f"missing from .env.example: {sorted(read - listed)}"


@pytest.mark.django_db
def test_whitenoise_serves_collected_static_files_with_debug_off(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--noinput", verbosity=0)
    settings.DEBUG = False
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    assert b"--accent" in b"".join(response.streaming_content)


def test_visibility_timeout_shorter_than_the_hard_limit_is_flagged(settings):
    from symphony.checks import check_celery_visibility_timeout

    assert check_celery_visibility_timeout(None) == []
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 30}
    settings.CELERY_TASK_TIME_LIMIT = 60
    assert [w.id for w in check_celery_visibility_timeout(None)] == ["symphony.W001"]


def test_manage_py_runs_with_no_variables_set_after_bin_setup_dev_and_production_still_refuses_the_dev_key(tmp_path):
    setup = (ROOT / "bin" / "setup").read_text()
    assert '"DEBUG=1" > .env' in setup  # what bin/setup dev writes when a checkout has no .env
    checkout = checkout_with_env_file(tmp_path, "DEBUG=1\n")
    nothing_set = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}

    def manage_check(env):
        command = [sys.executable, "manage.py", "check"]
        return subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, timeout=120)

    development = manage_check(nothing_set)
    assert development.returncode == 0, development.stderr
    production = manage_check({**nothing_set, "DEBUG": "0"})  # the environment wins over .env
    assert production.returncode != 0
    assert "SECRET_KEY is the development default while DEBUG is off" in production.stderr
