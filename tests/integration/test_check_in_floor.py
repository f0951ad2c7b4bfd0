"""benchmarks/check_in_floor.py runs end to end on the real stack at a small count (CPU is counted in 10 ms ticks), and adds up."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "benchmarks" / "check_in_floor.py"
PARTS = ("request", "task", "recommendation", "rows", "answer")


@pytest.mark.integration
def test_the_floor_benchmark_measures_every_part_in_one_run():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    arguments = ["--json", "--count", "100", "--database-url", url.rsplit("/", 1)[0] + "/symphony_floorsmoke"]
    arguments += ["--broker-url", f"{redis}/12", "--redis-url", f"{redis}/13"]
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, timeout=600, cwd=settings.BASE_DIR
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert "worker" in figures["task"]["by_process"], figures
    assert all(figures[part]["count"] == 100 and figures[part]["cpu_ms"] > 0 for part in PARTS)
    assert figures["task"]["by_process"]["worker"] > 0 and figures["request"]["by_process"]["web"] > 0
    total = figures["pipeline_ms_p50"] + sum(figures[part]["cpu_ms"] for part in PARTS)
    assert figures["floor_ms"] == pytest.approx(total, abs=0.05)
    assert figures["floor_ratio"] == pytest.approx(figures["floor_ms"] / figures["pipeline_ms_p50"], abs=0.01)
