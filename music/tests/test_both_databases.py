"""The recommender gives the same lists on PostgreSQL and SQLite: one scenario (music/tests/scenario.py)
built in this test's PostgreSQL database and in a fresh SQLite database in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from music.recommendation import queries
from music.tests import scenario

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="compares PostgreSQL with SQLite: needs DATABASE_URL=postgres://… (this pass has SQLite only)",
    ),
]


def lists_on_sqlite(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'scenario.sqlite3'}", DJANGO_SETTINGS_MODULE="symphony.settings")
    done = subprocess.run(
        [sys.executable, "-c", "from music.tests.scenario import main; main()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_the_same_scenario_gives_the_same_lists_on_postgresql_and_sqlite(tmp_path):
    scenario.build()
    on_postgresql = scenario.lists()
    on_sqlite = lists_on_sqlite(tmp_path)

    # The collaborative source on its own: the per-song caps hold on both (HIDDEN is liked only by
    # listeners beyond COLLAB_LIKERS of the one song the newcomer likes).
    assert scenario.POPULAR_LIKERS > queries.COLLAB_LIKERS
    newcomer = dict(map(tuple, on_postgresql["collaborative"][str(scenario.NEWCOMER)]))
    assert newcomer and scenario.HIDDEN not in newcomer
    assert on_sqlite["collaborative"] == on_postgresql["collaborative"]

    cases = [("past list", n) for n in range(len(on_postgresql["past"]))] + list(scenario.CASES)
    both = zip(on_postgresql["past"] + on_postgresql["lists"], on_sqlite["past"] + on_sqlite["lists"], strict=True)
    for case, (postgresql, sqlite) in zip(cases, both, strict=True):
        assert len(postgresql) == 10, case
        assert [song for song, _, _ in sqlite] == [song for song, _, _ in postgresql], case
        assert [score for _, score, _ in sqlite] == pytest.approx([score for _, score, _ in postgresql], abs=2e-4)
        assert [words for _, _, words in sqlite] == [words for _, _, words in postgresql], case
    # The scenario reaches what differs between the dialects: a pick from the collaborative source.
    assert any(
        "listeners with similar taste liked it" in words for rows in on_postgresql["lists"] for *_, words in rows
    )
