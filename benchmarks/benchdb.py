"""What the database-backed benchmarks share: a scratch PostgreSQL database with Django set up on it,
and the environment of the production stack the load benchmarks start."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

# settings.py and the modules it reads (settings_api.py holds the REST framework's rates).
SETTINGS = sorted((Path(__file__).resolve().parent.parent / "symphony").glob("settings*.py"))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def benchmark_throttle_rates() -> dict[str, str]:
    """Every throttle rate the settings read (their `*_THROTTLE_RATE` variables), far above what a
    benchmark sends: a benchmark measures speed, and a 429 from a limit meant for people would end
    it (the limits have their own tests). For this process's environment and the servers it starts."""
    names = [name for path in SETTINGS for name in re.findall(r'env\("(\w+_THROTTLE_RATE)"', path.read_text())]
    return dict.fromkeys(names, "1000000/min")


def stack_env(*, database_url: str, broker_url: str, redis_url: str, media: Path) -> dict[str, str]:
    """The environment of the web and worker processes a benchmark starts: production settings, as
    the README's production section sets them, on these services, with the throttles lifted."""
    return {
        **os.environ,
        **benchmark_throttle_rates(),
        "DJANGO_SETTINGS_MODULE": "symphony.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "REDIS_URL": redis_url,
        "PRIVATE_MEDIA_ROOT": str(media),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_PROXY": "1",
        "LOG_LEVEL": "WARNING",
    }


class NotPostgres(SystemExit):
    pass


@contextlib.contextmanager
def scratch_database(script: str, suffix: str, *, keep: bool = False) -> Iterator[str]:
    """Create `<DATABASE_URL's name>_<suffix>`, point Django at it, migrate, and drop it afterwards.

    Refuses anything but PostgreSQL: the figures are meant for the production database.
    Settings are production-like (DEBUG off, so no query logging), and no broker is used.
    """
    import dj_database_url
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    config = dj_database_url.parse(url) if url else {}
    if "postgresql" not in config.get("ENGINE", ""):
        raise NotPostgres(f"{script} needs PostgreSQL: set DATABASE_URL=postgres://… (SQLite is refused).")
    name = f"{config['NAME']}_{suffix}"
    admin = {
        "host": config.get("HOST") or None, "port": config.get("PORT") or None, "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None, "dbname": "postgres", "autocommit": True,
    }  # fmt: skip
    admin = {k: v for k, v in admin.items() if v is not None}
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", f"{suffix}-benchmark-" + os.urandom(8).hex())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symphony.settings")
    os.environ.update(benchmark_throttle_rates())
    os.environ.pop("CELERY_BROKER_URL", None)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        log(f"database {name}: migrating…")
        call_command("migrate", verbosity=0)
        yield name
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            with psycopg.connect(**admin) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
