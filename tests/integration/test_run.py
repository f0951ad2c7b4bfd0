"""bin/run, the README's first command: set up, migrate, load the catalogue and serve on the HOST and
PORT the environment names (as bin/stack does). Integration: migrating a fresh database and loading
the catalogue take a while; needs no services (embedded defaults)."""

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

from tests.integration.test_stack import free_port
from tests.integration.workers import ROOT

START_TIMEOUT_S = 300  # bin/setup, a fresh SQLite database migrated, the catalogue loaded


def test_bin_run_serves_on_the_port_from_the_environment(tmp_path):
    port = free_port()
    # bin/run's embedded shape: no broker or Redis even when bin/test exports them; a database of its own.
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(PORT=str(port), DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}")
    log = (tmp_path / "run.log").open("w+")
    process = subprocess.Popen(
        ["bin/run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline, answer = time.monotonic() + START_TIMEOUT_S, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    answer = json.load(response)
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert answer == {"status": "ok", "database": "ok", "broker": "eager"}, output[-3000:]
        assert f"http://127.0.0.1:{port}" in output
    finally:
        # runserver's autoreloader runs the server in a child: stop the whole session.
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
