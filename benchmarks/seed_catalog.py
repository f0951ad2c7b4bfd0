#!/usr/bin/env python
"""How long a fresh install takes to load the shipped song catalogue (bar: under 60 s).

    python benchmarks/seed_catalog.py --json                # SQLite, and PostgreSQL when DATABASE_URL is set

Each database starts empty and migrated; `manage.py seed_catalog` is timed (wall clock, in a
fresh process, as bin/run and bin/stack run it) twice: the first load, then the idempotent re-run
that finds every song already there. The baseline, timed in the same run, is parsing the shipped
file alone (music.catalog.csv_format, no database): what any import of it must spend at least, so
`first_over_parse` says what the database writes add. The PostgreSQL database is a scratch one
(`<name>_seedbench`), dropped afterwards.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BAR_S = 60


def timed_seed(env: dict) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "seed_catalog", "-v0"], cwd=ROOT, env=env, check=True)
    return round(time.perf_counter() - start, 2)


def run_on(env: dict) -> dict:
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    first = timed_seed(env)
    again = timed_seed(env)
    count = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from music.models import Song; print(Song.objects.count())"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()[-1]  # fmt: skip
    return {"first_s": first, "again_s": again, "songs": int(count), "under_bar": first < BAR_S}


def parse_seconds() -> tuple[float, int]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symphony.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from music.catalog.building import SHIPPED_CATALOG, read_shipped
    from music.catalog.csv_format import parse_catalog

    start = time.perf_counter()
    parsed = parse_catalog(read_shipped(SHIPPED_CATALOG))
    return round(time.perf_counter() - start, 2), len(parsed.rows)


@contextlib.contextmanager
def scratch_postgres(url: str, suffix: str):
    """An empty database beside DATABASE_URL's, dropped afterwards (this process never opens it)."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_{suffix}"
    admin = {"host": config["HOST"], "port": config["PORT"] or 5432, "user": config["USER"], "dbname": "postgres"}
    with psycopg.connect(**admin, password=config.get("PASSWORD") or None, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(**admin, password=config.get("PASSWORD") or None, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL")}
    base["DEBUG"] = "1"
    result = {"bar_s": BAR_S, "load_1m": round(os.getloadavg()[0], 2)}
    result["parse_s"], result["rows"] = parse_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        result["sqlite"] = run_on({**base, "DATABASE_URL": f"sqlite:///{tmp}/seed.sqlite3"})
    if "postgres" in os.environ.get("DATABASE_URL", ""):
        with scratch_postgres(os.environ["DATABASE_URL"], "seedbench") as url:
            result["postgresql"] = run_on({**base, "DATABASE_URL": url})
    for db in ("sqlite", "postgresql"):
        if db in result:
            result[db]["first_over_parse"] = round(result[db]["first_s"] / result["parse_s"], 2)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
