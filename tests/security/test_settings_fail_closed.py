"""Settings fail closed: DEBUG is off unless asked for, and the development key never serves (audit finding M6)."""

import os
import subprocess
import sys
from pathlib import Path

from tests.checkouts import checkout_with_env_file

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, cwd: Path = ROOT, **env_changes: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["DJANGO_SETTINGS_MODULE"] = "symphony.settings"
    for name, value in env_changes.items():
        if value is not None:
            env[name] = value
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_debug_is_off_unless_the_environment_turns_it_on(tmp_path):
    # A checkout with no .env, as production has: a developer's .env (bin/setup dev) says DEBUG=1.
    checkout = checkout_with_env_file(tmp_path, None)
    code = "from django.conf import settings; print(settings.DEBUG)"
    assert run_python(code, checkout, SECRET_KEY="k" * 60).stdout.strip() == "False"
    assert run_python(code, checkout, DEBUG="1").stdout.strip() == "True"


def test_the_wsgi_app_refuses_to_start_with_debug_off_and_the_development_key():
    # What gunicorn does first: import the WSGI application. No `manage.py check` runs before it.
    result = run_python("import symphony.wsgi", DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert run_python("import symphony.wsgi", DEBUG="0", SECRET_KEY="k" * 60).returncode == 0


def test_bin_run_turns_on_its_friendly_defaults_explicitly():
    script = (ROOT / "bin" / "run").read_text()
    assert "export DEBUG=${DEBUG:-1}" in script
