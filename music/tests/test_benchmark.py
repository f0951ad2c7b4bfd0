"""benchmarks/recommend_scale.py: refuses SQLite, and runs end to end at a tiny scale."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "benchmarks" / "recommend_scale.py"


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )


def test_it_refuses_sqlite():
    result = run({"DATABASE_URL": "sqlite:////tmp/never-created.sqlite3"}, "--json")
    assert result.returncode == 2 and "needs PostgreSQL" in result.stderr
    assert not Path("/tmp/never-created.sqlite3").exists()


@pytest.mark.integration
def test_it_builds_its_own_database_times_lists_and_cleans_up():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    url = url.rsplit("/", 1)[0] + "/symphony_benchsmoke"
    result = run(
        {"DATABASE_URL": url}, "--json", "--songs", "400", "--users", "30", "--events", "3000", "--samples", "5"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout)
    keys = {"rich_p50_ms", "rich_p95_ms", "cold_p50_ms", "cold_p95_ms", "import_100k_s"}
    assert keys <= set(figures) and all(figures[k] > 0 for k in keys)
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres") as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database").fetchall()]
    assert "symphony_benchsmoke_recbench" not in names


ENRICH = Path(settings.BASE_DIR) / "benchmarks" / "enrich_catalog.py"


@pytest.mark.integration
def test_the_enrich_benchmark_runs_the_command_against_the_fake_service_and_cleans_up():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    url = url.rsplit("/", 1)[0] + "/symphony_enrichsmoke"
    result = subprocess.run(
        [sys.executable, str(ENRICH), "--json", "--limit", "20", "--latency-ms", "0"],
        env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout)
    assert figures["songs"] == figures["requests"] == 20
    assert figures["matched"] + figures["unmatched"] + figures["ambiguous"] == 20 and figures["matched"] > 10
    assert figures["whole_run_s"] > 0 and figures["per_song_ms"] > 0 and figures["paced_run_s"] == 60.0
