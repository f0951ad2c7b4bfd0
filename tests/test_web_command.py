"""One gunicorn command (bin/web), run by the README's production section, the Procfile (bin/stack) and
benchmarks/pipeline_load.py: threaded workers everywhere, so two long polls never block a process."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = "bin/web"


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict((part.strip() for part in line.split(":", 1)) for line in lines if line and not line.startswith("#"))


def test_the_readme_the_procfile_and_the_load_benchmark_run_the_same_gunicorn_command():
    readme = (ROOT / "README.md").read_text()
    assert _procfile()["web"] == f"exec {WEB}"
    assert re.search(rf"^HOST=\S+ PORT=\S+ {WEB}\b", readme, re.MULTILINE), "the README's production command"
    assert 'ROOT / "bin" / "web"' in (ROOT / "benchmarks" / "pipeline_load.py").read_text()
    # bin/web holds the only gunicorn command line: none of them spells out one of its own.
    for text in (readme, (ROOT / "Procfile").read_text()):
        assert "gunicorn symphony.wsgi" not in text
    command = (ROOT / WEB).read_text()
    assert command.count("exec .venv/bin/gunicorn symphony.wsgi") == 1
    assert "--worker-class gthread" in command


def test_bin_web_serves_on_the_host_and_port_from_the_environment(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1", DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'web.sqlite3'}",
    )  # fmt: skip
    log = (tmp_path / "web.log").open("w+")
    process = subprocess.Popen([WEB], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and process.poll() is None and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    status = response.status, json.load(response)
            except urllib.error.HTTPError as error:  # answered: the database of this test is not migrated
                status = error.code, None
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        log.seek(0)
        output = log.read()
        assert status is not None, output[-3000:]
        assert "Using worker: gthread" in output, output[-3000:]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
